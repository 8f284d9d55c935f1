/**
 * Unix domain sockets and UDP (issue 11), each driven by a C load client:
 * - `unix-echo`: the echo scenario's servers on a socket path instead of a TCP port (1 KiB
 *   messages, closed loop, 64 connections) — rentio uring/epoll vs node:net, and the C epoll
 *   and liburing servers as the ceiling.
 * - `udp-pingpong`: 16 connected client sockets, one 64-byte datagram in flight each, echoed by
 *   one server socket — round trips/s.
 * - `udp-flood`: two C sender processes send 64-byte datagrams back to back for the window; the
 *   server only counts — datagrams/s the server received (pps).
 * UDP contenders: rentio uring/epoll (the workload's `--impl rentio`: `sock.messages(pool)`, a
 * batch of datagrams per receive — a multishot RECVMSG under uring, recvmmsg under epoll),
 * node:dgram, Bun (Bun.udpSocket).
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Child, runJson } from '../lib/child.mjs';
import { CHILD_ENV, command, skipReason } from '../lib/contenders.mjs';

/** Start a workload child, wait for ready, run `client(ready)`, stop it; server counter deltas too. */
async function drive(server, client) {
  const srv = server.start();
  try {
    const ready = await srv.waitFor((m) => m.ready, 20000);
    // The C servers have no counters to ask for.
    const stats = async () => (server.native ? {} : (await srv.ask('stats', (m) => m.stats)).stats);
    const s0 = await stats();
    const cpu0 = srv.cpuTimes();
    const result = await client(ready);
    const cpu1 = srv.cpuTimes();
    const s1 = await stats();
    const counters = {};
    for (const k of Object.keys(s1)) if (typeof s1[k] === 'number') counters[k] = s1[k] - (s0[k] ?? 0);
    return { result, counters, cpu: { user: cpu1.user - cpu0.user, sys: cpu1.sys - cpu0.sys } };
  } finally {
    await srv.stop();
  }
}

const perOp = (counters, all) => {
  const extra = {};
  for (const [k, v] of Object.entries(counters)) if (['syscalls', 'parks', 'wakeups', 'submits'].includes(k)) extra[`${k}_per_op`] = v / all;
  return extra;
};

function unixServers(ctx, sockPath) {
  const js = (args) => () => {
    const c = command(ctx, 'node', 'echo-server.mjs', ['--path', sockPath(), ...args]);
    return new Child(c.cmd, c.args, { env: CHILD_ENV });
  };
  return [
    { id: 'node', label: 'node:net', family: 'node', start: js(['--impl', 'net']) },
    {
      id: 'rentio-uring',
      label: 'rentio uring',
      family: 'rentio-uring',
      skip: skipReason(ctx, 'rentio-uring'),
      start: js(['--impl', 'rentio', '--driver', 'uring']),
    },
    {
      id: 'rentio-epoll',
      label: 'rentio epoll',
      family: 'rentio-epoll',
      skip: skipReason(ctx, 'rentio-epoll'),
      start: js(['--impl', 'rentio', '--driver', 'epoll']),
    },
    // The ceiling on this machine, as in the TCP echo: what a C server gets over the same path.
    ...[
      ['c-epoll', 'C epoll', 'echo-epoll'],
      ['c-uring', 'C liburing', 'echo-uring'],
    ].map(([id, label, name]) => ({
      id,
      label,
      family: 'ref',
      native: true,
      skip: skipReason(ctx, `c:${name}`),
      start: () => new Child(ctx.built[name], ['--path', sockPath()], { env: CHILD_ENV }),
    })),
  ];
}

export const unixEcho = {
  id: 'unix-echo',
  title: 'Unix socket echo, 1 KiB messages, closed loop (C client)',
  unit: 'msg/s',
  higher: true,
  baseline: 'node',
  describe: (ctx) =>
    `C epoll client on a socket path, one 1 KiB message in flight per connection; ${ctx.cfg.warmupMs} ms warm-up then ${ctx.cfg.durationMs} ms measured; a fresh server (and path) per run`,
  cases: (ctx) => [{ id: 'c64', label: '64 conns', conns: 64, reps: ctx.cfg.targetReps }],
  contenders: (ctx) => {
    let dir = null;
    const sockPath = () => {
      dir ??= mkdtempSync(path.join(tmpdir(), 'rentio-bench-unix-'));
      return path.join(dir, `echo-${process.hrtime.bigint()}.sock`);
    };
    return unixServers(ctx, sockPath).map((s) => ({
      ...s,
      skip: s.skip ?? skipReason(ctx, 'c:echo-client'),
      run: async (kase) => {
        try {
          const {
            result: client,
            counters,
            cpu,
          } = await drive(s, (ready) =>
            runJson(
              ctx.built['echo-client'],
              [
                '--path',
                ready.path,
                '--conns',
                String(kase.conns),
                '--size',
                '1024',
                '--warmup',
                String(ctx.cfg.warmupMs),
                '--duration',
                String(ctx.cfg.durationMs),
              ],
              { timeoutMs: 30000 + ctx.cfg.durationMs * 2 },
            ),
          );
          if (client.errors) throw new Error(`client saw ${client.errors} errors`);
          const all = client.total_msgs || client.msgs;
          return {
            value: client.msgs_per_s,
            extra: {
              p50_us: client.p50_us,
              p99_us: client.p99_us,
              cpu_us_per_op: ((cpu.user + cpu.sys) * 1e6) / all,
              user_us_per_op: (cpu.user * 1e6) / all,
              ...perOp(counters, all),
            },
          };
        } finally {
          if (dir) rmSync(dir, { recursive: true, force: true });
          dir = null;
        }
      },
    }));
  },
};

function udpServers(ctx, mode) {
  const js = (runtime, script, args) => () => {
    const c = command(ctx, runtime, script, ['--host', '127.0.0.1', '--port', '0', '--mode', mode, ...args]);
    return new Child(c.cmd, c.args, { env: CHILD_ENV });
  };
  return [
    { id: 'node', label: 'node:dgram', family: 'node', start: js('node', 'udp-server.mjs', ['--impl', 'dgram']) },
    {
      id: 'rentio-uring',
      label: 'rentio uring',
      family: 'rentio-uring',
      skip: skipReason(ctx, 'rentio-uring'),
      start: js('node', 'udp-server.mjs', ['--impl', 'rentio', '--driver', 'uring']),
    },
    {
      id: 'rentio-epoll',
      label: 'rentio epoll',
      family: 'rentio-epoll',
      skip: skipReason(ctx, 'rentio-epoll'),
      start: js('node', 'udp-server.mjs', ['--impl', 'rentio', '--driver', 'epoll']),
    },
    { id: 'bun', label: 'Bun (Bun.udpSocket)', family: 'bun', skip: skipReason(ctx, 'bun'), start: js('bun', 'udp-server.bun.ts', []) },
  ];
}

const udpClient = (ctx, port, mode, socks) =>
  runJson(
    ctx.built['udp-client'],
    [
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--mode',
      mode,
      '--socks',
      String(socks),
      '--size',
      '64',
      '--warmup',
      String(ctx.cfg.warmupMs),
      '--duration',
      String(ctx.cfg.durationMs),
    ],
    { timeoutMs: 30000 + ctx.cfg.durationMs * 2 },
  );

export const udpPingPong = {
  id: 'udp-pingpong',
  title: 'UDP ping-pong, 64-byte datagrams, 16 client sockets (C client)',
  unit: 'round trips/s',
  higher: true,
  baseline: 'node',
  describe: (ctx) =>
    `C epoll client, 16 connected sockets with one datagram in flight each, echoed by one server socket; ${ctx.cfg.warmupMs} ms warm-up then ${ctx.cfg.durationMs} ms measured`,
  cases: (ctx) => [{ id: 's16', label: '16 sockets', socks: 16, reps: ctx.cfg.targetReps }],
  contenders: (ctx) =>
    udpServers(ctx, 'echo').map((s) => ({
      ...s,
      skip: s.skip ?? skipReason(ctx, 'c:udp-client'),
      run: async (kase) => {
        const { result: client, counters, cpu } = await drive(s, (ready) => udpClient(ctx, ready.port, 'pingpong', kase.socks));
        if (client.errors) throw new Error(`client saw ${client.errors} errors`);
        const all = client.total_msgs || client.msgs;
        return {
          value: client.msgs_per_s,
          extra: {
            p50_us: client.p50_us,
            p99_us: client.p99_us,
            lost: client.lost,
            cpu_us_per_op: ((cpu.user + cpu.sys) * 1e6) / all,
            ...perOp(counters, all),
          },
        };
      },
    })),
};

/**
 * Senders in the flood. On loopback a sender's send(2) also runs the receive path into the
 * server's socket, about 3.3 µs a datagram here: one sender offered ~300 k pps and every receiver
 * (node:dgram, Bun, rentio) took all of it (delivered 1.00 in the full run at 289283b), so the rows
 * measured the sender. Two offer more than any of them takes, so the rows measure the receivers;
 * sendmmsg batches did not raise one sender's rate (the per-datagram kernel work dominates).
 */
const FLOOD_SENDERS = 2;

export const udpFlood = {
  id: 'udp-flood',
  title: 'UDP one-way flood, 64-byte datagrams: datagrams/s received (2 C senders)',
  unit: 'pps',
  higher: true,
  baseline: 'node',
  describe: (ctx) =>
    `${FLOOD_SENDERS} C sender processes, one socket each, send back to back for ${ctx.cfg.warmupMs + ctx.cfg.durationMs} ms; the server counts what it received over the whole send (SO_RCVBUF 4 MiB asked); "delivered" is the share of what was sent that the server took`,
  cases: (ctx) => [{ id: 'b64', label: `64 B, ${FLOOD_SENDERS} senders`, reps: ctx.cfg.targetReps }],
  contenders: (ctx) =>
    udpServers(ctx, 'count').map((s) => ({
      ...s,
      skip: s.skip ?? skipReason(ctx, 'c:udp-client'),
      run: async () => {
        const {
          result: client,
          counters,
          cpu,
        } = await drive(s, async (ready) => {
          const rs = await Promise.all(Array.from({ length: FLOOD_SENDERS }, () => udpClient(ctx, ready.port, 'flood', 1)));
          // Let the server drain what is still queued in its socket.
          await new Promise((resolve) => setTimeout(resolve, 100));
          // Side by side, the send lasted as long as the longest sender's.
          return {
            sendS: Math.max(...rs.map((r) => r.seconds * (r.total_sent / Math.max(1, r.sent)))),
            totalSent: rs.reduce((n, r) => n + r.total_sent, 0),
          };
        });
        const received = counters.received ?? 0;
        const { sendS, totalSent } = client;
        return {
          value: received / sendS,
          extra: {
            sent_per_s: totalSent / sendS,
            delivered: received / Math.max(1, totalSent),
            cpu_us_per_op: received ? ((cpu.user + cpu.sys) * 1e6) / received : 0,
            ...perOp(counters, Math.max(1, received)),
          },
        };
      },
    })),
};
