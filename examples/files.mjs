// Regular files under each model: readiness cannot wait for them, completion can.
//
//   node examples/files.mjs [--quick] [--seconds 1]
//
// epoll only reports readiness for files that implement poll; a regular file does not (its data
// is always "ready", yet a read may block on the disk), so epoll_ctl refuses it with EPERM. A
// readiness runtime therefore has to hand file I/O to blocking threads — libuv, tokio and
// rentio's epoll driver all keep a pool. io_uring takes the read itself: served from the page
// cache inline, or by the kernel's own io-wq workers when it would block. This example shows the
// EPERM, then runs the same 4 KiB random reads at queue depth 32 on both drivers and counts the
// threads each one used.
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as osConstants } from 'node:os';
import koffi from 'koffi';
import { alloc } from '@rentio/core';
import { arg, closeAll, fmt, now, openBoth, quick, since, table } from './lib/util.mjs';

const SECONDS = Number(arg('seconds', quick ? '0.25' : '1'));
const DEPTH = 32;
const FILE_SIZE = (quick ? 16 : 64) * 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'rentio-files-'));
const path = join(dir, 'data.bin');
writeFileSync(path, randomBytes(FILE_SIZE));
readFileSync(path); // page-cached: the figures compare the models, not the disk

// --- 1. epoll_ctl on a regular file, straight through libc ---
const libc = koffi.load('libc.so.6');
const epoll_create1 = libc.func('int epoll_create1(int flags)');
const epoll_ctl = libc.func('int epoll_ctl(int epfd, int op, int fd, void *event)');
const pipe = libc.func('int pipe(void *fds)');
const close = libc.func('int close(int fd)');
const EPOLL_CTL_ADD = 1;
const EPOLLIN = 0x001;
const errname = (e) => Object.entries(osConstants.errno).find(([, v]) => v === e)?.[0] ?? `errno ${e}`;

const epfd = epoll_create1(0);
// struct epoll_event is packed on x86-64: u32 events, then u64 data — 12 bytes.
const ev = new Uint8Array(12);
new DataView(ev.buffer).setUint32(0, EPOLLIN, true);
const fileFd = openSync(path, 'r');
const r1 = epoll_ctl(epfd, EPOLL_CTL_ADD, fileFd, ev);
const e1 = r1 < 0 ? koffi.errno() : 0;
const fds = new Int32Array(2);
pipe(fds);
const r2 = epoll_ctl(epfd, EPOLL_CTL_ADD, fds[0], ev);
const e2 = r2 < 0 ? koffi.errno() : 0;
console.log(
  `epoll_ctl(EPOLL_CTL_ADD, regular file fd ${fileFd}, EPOLLIN) = ${r1}${r1 < 0 ? ` ${errname(e1)}` : ''}  <- a regular file cannot be polled`,
);
console.log(`epoll_ctl(EPOLL_CTL_ADD, pipe fd ${fds[0]}, EPOLLIN)         = ${r2}${r2 < 0 ? ` ${errname(e2)}` : ''}  <- a pipe can`);
closeSync(fileFd);
close(fds[0]);
close(fds[1]);
close(epfd);

// --- 2. the same reads on both drivers, counting threads ---
function threads() {
  return readdirSync('/proc/self/task');
}
function threadName(tid) {
  try {
    return readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

async function randomReads(rt) {
  const before = new Set(threads());
  const seen = new Set(before);
  // Sample the thread list while the reads run: pools start on demand and stop on close.
  const sampler = setInterval(() => threads().forEach((t) => seen.add(t)), 10);
  const f = await rt.open(path, 'r');
  const blocks = FILE_SIZE / 4096;
  // Warm-up outside the timed window: starting worker threads is a one-time cost per runtime.
  await Promise.all(Array.from({ length: DEPTH }, (_, i) => f.read(alloc(4096), { position: i * 4096 })));
  const s0 = rt.stats();
  const t0 = now();
  const deadline = SECONDS * 1000;
  let reads = 0;
  await Promise.all(
    Array.from({ length: DEPTH }, async () => {
      let buf = alloc(4096);
      // Check the clock every 16 reads: hrtime per read would be a visible part of a 4 KiB read.
      for (let i = 0; ; i++) {
        if ((i & 15) === 0 && since(t0) >= deadline) break;
        const [n, b] = await f.read(buf, { position: Math.floor(Math.random() * blocks) * 4096 });
        if (n !== 4096) throw new Error(`short read: ${n}`);
        buf = b;
        reads++;
      }
    }),
  );
  const ms = since(t0);
  threads().forEach((t) => seen.add(t));
  clearInterval(sampler);
  const s1 = rt.stats();
  await f.close();
  const added = [...seen].filter((t) => !before.has(t));
  const names = [...new Set(added.map(threadName))];
  await rt.close();
  const after = threads().length;
  return {
    reads,
    ms,
    before: before.size,
    during: seen.size,
    added: added.length,
    names,
    after,
    fileThreads: s1.fileThreads,
    syscalls: s1.syscalls - s0.syscalls,
    wakeups: s1.wakeups - s0.wakeups,
  };
}

const drivers = await openBoth();
const rows = [];
for (const d of drivers) {
  if (!d.rt) {
    rows.push([d.name, `skipped: ${d.reason}`]);
    continue;
  }
  const model = d.rt.driver.model;
  const m = await randomReads(d.rt);
  rows.push([
    `${d.name} (${model})`,
    fmt(m.reads),
    fmt(m.reads / (m.ms / 1000)),
    fmt((m.ms * 1000 * DEPTH) / m.reads, 1),
    m.before,
    m.during,
    m.added === 0 ? '0' : `${m.added} (${m.names.join(', ')})`,
    m.fileThreads ?? 0,
    m.after,
    fmt(m.syscalls / m.reads, 2),
  ]);
}
rmSync(dir, { recursive: true, force: true });

console.log(`\n4 KiB random reads, queue depth ${DEPTH}, ${SECONDS} s per driver, page-cached ${FILE_SIZE / 1048576} MiB file (measured):`);
table(
  [
    'driver',
    'reads',
    'reads/s',
    'µs per read (latency)',
    'threads before',
    'threads during',
    'threads added',
    'stats.fileThreads',
    'threads after close',
    'syscalls per read',
  ],
  rows,
);
console.log(`
Threads are this process's tasks in /proc/self/task (Node itself runs ~10: V8 workers, libuv).
epoll: the reads ran as blocking preads on the driver's worker threads (started on the first
  file op, stopped when the runtime closes), each result handed back through an eventfd.
uring: no thread added — page-cached reads complete inside io_uring_enter; a read that had to
  block would run on the kernel's io-wq workers (shown as iou-wrk-* threads), not on a pool of ours.`);
await closeAll(drivers);
