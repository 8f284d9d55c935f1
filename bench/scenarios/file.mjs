/**
 * Scenarios 1 and 2: reads of one page-cached file. Random 4 KiB reads at QD 1 and 64, and
 * sequential 128 KiB reads. Every contender reads the same file and, for random reads, the
 * same seeded offsets; fio (io_uring and psync, --invalidate=0) is the ceiling.
 * @module
 */
import { closeSync, existsSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import path from 'node:path';
import { runJson, runText } from '../lib/child.mjs';
import { CHILD_ENV, command, skipReason } from '../lib/contenders.mjs';
import { TMP } from '../lib/env.mjs';

/** Make the data file once (random bytes) and read it all so it sits in the page cache. */
export function dataFile(ctx) {
  const size = ctx.cfg.fileSize;
  const file = path.join(TMP, `data-${size / 2 ** 20}m.bin`);
  if (!existsSync(file) || statSync(file).size !== size) {
    const fd = openSync(file, 'w');
    const chunk = Buffer.allocUnsafe(4 << 20);
    for (let off = 0; off < size; off += chunk.length) {
      randomFillSync(chunk);
      writeSync(fd, chunk, 0, Math.min(chunk.length, size - off));
    }
    closeSync(fd);
  }
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(8 << 20);
  while (readSync(fd, buf, 0, buf.length, null) > 0);
  closeSync(fd);
  return { file, size };
}

function fileContenders(ctx, pattern) {
  const run =
    (runtime, impl, extra = {}) =>
    async (kase, opts = {}) => {
      const { file, size } = ctx.data;
      const args = [
        '--impl',
        impl,
        ...(extra.driver ? ['--driver', extra.driver] : []),
        '--file',
        file,
        '--size',
        String(size),
        '--bs',
        String(kase.bs),
        '--qd',
        String(kase.qd),
        '--pattern',
        pattern,
        '--warmup',
        String(ctx.cfg.warmupMs),
        '--duration',
        String(ctx.cfg.durationMs),
        ...(opts.count ? ['--count', String(opts.count)] : []),
      ];
      const c = command(ctx, runtime, 'file-read.mjs', args, opts);
      const r = await runJson(c.cmd, c.args, { env: { ...CHILD_ENV, ...extra.env }, timeoutMs: 30000 + ctx.cfg.durationMs * 2 });
      return fileResult(r, kase);
    };
  return [
    { id: 'node', label: 'Node fs.promises', family: 'node', run: run('node', 'fs', { env: { UV_USE_IO_URING: '0' } }) },
    { id: 'node-uring', label: 'Node UV_USE_IO_URING=1', family: 'node', run: run('node', 'fs', { env: { UV_USE_IO_URING: '1' } }) },
    {
      id: 'rentio-uring',
      label: 'rentio uring',
      family: 'rentio-uring',
      skip: skipReason(ctx, 'rentio-uring'),
      run: run('node', 'rentio', { driver: 'uring' }),
    },
    {
      id: 'rentio-epoll',
      label: 'rentio epoll',
      family: 'rentio-epoll',
      skip: skipReason(ctx, 'rentio-epoll'),
      run: run('node', 'rentio', { driver: 'epoll' }),
    },
    { id: 'bun', label: 'Bun (node:fs)', family: 'bun', skip: skipReason(ctx, 'bun'), run: run('bun', 'fs') },
    { id: 'deno', label: 'Deno (node:fs)', family: 'deno', skip: skipReason(ctx, 'deno'), run: run('deno', 'fs') },
    { id: 'fio-uring', label: 'fio io_uring', family: 'ref', skip: skipReason(ctx, 'fio'), run: (k) => fio(ctx, k, pattern, 'io_uring') },
    { id: 'fio-psync', label: 'fio psync (1 in flight)', family: 'ref', skip: skipReason(ctx, 'fio'), run: (k) => fio(ctx, k, pattern, 'psync') },
  ];
}

function fileResult(r, kase) {
  const per = (x) => (r.ops ? x / r.ops : NaN);
  const extra = {
    cpu_us_per_op: per(r.cpu_user_us + r.cpu_sys_us),
    sys_share: r.cpu_user_us + r.cpu_sys_us ? r.cpu_sys_us / (r.cpu_user_us + r.cpu_sys_us) : NaN,
  };
  for (const [k, v] of Object.entries(r.counters ?? {}))
    if (['syscalls', 'parks', 'wakeups', 'submits', 'sqesSubmitted'].includes(k)) extra[`${k}_per_op`] = per(v);
  const value = kase.unit === 'MiB/s' ? r.bytes / r.seconds / 2 ** 20 : r.ops / r.seconds;
  return { value, extra, raw: r };
}

async function fio(ctx, kase, pattern, engine) {
  const { file, size } = ctx.data;
  const args = [
    '--name=bench',
    `--filename=${file}`,
    `--size=${size}`,
    `--rw=${pattern === 'seq' ? 'read' : 'randread'}`,
    `--bs=${kase.bs}`,
    `--ioengine=${engine}`,
    `--iodepth=${engine === 'psync' ? 1 : kase.qd}`,
    '--direct=0',
    '--invalidate=0',
    '--norandommap',
    '--randrepeat=1',
    '--time_based',
    `--ramp_time=${ctx.cfg.warmupMs}ms`,
    `--runtime=${ctx.cfg.durationMs}ms`,
    '--output-format=json',
  ];
  const r = await runText(ctx.tools.fio, args, { timeoutMs: 30000 + ctx.cfg.durationMs * 2 });
  const json = r.stdout.slice(r.stdout.indexOf('{'));
  if (r.code !== 0 || !json) throw new Error(`fio failed: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  const job = JSON.parse(json).jobs[0];
  const cpu = (job.usr_cpu + job.sys_cpu) / 100; // share of one core over the run
  const iops = job.read.iops;
  return {
    value: kase.unit === 'MiB/s' ? job.read.bw_bytes / 2 ** 20 : iops,
    extra: { cpu_us_per_op: iops ? (cpu * 1e6) / iops : NaN, sys_share: job.usr_cpu + job.sys_cpu ? job.sys_cpu / (job.usr_cpu + job.sys_cpu) : NaN },
  };
}

export const fileRand = {
  id: 'file-rand',
  title: '4 KiB random reads, page-cached file',
  unit: 'IOPS',
  higher: true,
  baseline: 'node',
  setup(ctx) {
    ctx.data ??= dataFile(ctx);
  },
  describe: (ctx) =>
    `${ctx.cfg.fileSize / 2 ** 20} MiB file, same seeded offsets for every contender; ${ctx.cfg.warmupMs} ms warm-up then ${ctx.cfg.durationMs} ms measured`,
  cases: (ctx) =>
    ctx.cfg.fileQDs.map((qd) => ({
      id: `qd${qd}`,
      label: `QD ${qd}`,
      qd,
      bs: 4096,
      unit: 'IOPS',
      reps: qd === 1 || qd === 64 ? ctx.cfg.targetReps : undefined,
    })),
  contenders: (ctx) => fileContenders(ctx, 'rand'),
};

export const fileSeq = {
  id: 'file-seq',
  title: 'Sequential 128 KiB reads, page-cached file',
  unit: 'MiB/s',
  higher: true,
  baseline: 'node',
  setup(ctx) {
    ctx.data ??= dataFile(ctx);
  },
  describe: (ctx) => `${ctx.cfg.fileSize / 2 ** 20} MiB file read front to back (wrapping), one read in flight`,
  cases: () => [{ id: 'qd1', label: '128 KiB, QD 1', qd: 1, bs: 131072, unit: 'MiB/s' }],
  contenders: (ctx) => fileContenders(ctx, 'seq'),
};
