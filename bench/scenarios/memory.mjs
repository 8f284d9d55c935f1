/**
 * Scenario 5: memory per idle connection. The C client opens N connections and holds them;
 * each server leaves one read pending on every connection. RSS (from /proc, after a forced GC)
 * is taken before the first connection and after the last, and the difference is divided by N.
 *
 * Two figures per run. "At accept" is read 0.5 s after the last connection is in: it counts the
 * young generation V8 grew during the accept burst (1.2–2.5 KiB per connection at 10,000, the
 * same for every V8-hosted server, node:net included), which V8's memory reducer gives back once
 * allocation stops. "Idle" — the scenario's value — is read after the server has been idle for
 * `idleSettleMs`, with the baseline taken after the same settling, so both ends of the difference
 * are measured in the same state: what an idle connection keeps, which is what a server holding
 * many of them pays.
 * @module
 */
import { Child } from '../lib/child.mjs';
import { CHILD_ENV, command, skipReason } from '../lib/contenders.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const memory = {
  id: 'memory',
  title: 'Memory per idle connection (one pending read each)',
  unit: 'B/conn',
  higher: false,
  baseline: 'node',
  describe: (ctx) =>
    `${ctx.cfg.idleConns} loopback connections held by the C client; RSS after GC, after minus before, per connection, both read after ${ctx.cfg.idleSettleMs / 1000} s idle (the figure 0.5 s after the accept burst, which counts V8's transient young generation, is in each row's extra); rentio (plain read) and Deno rent a ${ctx.cfg.idleBuf}-byte buffer per pending read; rentio's pooled read draws from one 256 × ${ctx.cfg.idleBuf}-byte pool made before the baseline (as read(pool), a promise per read, or readWith(pool, callback), none); compat is node:net's server code over compat sockets`,
  cases: (ctx) => [{ id: `c${ctx.cfg.idleConns}`, label: `${ctx.cfg.idleConns} conns`, conns: ctx.cfg.idleConns }],
  contenders: (ctx) => {
    const clientSkip = skipReason(ctx, 'c:idle-client');
    const settle = ctx.cfg.idleSettleMs;
    const mk = (id, label, family, runtime, script, args, skip) => ({
      id,
      label,
      family,
      skip: clientSkip ?? skip,
      run: async (kase) => {
        const nofile = kase.conns + 1024;
        const c = command(ctx, runtime, script, ['--conns', String(kase.conns), '--buf', String(ctx.cfg.idleBuf), ...args], { gc: true });
        const srv = new Child(c.cmd, c.args, { env: CHILD_ENV, nofile });
        let client = null;
        try {
          const { port } = await srv.waitFor((m) => m.ready, 20000);
          const settled = async (ms) => {
            await sleep(ms);
            await srv.ask('gc', (m) => m.gc);
            await sleep(200);
            return srv.rssBytes();
          };
          const before = await settled(settle);
          client = new Child(
            ctx.built['idle-client'],
            ['--host', '127.0.0.1', '--port', String(port), '--conns', String(kase.conns), '--hold', '120000'],
            { nofile },
          );
          await client.waitFor((m) => m.connected, 60000);
          await srv.waitFor((m) => m.accepted, 60000);
          const atAccept = await settled(300);
          const idle = settle ? await settled(settle) : atAccept;
          return {
            value: (idle - before) / kase.conns,
            extra: {
              at_accept_b_per_conn: Math.round((atAccept - before) / kase.conns),
              settle_s: settle / 1000,
              rss_before_mib: before / 2 ** 20,
              rss_after_mib: idle / 2 ** 20,
            },
          };
        } finally {
          await client?.stop();
          await srv.stop();
        }
      },
    });
    return [
      mk('node', 'node:net', 'node', 'node', 'idle-server.mjs', ['--impl', 'net'], null),
      mk(
        'rentio-uring',
        'rentio uring',
        'rentio-uring',
        'node',
        'idle-server.mjs',
        ['--impl', 'rentio', '--driver', 'uring'],
        skipReason(ctx, 'rentio-uring'),
      ),
      mk(
        'rentio-epoll',
        'rentio epoll',
        'rentio-epoll',
        'node',
        'idle-server.mjs',
        ['--impl', 'rentio', '--driver', 'epoll'],
        skipReason(ctx, 'rentio-epoll'),
      ),
      ...['uring', 'epoll'].map((d) =>
        mk(
          `rentio-${d}-pool`,
          `rentio ${d}, pooled read`,
          `rentio-${d}`,
          'node',
          'idle-server.mjs',
          ['--impl', 'rentio', '--driver', d, '--pool', '256'],
          skipReason(ctx, `rentio-${d}`),
        ),
      ),
      ...['uring', 'epoll'].map((d) =>
        mk(
          `rentio-${d}-pool-cb`,
          `rentio ${d}, pooled readWith`,
          `rentio-${d}`,
          'node',
          'idle-server.mjs',
          ['--impl', 'rentio', '--driver', d, '--pool', '256', '--callback'],
          skipReason(ctx, `rentio-${d}`),
        ),
      ),
      ...['uring', 'epoll'].map((d) =>
        mk(
          `compat-${d}`,
          `compat ${d} (net.Server)`,
          `rentio-${d}`,
          'node',
          'idle-server.mjs',
          ['--impl', 'compat', '--driver', d],
          skipReason(ctx, `rentio-${d}`),
        ),
      ),
      mk('bun', 'Bun (Bun.listen)', 'bun', 'bun', 'idle-server.bun.ts', [], skipReason(ctx, 'bun')),
      mk('deno', 'Deno (conn.read)', 'deno', 'deno', 'idle-server.deno.ts', [], skipReason(ctx, 'deno')),
    ];
  },
};
