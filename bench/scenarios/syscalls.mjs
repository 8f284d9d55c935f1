/**
 * Scenario 6: syscalls (kernel entries) per operation, counted by `strace -f -c` around the
 * file QD 64 workload and the 64-connection echo server, every thread included. Each contender
 * runs twice, with N1 and N2 operations, and the figure is (calls2 - calls1) / (N2 - N1), so
 * start-up and shutdown cancel out. rentio's own counters (rt.stats()) from the same runs sit
 * beside it. strace slows every syscall, which lets batching grow: read these as counts, not
 * as speed.
 * @module
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runJson } from '../lib/child.mjs';
import { CHILD_ENV, command, skipReason } from '../lib/contenders.mjs';
import { TMP } from '../lib/env.mjs';
import { driveEcho, echoServers } from './echo.mjs';
import { dataFile } from './file.mjs';

/** Parse `strace -c` output: { total, calls: { name: n } }. */
export function parseStraceC(text) {
  const calls = {};
  let total = NaN;
  for (const line of text.split('\n')) {
    const t = line.trim().split(/\s+/);
    // % time, seconds, usecs/call, calls, [errors], syscall
    if (t.length < 5 || !/^[\d.]+$/.test(t[0]) || !/^\d+$/.test(t[3])) continue;
    const name = t.at(-1);
    if (name === 'total') total = Number(t[3]);
    else calls[name] = Number(t[3]);
  }
  return { total, calls };
}

let seq = 0;
async function traced(ctx, fn) {
  const out = path.join(TMP, `strace-${process.pid}-${seq++}.txt`);
  const wrap = { cmd: ctx.tools.strace, args: ['-f', '-c', '-o', out, '--'] };
  try {
    const r = await fn(wrap);
    const s = parseStraceC(readFileSync(out, 'utf8'));
    if (!Number.isFinite(s.total)) throw new Error('strace wrote no summary');
    return { ...r, strace: s };
  } finally {
    rmSync(out, { force: true });
  }
}

/** Difference two traced runs into per-op figures. */
function perOp(a, b, n1, n2) {
  const dn = n2 - n1;
  const calls = {};
  for (const k of new Set([...Object.keys(a.strace.calls), ...Object.keys(b.strace.calls)])) {
    const d = ((b.strace.calls[k] ?? 0) - (a.strace.calls[k] ?? 0)) / dn;
    if (d > 0.005) calls[k] = d;
  }
  const top = Object.entries(calls)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 4)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');
  const extra = { top };
  for (const k of ['syscalls', 'parks', 'wakeups', 'submits', 'sqesSubmitted']) {
    if (typeof a.counters?.[k] === 'number' && typeof b.counters?.[k] === 'number') extra[`${k}_per_op`] = (b.counters[k] - a.counters[k]) / dn;
  }
  // uring: how many SQEs each io_uring_enter carried — the measured form of "one submit per tick"
  if (extra.submits_per_op > 0) extra.sqes_per_submit = extra.sqesSubmitted_per_op / extra.submits_per_op;
  return { value: (b.strace.total - a.strace.total) / dn, extra };
}

export const syscalls = {
  id: 'syscalls',
  title: 'Syscalls per operation (strace -f -c, all threads)',
  unit: 'syscalls/op',
  higher: false,
  baseline: 'node',
  reps: 1,
  setup(ctx) {
    ctx.data ??= dataFile(ctx);
  },
  describe: (ctx) =>
    `difference of two traced runs (${ctx.cfg.straceOps.join(' and ')} ops) per op; one run each (counts barely vary); syscalls/parks/wakeups from rt.stats() over the same runs`,
  cases: () => [
    { id: 'file-qd64', label: 'file 4 KiB rand QD 64', kind: 'file' },
    { id: 'echo-c64', label: 'echo 64 conns', kind: 'echo' },
  ],
  contenders: (ctx) => {
    const straceSkip = skipReason(ctx, 'strace');
    const [n1, n2] = ctx.cfg.straceOps;
    const fileRun =
      (runtime, impl, driver, env = {}) =>
      async () => {
        const one = (n) =>
          traced(ctx, async (wrap) => {
            const { file, size } = ctx.data;
            const c = command(ctx, runtime, 'file-read.mjs', [
              '--impl',
              impl,
              ...(driver ? ['--driver', driver] : []),
              '--file',
              file,
              '--size',
              String(size),
              '--bs',
              '4096',
              '--qd',
              '64',
              '--count',
              String(n),
            ]);
            return runJson(wrap.cmd, [...wrap.args, c.cmd, ...c.args], { env: { ...CHILD_ENV, ...env }, timeoutMs: 120000 });
          });
        return perOp(await one(n1), await one(n2), n1, n2);
      };
    const echoRun = (server) => async () => {
      const one = (n) => traced(ctx, async (wrap) => driveEcho(ctx, server, { conns: 64, count: n, opts: { wrap } }));
      return perOp(await one(n1), await one(n2), n1, n2);
    };
    const servers = Object.fromEntries(echoServers(ctx).map((s) => [s.id, s]));
    const fileRows = [
      { id: 'node', label: 'Node fs.promises', family: 'node', run: fileRun('node', 'fs', null, { UV_USE_IO_URING: '0' }) },
      { id: 'node-uring', label: 'Node UV_USE_IO_URING=1', family: 'node', run: fileRun('node', 'fs', null, { UV_USE_IO_URING: '1' }) },
      {
        id: 'rentio-uring',
        label: 'rentio uring',
        family: 'rentio-uring',
        skip: skipReason(ctx, 'rentio-uring'),
        run: fileRun('node', 'rentio', 'uring'),
      },
      {
        id: 'rentio-epoll',
        label: 'rentio epoll',
        family: 'rentio-epoll',
        skip: skipReason(ctx, 'rentio-epoll'),
        run: fileRun('node', 'rentio', 'epoll'),
      },
      { id: 'bun', label: 'Bun (node:fs)', family: 'bun', skip: skipReason(ctx, 'bun'), run: fileRun('bun', 'fs', null) },
      { id: 'deno', label: 'Deno (node:fs)', family: 'deno', skip: skipReason(ctx, 'deno'), run: fileRun('deno', 'fs', null) },
    ];
    const echoRows = ['node', 'rentio-uring', 'rentio-epoll', 'bun', 'deno', 'c-epoll', 'c-uring'].map((id) => ({
      ...servers[id],
      skip: servers[id].skip ?? skipReason(ctx, 'c:echo-client'),
      run: echoRun(servers[id]),
    }));
    // One contender list per scenario: each row runs the case it belongs to and skips the other.
    const rows = new Map();
    for (const r of fileRows) rows.set(r.id, { ...r, file: r });
    for (const r of echoRows) rows.set(r.id, { ...(rows.get(r.id) ?? r), echo: r, label: rows.get(r.id)?.label ?? r.label });
    return [...rows.values()]
      .filter((r) => !ctx.quick || ['node', 'rentio-uring', 'rentio-epoll'].includes(r.id))
      .map((r) => ({
        id: r.id,
        label: r.label,
        family: r.family,
        skip: straceSkip,
        // Per-case rows: label and skip reason depend on which case runs.
        forCase: (kase) => {
          const row = kase.kind === 'file' ? r.file : r.echo;
          if (!row) return null;
          return { label: row.label, skip: straceSkip ?? row.skip ?? null, run: row.run };
        },
      }));
  },
};
