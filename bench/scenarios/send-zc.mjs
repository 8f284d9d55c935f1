/**
 * Bulk send, 1 MiB writes, with and without zero-copy send (issue 13): one connection writes to
 * the C sink (c/sink.c) — rentio uring with IORING_OP_SEND_ZC (driverOptions.sendZcThreshold),
 * rentio uring plain send, rentio epoll send, and node:net as the baseline. MiB/s from the first
 * write to the sink's EOF; the sender's CPU per GiB; and from rentio's `stats()`, how many writes
 * went zero-copy (zcSends) and how many of those the kernel copied after all (zcCopied: over
 * loopback, every one).
 * @module
 */
import { Child, runJson } from '../lib/child.mjs';
import { CHILD_ENV, command, skipReason } from '../lib/contenders.mjs';

const WRITE = 1 << 20;

/** One run: a fresh sink, the sender to completion, the sink stopped. */
async function sendRun(ctx, impl, args, opts) {
  const sink = new Child(ctx.built.sink, ['0'], { env: CHILD_ENV });
  try {
    const { port } = await sink.waitFor((m) => m.ready, 10000);
    const c = command(
      ctx,
      'node',
      'send-client.mjs',
      [
        '--impl',
        impl,
        ...args,
        '--port',
        String(port),
        '--size',
        String(WRITE),
        '--total',
        String(ctx.cfg.sendBytes),
        '--warmup',
        String(ctx.cfg.sendWarmupBytes),
      ],
      opts,
    );
    const r = await runJson(c.cmd, c.args, { env: CHILD_ENV, timeoutMs: 120000 });
    const cpu = (r.cpu_user_us + r.cpu_sys_us) / 1e6;
    return {
      value: r.bytes / 1048576 / (r.ms / 1000),
      extra: {
        cpu_s_per_gib: cpu / (r.bytes / 2 ** 30),
        sys_share: r.cpu_sys_us / (r.cpu_user_us + r.cpu_sys_us),
        ...(r.zcSends === null ? {} : { zc_sends: r.zcSends, zc_copied: r.zcCopied }),
      },
    };
  } finally {
    await sink.stop(500);
  }
}

export const sendZc = {
  id: 'send-zc',
  title: 'Bulk send, 1 MiB writes, with and without zero-copy send (C sink)',
  unit: 'MiB/s',
  higher: true,
  baseline: 'node',
  describe: (ctx) =>
    `one loopback connection writes ${ctx.cfg.sendBytes / 2 ** 20} MiB in 1 MiB writes to a C sink (blocking reads, 1 MiB buffer), timed from the first write to the sink's EOF after a ${ctx.cfg.sendWarmupBytes / 2 ** 20} MiB warm-up connection; rentio writes one rented buffer with \`writeAll\`; SEND_ZC is uring's \`driverOptions: { sendZcThreshold: 65536 }\` (off by default); CPU is the sender's, per GiB sent; zcSends / zcCopied are rentio's \`stats()\` counters over the measured connection`,
  cases: () => [{ id: 'w1m', label: '1 MiB writes' }],
  contenders: (ctx) => {
    const sinkSkip = skipReason(ctx, 'c:sink');
    const mk = (id, label, family, skipId, impl, args) => ({
      id,
      label,
      family,
      skip: (skipId && skipReason(ctx, skipId)) || sinkSkip,
      rentio: impl === 'rentio',
      run: (kase, opts = {}) => sendRun(ctx, impl, args, opts),
    });
    return [
      mk('node', 'node:net write', 'node', null, 'net', []),
      mk('rentio-uring-zc', 'rentio uring, SEND_ZC', 'rentio-uring', 'rentio-uring', 'rentio', ['--driver', 'uring', '--zc-threshold', '65536']),
      mk('rentio-uring', 'rentio uring, plain send', 'rentio-uring', 'rentio-uring', 'rentio', ['--driver', 'uring', '--zc-threshold', 'off']),
      mk('rentio-epoll', 'rentio epoll, send', 'rentio-epoll', 'rentio-epoll', 'rentio', ['--driver', 'epoll']),
    ];
  },
};
