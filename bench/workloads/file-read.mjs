/**
 * File read workload: `--impl fs` (node:fs/promises FileHandle.read; runs unchanged under Node,
 * Bun and Deno — each runtime's own implementation of that API) or `--impl rentio --driver
 * uring|epoll` (File.read renting one buffer per lane).
 *
 * --file PATH --size BYTES --bs 4096 --qd 64 --pattern rand|seq --warmup MS --duration MS [--count N]
 * Prints {"ops","seconds","bytes","cpu_user_us","cpu_sys_us","counters"}.
 * @module
 */
import { emit, fail, measure, numericStats, parseArgs, randomOffsets } from './common.mjs';

const a = parseArgs();
const bs = a.bs ?? 4096;
const qd = a.qd ?? 1;
const size = a.size;
const seq = a.pattern === 'seq';
const offsets = randomOffsets(size, bs);
const mask = offsets.length - 1;
const blocks = Math.floor(size / bs);

// Sequential lanes each walk their own stripe of the file, wrapping at the end.
const cursor = Array.from({ length: qd }, (_, l) => Math.floor((blocks * l) / qd));
const next = seq
  ? (l) => {
      const b = cursor[l];
      cursor[l] = (b + 1) % blocks;
      return b * bs;
    }
  : (() => {
      const k = Array.from({ length: qd }, (_, l) => l * 997);
      return (l) => offsets[k[l]++ & mask];
    })();

async function main() {
  if (a.impl === 'fs') {
    const { open } = await import('node:fs/promises');
    const { Buffer } = await import('node:buffer');
    const fh = await open(a.file, 'r');
    const bufs = Array.from({ length: qd }, () => Buffer.allocUnsafe(bs));
    const r = await measure({
      lanes: qd,
      warmup: a.warmup,
      duration: a.duration,
      count: a.count,
      op: async (l) => {
        const { bytesRead } = await fh.read(bufs[l], 0, bs, next(l));
        if (bytesRead !== bs) throw new Error(`short read: ${bytesRead}`);
      },
    });
    await fh.close();
    return r;
  }
  if (a.impl === 'rentio') {
    const { createRuntime, alloc } = await import('@rentio/core');
    const rt = await createRuntime({ driver: a.driver });
    const f = await rt.open(a.file, 'r');
    const bufs = Array.from({ length: qd }, () => alloc(bs));
    const r = await measure({
      lanes: qd,
      warmup: a.warmup,
      duration: a.duration,
      count: a.count,
      snapshot: () => numericStats(rt.stats()),
      op: async (l) => {
        // The buffer is rented: the lane's old handle is detached; keep the one handed back.
        const [n, buf] = await f.read(bufs[l], { position: next(l) });
        bufs[l] = buf;
        if (n !== bs) throw new Error(`short read: ${n}`);
      },
    });
    await f.close();
    await rt.close();
    return r;
  }
  throw new Error(`unknown --impl ${a.impl}`);
}

main().then((r) => emit({ ...r, bytes: r.ops * bs }), fail);
