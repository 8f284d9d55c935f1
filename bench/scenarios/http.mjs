/**
 * Scenario 4: HTTP/1.1 keep-alive under wrk. node:http on node:net against the same node:http
 * server over @rentio/compat sockets (both drivers), and a minimal responder on raw rentio
 * TcpStreams to show how much of the cost is node:http itself, and node:http alone on in-memory
 * connections (no kernel, no wrk) for its own CPU per request.
 * @module
 */
import { Child, runJson, runText } from '../lib/child.mjs';
import { CHILD_ENV, command, skipReason } from '../lib/contenders.mjs';

function server(ctx, impl, driver, opts = {}) {
  const c = command(ctx, 'node', 'http-server.mjs', ['--impl', impl, ...(driver ? ['--driver', driver] : [])], opts);
  return new Child(c.cmd, c.args, { env: CHILD_ENV });
}

/** Parse wrk's text: requests/s, latency percentiles (with --latency), errors. */
export function parseWrk(text) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const toUs = (v, u) => Number(v) * ({ us: 1, ms: 1e3, s: 1e6 }[u] ?? NaN);
  const pctl = (p) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text);
    return m ? toUs(m[1], m[2]) : NaN;
  };
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const errors = (sock ? sock.slice(1).reduce((s, x) => s + Number(x), 0) : 0) + non2xx;
  return { rps, p50_us: pctl(50), p99_us: pctl(99), errors };
}

async function wrk(ctx, port, seconds, conns) {
  const r = await runText(ctx.tools.wrk, ['-t1', `-c${conns}`, `-d${seconds}s`, '--latency', `http://127.0.0.1:${port}/`], {
    timeoutMs: seconds * 1000 + 30000,
  });
  if (r.code !== 0) throw new Error(`wrk failed: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  return parseWrk(r.stdout);
}

export const http = {
  id: 'http',
  title: 'HTTP/1.1 keep-alive, wrk',
  unit: 'req/s',
  higher: true,
  baseline: 'node',
  describe: (ctx) =>
    `wrk -t1 -c${ctx.cfg.httpConns}, GET / → 13-byte text/plain; ${ctx.cfg.httpWarmupS ? `${ctx.cfg.httpWarmupS} s warm-up, then ` : ''}${ctx.cfg.httpSeconds} s measured`,
  cases: (ctx) => [{ id: `c${ctx.cfg.httpConns}`, label: `${ctx.cfg.httpConns} conns`, conns: ctx.cfg.httpConns, reps: ctx.cfg.targetReps }],
  contenders: (ctx) => {
    const wrkSkip = skipReason(ctx, 'wrk');
    const mk = (id, label, family, impl, driver, skip) => ({
      id,
      label,
      family,
      skip: wrkSkip ?? skip,
      rentio: !!driver,
      run: async (kase, opts = {}) => {
        const srv = server(ctx, impl, driver, opts);
        try {
          const { port } = await srv.waitFor((m) => m.ready, 20000);
          if (ctx.cfg.httpWarmupS) await wrk(ctx, port, ctx.cfg.httpWarmupS, kase.conns);
          const cpu0 = srv.cpuTimes();
          const r = await wrk(ctx, port, ctx.cfg.httpSeconds, kase.conns);
          const cpu1 = srv.cpuTimes();
          const user = cpu1.user - cpu0.user;
          const sys = cpu1.sys - cpu0.sys;
          if (!Number.isFinite(r.rps) || r.rps === 0) throw srv.failure('wrk completed no requests');
          if (r.errors > 0) throw srv.failure(`wrk saw ${r.errors} socket errors or non-2xx responses`);
          return {
            value: r.rps,
            extra: {
              p50_us: r.p50_us,
              p99_us: r.p99_us,
              cpu_us_per_op: ((user + sys) * 1e6) / (r.rps * ctx.cfg.httpSeconds),
              sys_share: sys / (user + sys),
            },
          };
        } finally {
          await srv.stop();
        }
      },
    });
    return [
      mk('node', 'node:http (plain)', 'node', 'plain', null, null),
      mk('compat-uring', 'node:http over compat uring', 'rentio-uring', 'compat', 'uring', skipReason(ctx, 'compat-uring')),
      mk('compat-epoll', 'node:http over compat epoll', 'rentio-epoll', 'compat', 'epoll', skipReason(ctx, 'compat-epoll')),
      mk('raw-uring', 'raw rentio responder, uring', 'rentio-uring', 'raw', 'uring', skipReason(ctx, 'rentio-uring')),
      mk('raw-epoll', 'raw rentio responder, epoll', 'rentio-epoll', 'raw', 'epoll', skipReason(ctx, 'rentio-epoll')),
      {
        // Not a server under wrk: node:http's own CPU per request on in-memory connections,
        // which the HTTP targets' floor adds to the raw responder's (bench/lib/floor.mjs).
        id: 'node-inmem',
        label: 'node:http alone, in-memory sockets (no kernel)',
        family: 'node',
        skip: null,
        run: async (kase) => {
          const c = command(ctx, 'node', 'http-inmem.mjs', [
            '--conns',
            String(kase.conns),
            '--seconds',
            String(ctx.cfg.httpSeconds),
            '--warmup',
            String(ctx.cfg.httpWarmupS || 1),
          ]);
          const r = await runJson(c.cmd, c.args, { timeoutMs: 60000, env: CHILD_ENV });
          const cpu = r.user_us_per_req + r.sys_us_per_req;
          return { value: r.value, extra: { cpu_us_per_op: cpu, sys_share: r.sys_us_per_req / cpu } };
        },
      },
    ];
  },
};
