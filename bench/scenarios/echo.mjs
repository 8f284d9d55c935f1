/**
 * Scenario 3: TCP echo, 1 KiB messages, closed loop, driven by the C load client (a JS client
 * would measure itself). Each server runs in its own process, fresh for every run; the C epoll
 * and C liburing servers are the ceiling. Reports msgs/s, p50/p99 round trip, the server's CPU
 * per message, and rentio's own counters per message.
 * @module
 */
import { Child, runJson } from '../lib/child.mjs';
import { CHILD_ENV, command, skipReason } from '../lib/contenders.mjs';

/** The pooled rows' buffer pool: 512 × 16 KiB (8 MiB), enough for 256 connections' 1 KiB messages. */
export const ECHO_POOL = { size: 16384, count: 512 };

/** The echo servers, as { id, label, family, skip, start(opts) → Child }. */
export function echoServers(ctx) {
  const js =
    (runtime, script, args) =>
    (opts = {}) => {
      const c = command(ctx, runtime, script, ['--host', '127.0.0.1', '--port', '0', ...args], opts);
      return new Child(opts.wrap ? opts.wrap.cmd : c.cmd, opts.wrap ? [...opts.wrap.args, c.cmd, ...c.args] : c.args, { env: CHILD_ENV });
    };
  const native =
    (name) =>
    (opts = {}) => {
      const bin = ctx.built[name];
      const args = ['--host', '127.0.0.1', '--port', '0'];
      return new Child(opts.wrap ? opts.wrap.cmd : bin, opts.wrap ? [...opts.wrap.args, bin, ...args] : args, { env: CHILD_ENV });
    };
  return [
    { id: 'node', label: 'node:net', family: 'node', start: js('node', 'echo-server.mjs', ['--impl', 'net']) },
    {
      id: 'rentio-uring',
      label: 'rentio uring',
      family: 'rentio-uring',
      skip: skipReason(ctx, 'rentio-uring'),
      rentio: true,
      start: js('node', 'echo-server.mjs', ['--impl', 'rentio', '--driver', 'uring']),
    },
    {
      id: 'rentio-epoll',
      label: 'rentio epoll',
      family: 'rentio-epoll',
      skip: skipReason(ctx, 'rentio-epoll'),
      rentio: true,
      start: js('node', 'echo-server.mjs', ['--impl', 'rentio', '--driver', 'epoll']),
    },
    // Pooled reads (issue 13): one runtime pool instead of a buffer per connection; sized for
    // 256 connections with a 1 KiB message each in flight, twice over.
    ...['uring', 'epoll'].map((d) => ({
      id: `rentio-${d}-pool`,
      label: `rentio ${d}, pooled read`,
      family: `rentio-${d}`,
      skip: skipReason(ctx, `rentio-${d}`),
      rentio: true,
      minConns: 64,
      start: js('node', 'echo-server.mjs', ['--impl', 'rentio', '--driver', d, '--pool', String(ECHO_POOL.count), '--buf', String(ECHO_POOL.size)]),
    })),
    { id: 'bun', label: 'Bun (Bun.listen)', family: 'bun', skip: skipReason(ctx, 'bun'), start: js('bun', 'echo-server.bun.ts', []) },
    { id: 'deno', label: 'Deno (Deno.listen)', family: 'deno', skip: skipReason(ctx, 'deno'), start: js('deno', 'echo-server.deno.ts', []) },
    { id: 'c-epoll', label: 'C epoll', family: 'ref', skip: skipReason(ctx, 'c:echo-epoll'), start: native('echo-epoll') },
    { id: 'c-uring', label: 'C liburing', family: 'ref', skip: skipReason(ctx, 'c:echo-uring'), start: native('echo-uring') },
  ];
}

/**
 * Start `server`, drive it with the C client (`conns`, `duration` ms or `count` messages),
 * stop it. Resolves the client's result, the server's CPU seconds { user, sys } and counter deltas.
 */
export async function driveEcho(ctx, server, { conns, count = 0, warmup = ctx.cfg.warmupMs, duration = ctx.cfg.durationMs, opts = {} }) {
  const srv = server.start(opts);
  try {
    const ready = await srv.waitFor((m) => m.ready, 20000);
    const stats0 = server.rentio ? (await srv.ask('stats', (m) => m.stats)).stats : null;
    const cpu0 = srv.cpuTimes();
    const client = await runJson(
      ctx.built['echo-client'],
      [
        '--host',
        '127.0.0.1',
        '--port',
        String(ready.port),
        '--conns',
        String(conns),
        '--size',
        '1024',
        '--warmup',
        String(count ? 0 : warmup),
        '--duration',
        String(count ? 600000 : duration),
        ...(count ? ['--count', String(count)] : []),
      ],
      { timeoutMs: 30000 + duration * 2 + (count ? 60000 : 0) },
    );
    const cpu1 = srv.cpuTimes();
    const cpu = { user: cpu1.user - cpu0.user, sys: cpu1.sys - cpu0.sys };
    const stats1 = server.rentio ? (await srv.ask('stats', (m) => m.stats)).stats : null;
    const counters = {};
    if (stats0 && stats1) for (const k of Object.keys(stats1)) if (typeof stats1[k] === 'number') counters[k] = stats1[k] - (stats0[k] ?? 0);
    return { client, cpu, counters, srv };
  } finally {
    await srv.stop();
  }
}

export const echo = {
  id: 'echo',
  title: 'TCP echo, 1 KiB messages, closed loop (C client)',
  unit: 'msg/s',
  higher: true,
  baseline: 'node',
  describe: (ctx) =>
    `C epoll client on 127.0.0.1, one 1 KiB message in flight per connection; ${ctx.cfg.warmupMs} ms warm-up then ${ctx.cfg.durationMs} ms measured; a fresh server per run; rentio's rows rent one buffer per connection for its reads, the pooled rows (64 and 256 conns) read through one ${ECHO_POOL.count} × ${ECHO_POOL.size / 1024} KiB runtime pool (uring: provided-buffer ring, multishot recv; epoll: read on readiness) and copy each lease into the connection's write buffer`,
  cases: (ctx) => ctx.cfg.echoConns.map((n) => ({ id: `c${n}`, label: `${n} conn${n > 1 ? 's' : ''}`, conns: n, reps: ctx.cfg.targetReps })),
  contenders: (ctx) =>
    echoServers(ctx).map((s) => ({
      ...s,
      skip: s.skip ?? skipReason(ctx, 'c:echo-client'),
      // The pooled rows are measured where issue 13 asks: 64 and 256 connections.
      forCase: s.minConns ? (kase) => (kase.conns >= s.minConns ? {} : null) : undefined,
      run: async (kase, opts = {}) => {
        const { client, cpu, counters } = await driveEcho(ctx, s, { conns: kase.conns, opts });
        if (client.errors) throw new Error(`client saw ${client.errors} errors`);
        // The server's CPU and counters cover the warm-up too: divide by every message it echoed.
        const all = client.total_msgs || client.msgs;
        const extra = {
          p50_us: client.p50_us,
          p99_us: client.p99_us,
          cpu_us_per_op: ((cpu.user + cpu.sys) * 1e6) / all,
          sys_share: cpu.sys / (cpu.user + cpu.sys),
          // The server's own code per message; the rest is the kernel's (loopback TCP runs the
          // peer's receive path inside each send), the floor every server here shares.
          user_us_per_op: (cpu.user * 1e6) / all,
        };
        // cancels and multishotArmed (uring): how often a pooled read's multishot recv was cancelled and re-armed
        for (const [k, v] of Object.entries(counters))
          if (['syscalls', 'parks', 'wakeups', 'submits', 'sqesSubmitted', 'cancels', 'multishotArmed'].includes(k)) extra[`${k}_per_op`] = v / all;
        return { value: client.msgs_per_s, extra };
      },
    })),
};
