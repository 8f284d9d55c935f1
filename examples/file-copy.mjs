// Copy a file with a progress line, on the driver RENTIO_DRIVER picks (uring | epoll | auto).
//
//   node examples/file-copy.mjs SRC DST [--block 131072] [--depth 4]
//   node examples/file-copy.mjs            copies a generated 64 MiB file (4 MiB with --quick)
//                                          and checks the copy is byte-exact
//
// `depth` copiers run at once, each owning one buffer that it lends to a read, gets back filled,
// lends to a write at the same position, and gets back again. Positioned I/O needs no shared
// file offset, so the copiers never wait on each other; under uring their reads and writes from
// one event-loop turn go to the kernel in one submit, under epoll they run on the file workers.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alloc } from '@rentio/core';
import { arg, bytes, fmt, now, positionals, quick, runtimeFromEnv, since } from './lib/util.mjs';

const [srcArg, dstArg] = positionals(['block', 'depth']);
const block = Number(arg('block', String(128 * 1024)));
const depth = Number(arg('depth', '4'));

let src = srcArg;
let dst = dstArg;
let scratch = null;
if (!src || !dst) {
  scratch = mkdtempSync(join(tmpdir(), 'rentio-copy-'));
  src = join(scratch, 'src.bin');
  dst = join(scratch, 'dst.bin');
  writeFileSync(src, randomBytes((quick ? 4 : 64) * 1024 * 1024));
}

const rt = await runtimeFromEnv();
const from = await rt.open(src, 'r');
const to = await rt.open(dst, 'w');
const size = (await from.stat()).size;
await to.truncate(size);

// A progress line: rewritten in place on a terminal, a line per quarter otherwise (logs, CI).
let copied = 0;
let shownQuarter = -1;
const t0 = now();
function progress(final = false) {
  const pct = size === 0 ? 100 : (copied / size) * 100;
  const mibps = copied / 1048576 / Math.max(since(t0) / 1000, 1e-9);
  const text = `copy: ${bytes(copied)} / ${bytes(size)} (${pct.toFixed(0)}%) ${fmt(mibps)} MiB/s`;
  if (process.stdout.isTTY) process.stdout.write(`\r${text}${final ? '\n' : ''}`);
  else if (Math.floor(pct / 25) > shownQuarter) {
    shownQuarter = Math.floor(pct / 25);
    console.log(text);
  }
}
const ticker = setInterval(progress, 100);
// The ticker must not keep the process alive: the pending ops do that, and only while pending.
ticker.unref();

let next = 0;
async function copier() {
  let buf = alloc(block);
  while (next < size) {
    const pos = next;
    next += block;
    let done = 0;
    const want = Math.min(block, size - pos);
    while (done < want) {
      const [n, b] = await from.read(buf, { position: pos + done, offset: done, length: want - done });
      buf = b;
      if (n === 0) throw new Error(`${src} shrank while copying`);
      done += n;
    }
    buf = await to.writeAll(buf, { position: pos, length: want });
    copied += want;
    if (!process.stdout.isTTY) progress();
  }
}
await Promise.all(Array.from({ length: depth }, copier));
clearInterval(ticker);
progress(true);
await Promise.all([from.close(), to.close()]);

const ms = since(t0);
const st = rt.stats();
const threads = st.fileThreads !== undefined ? `, file threads ${st.fileThreads}` : '';
console.log(
  `copied ${fmt(size)} bytes in ${ms.toFixed(1)} ms, ${depth} blocks of ${block / 1024} KiB in flight; ops ${st.completed}, syscalls ${st.syscalls}, wakeups ${st.wakeups}${threads}`,
);
await rt.close();

if (scratch) {
  const same = createHash('sha256').update(readFileSync(src)).digest('hex') === createHash('sha256').update(readFileSync(dst)).digest('hex');
  rmSync(scratch, { recursive: true, force: true });
  console.log(`byte-exact: ${same}`);
  if (!same) process.exit(1);
}
