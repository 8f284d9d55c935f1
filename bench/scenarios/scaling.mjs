/**
 * Scaling: the same servers on 1 and on N cores (N = os.availableParallelism()). rentio runs
 * N worker threads with a runtime each (runOnAllCores, reusePort listeners); Node runs
 * node:cluster with N worker processes on node:net / node:http; Bun runs N processes with
 * reusePort listeners; the C references (echo only) run N processes with SO_REUSEPORT listeners as
 * the ceiling of N servers here. rentio uring, node:cluster, Bun and C epoll also run with one
 * worker (ids `-1` beside `-n`), so each run shows what N workers do to each server's throughput
 * on these cores. Cases: TCP echo of 1 KiB messages (64 and 256 connections, C load client) and
 * HTTP/1.1 keep-alive (wrk -t1 -c64). On a machine whose load generator shares the cores,
 * throughput alone flatters whoever leaves the client the most CPU: each row also reports the
 * servers' CPU per message (utime+stime from /proc/<pid>/stat of every server process, which
 * sums its threads).
 * @module
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Child, runJson, runText } from '../lib/child.mjs';
import { CHILD_ENV, command, skipReason } from '../lib/contenders.mjs';
import { parseWrk } from './http.mjs';

/** user+system CPU seconds of each pid, summed (a process's stat covers all its threads). */
function cpuOf(pids) {
  let user = 0;
  let sys = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields 14 and 15 of stat(5): utime, stime in clock ticks (USER_HZ = 100 on Linux)
      user += Number(f[11]) / 100;
      sys += Number(f[12]) / 100;
    } catch {
      return { user: NaN, sys: NaN };
    }
  }
  return { user, sys };
}

function start(ctx, runtime, script, args) {
  const c = command(ctx, runtime, script, args);
  return new Child(c.cmd, c.args, { env: CHILD_ENV });
}

/** wrk against `port` for `seconds`: { value: req/s, ops, p50_us, p99_us }. */
async function wrk(ctx, kase, port, seconds) {
  const r = await runText(ctx.tools.wrk, ['-t1', `-c${kase.conns}`, `-d${seconds}s`, '--latency', `http://127.0.0.1:${port}/`], {
    timeoutMs: seconds * 1000 + 30000,
  });
  if (r.code !== 0) throw new Error(`wrk failed: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  const w = parseWrk(r.stdout);
  if (!(w.rps > 0)) throw new Error('wrk completed no requests');
  if (w.errors > 0) throw new Error(`wrk saw ${w.errors} socket errors or non-2xx responses`);
  return { value: w.rps, ops: w.rps * seconds, p50_us: w.p50_us, p99_us: w.p99_us };
}

/**
 * Load the server as the case says and read every server process's CPU around the measured part.
 * echo: one C client run (its warm-up, then its window; the CPU covers both, divided by every
 * message echoed, as the echo scenario does); http: a wrk warm-up run, then the measured run.
 */
async function measure(ctx, kase, srv, counters = false) {
  const ready = await srv.waitFor((m) => m.ready, 60000);
  // A C server of one process names no pids (its ready line lists them only for --procs > 1).
  const pids = ready.pids ?? [srv.pid];
  // rentio's servers answer 'stats' with their workers' summed counters: io_uring_enter /
  // epoll syscalls and parks per op say how much each worker batches.
  const stats = async () => (counters ? (await srv.ask('stats', (m) => m.stats)).stats : {});
  let s0;
  let r;
  let cpu0;
  if (kase.proto === 'http') {
    if (ctx.cfg.httpWarmupS) await wrk(ctx, kase, ready.port, ctx.cfg.httpWarmupS);
    s0 = await stats();
    cpu0 = cpuOf(pids);
    r = await wrk(ctx, kase, ready.port, ctx.cfg.httpSeconds);
  } else {
    const d = ctx.cfg.durationMs;
    const w = ctx.cfg.warmupMs;
    s0 = await stats();
    cpu0 = cpuOf(pids);
    const c = await runJson(
      ctx.built['echo-client'],
      [
        '--host',
        '127.0.0.1',
        '--port',
        String(ready.port),
        '--conns',
        String(kase.conns),
        '--size',
        '1024',
        '--warmup',
        String(w),
        '--duration',
        String(d),
      ],
      { timeoutMs: 30000 + (w + d) * 2 },
    );
    if (c.errors) throw new Error(`client saw ${c.errors} errors`);
    r = { value: c.msgs_per_s, ops: c.total_msgs || c.msgs, p50_us: c.p50_us, p99_us: c.p99_us };
  }
  const cpu1 = cpuOf(pids);
  const s1 = await stats();
  const user = cpu1.user - cpu0.user;
  const sys = cpu1.sys - cpu0.sys;
  const perOp = (k) => (typeof s1[k] === 'number' ? (s1[k] - (s0[k] ?? 0)) / r.ops : undefined);
  return {
    value: r.value,
    extra: {
      syscalls_per_op: perOp('syscalls'),
      parks_per_op: perOp('parks'),
      p50_us: r.p50_us,
      p99_us: r.p99_us,
      cpu_us_per_op: ((user + sys) * 1e6) / r.ops,
      sys_share: sys / (user + sys),
      server_processes: pids.length,
    },
  };
}

export const scaling = {
  id: 'scaling',
  title: 'Scaling: 1 vs N workers (echo and HTTP keep-alive)',
  unit: 'ops/s',
  higher: true,
  baseline: 'cluster-n',
  describe: (ctx) => {
    const n = availableParallelism();
    return `N = ${n} (os.availableParallelism()). echo: C epoll client, 1 KiB messages, ${ctx.cfg.warmupMs} ms warm-up then ${ctx.cfg.durationMs} ms; http: wrk -t1, ${ctx.cfg.httpSeconds} s. The load generator shares the cores: compare CPU per op (all server processes and threads) too, and each server's ×1 row with its ×${n} row`;
  },
  cases: (ctx) => [
    // --quick keeps the smoke run short: one echo case.
    ...(ctx.cfg.quick ? [64] : [64, 256]).map((n) => ({
      id: `echo-c${n}`,
      label: `echo ${n} conns`,
      proto: 'echo',
      conns: n,
      reps: ctx.cfg.targetReps,
    })),
    { id: 'http-c64', label: 'http keep-alive 64 conns', proto: 'http', conns: 64, reps: ctx.cfg.targetReps },
  ],
  contenders: (ctx) => {
    const n = availableParallelism();
    const clientSkip = skipReason(ctx, 'c:echo-client');
    const wrkSkip = skipReason(ctx, 'wrk');
    // A C reference as `procs` processes with SO_REUSEPORT listeners (`--procs`), echo only.
    const cServer = (id, label, name, procs) => ({
      id,
      label,
      family: 'ref',
      skip: skipReason(ctx, `c:${name}`) || clientSkip || null,
      forCase: (kase) => (kase.proto === 'echo' ? {} : null),
      run: async (kase) => {
        const srv = new Child(ctx.built[name], ['--host', '127.0.0.1', '--port', '0', '--procs', String(procs)], { env: CHILD_ENV });
        try {
          return await measure(ctx, kase, srv);
        } finally {
          await srv.stop();
        }
      },
    });
    const mk = (id, label, family, skip, runtime, script, args) => ({
      id,
      label,
      family,
      skip,
      run: async (kase) => {
        const why = kase.proto === 'http' ? wrkSkip : clientSkip;
        if (why) throw new Error(why);
        const srv = start(ctx, runtime, script, [...args, '--proto', kase.proto]);
        try {
          return await measure(ctx, kase, srv, family.startsWith('rentio'));
        } finally {
          await srv.stop();
        }
      },
    });
    // One worker of each reference too (not in --quick): with the load client on the same cores,
    // N servers can be slower than one, and these rows show whose throughput N workers raise here.
    const oneEach = ctx.cfg.quick
      ? []
      : [
          mk('cluster-1', 'node:cluster ×1', 'node', null, 'node', 'scaling-server.mjs', ['--impl', 'cluster', '--workers', '1']),
          mk('bun-1', 'Bun ×1', 'bun', skipReason(ctx, 'bun'), 'bun', 'scaling-server.bun.ts', ['--workers', '1']),
          cServer('c-epoll-1', 'C epoll ×1', 'echo-epoll', 1),
        ];
    return [
      ...oneEach,
      mk('cluster-n', `node:cluster ×${n}`, 'node', null, 'node', 'scaling-server.mjs', ['--impl', 'cluster', '--workers', String(n)]),
      mk('rentio-uring-1', 'rentio uring ×1', 'rentio-uring', skipReason(ctx, 'rentio-uring'), 'node', 'scaling-server.mjs', [
        '--impl',
        'rentio',
        '--driver',
        'uring',
        '--workers',
        '1',
      ]),
      mk('rentio-uring-n', `rentio uring ×${n}`, 'rentio-uring', skipReason(ctx, 'rentio-uring'), 'node', 'scaling-server.mjs', [
        '--impl',
        'rentio',
        '--driver',
        'uring',
        '--workers',
        String(n),
      ]),
      mk('rentio-epoll-n', `rentio epoll ×${n}`, 'rentio-epoll', skipReason(ctx, 'rentio-epoll'), 'node', 'scaling-server.mjs', [
        '--impl',
        'rentio',
        '--driver',
        'epoll',
        '--workers',
        String(n),
      ]),
      mk('bun-n', `Bun ×${n} (reusePort)`, 'bun', skipReason(ctx, 'bun'), 'bun', 'scaling-server.bun.ts', ['--workers', String(n)]),
      // The ceiling of N servers sharing the cores with the client: the C references as N processes.
      cServer('c-epoll-n', `C epoll ×${n}`, 'echo-epoll', n),
      cServer('c-uring-n', `C liburing ×${n}`, 'echo-uring', n),
    ];
  },
};
