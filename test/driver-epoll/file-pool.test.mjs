// The epoll driver's native file pool (packages/core/native/file-pool.c through
// @rentio/core/file-calls): every file call a job can name runs on the pool's threads with the
// results the same call gives on this thread; a queued job can be cancelled, a running one not;
// threads stay within the cap; misuse throws; and a worker_threads worker holding a pool with a
// job blocked in the kernel can be stopped without waiting for that job.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { closeSync, constants as fsc, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import koffi from 'koffi';
import { FileCall, loadFileCalls, loadFilePool } from '@rentio/core/file-calls';
import { runNode } from '../helpers/util.mjs';

const { EBADF, ECANCELED, EINVAL, ENOENT } = constants.errno;
const AT_FDCWD = -100;
const calls = loadFileCalls();
const pool = loadFilePool();
const dir = mkdtempSync(join(tmpdir(), 'rentio-file-pool-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const cstr = (s) => new Uint8Array(Buffer.from(`${s}\0`));
const addr = (b) => Number(koffi.address(b));
// The pool's threads, by the name the pool gives them (file-pool.c's THREAD_NAME): Node's own
// threads (all named "node" on Node 20) start when they like, so counting every thread of the
// process would count them too.
const threadsOf = () =>
  readdirSync('/proc/self/task').filter((tid) => {
    try {
      return readFileSync('/proc/self/task/' + tid + '/comm', 'utf8').trim() === 'rentio-file';
    } catch {
      return false; // the thread ended while we looked
    }
  }).length;

/**
 * The pool's thread count once it reaches `want`, or after 2 s. A joined thread can still be
 * listed for a moment: the kernel wakes its joiner (clearing the tid futex) before it reaps the
 * thread, and under load the reaping can trail the join.
 */
async function threadsSettledAt(want) {
  for (let i = 0; i < 200 && threadsOf() !== want; i++) await sleep(10);
  return threadsOf();
}
const eventfds = () =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:[eventfd]';
    } catch {
      return false;
    }
  }).length;

/** Submit one job: [id, result] once reaped (reaping by polling: the test has no epoll loop). */
function job(h, id, call, { fd = -1, a = 0, len = 0, pos = -1, flags = 0, mode = 0, a2 = 0 } = {}) {
  const r = pool.poolSubmit(h, id, call, fd, a, len, pos, flags, mode, a2);
  if (r < 0) throw new Error(`submit: ${r}`);
}
async function reapAll(h, n) {
  const out = new Float64Array(2048);
  const got = new Map();
  while (got.size < n) {
    const k = pool.poolReap(h, out);
    for (let i = 0; i < k; i++) got.set(out[2 * i], out[2 * i + 1]);
    if (got.size < n) await sleep(1);
  }
  return got;
}

t.test('the addon is built here and has the pool', async (t) => {
  t.ok(pool, 'loadFilePool() found it');
});

t.test('every file call runs on the pool with the results it gives on this thread', async (t) => {
  const h = pool.poolOpen(2);
  const path = join(dir, 'diff.txt');
  const p = cstr(path);
  const missing = cstr(join(dir, 'missing'));
  job(h, 0, FileCall.OPENAT, { a2: addr(p), flags: fsc.O_RDWR | fsc.O_CREAT | fsc.O_TRUNC, mode: 0o600 });
  job(h, 1, FileCall.OPENAT, { a2: addr(missing) });
  job(h, 2, 99 /* no such call */);
  job(h, 3, FileCall.FSYNC, { fd: -1 });
  let r = await reapAll(h, 4);
  const fd = r.get(0);
  t.ok(fd >= 0, `openat made the file (fd ${fd})`);
  t.equal(r.get(1), -ENOENT, 'openat of a missing path: -ENOENT, as on this thread');
  t.equal(calls.openat(AT_FDCWD, addr(missing), 0, 0), -ENOENT);
  t.equal(r.get(2), -EINVAL, 'an unknown call: -EINVAL, never run as another');
  t.equal(r.get(3), -EBADF, 'fsync(-1): -EBADF');

  const data = new Uint8Array(Buffer.from('rentio native pool'));
  const tail = new Uint8Array(Buffer.from('!'));
  job(h, 4, FileCall.WRITE, { fd, a: addr(data), len: data.length, pos: 0 });
  await reapAll(h, 1);
  // writev at the file's offset (pos -1): iovecs built as the driver builds them.
  const iov = Buffer.alloc(16);
  iov.writeBigUInt64LE(BigInt(addr(tail)), 0);
  iov.writeBigUInt64LE(1n, 8);
  job(h, 5, FileCall.WRITEV, { fd, a: addr(iov), len: 1, pos: data.length });
  const back = Buffer.alloc(64);
  r = await reapAll(h, 1);
  t.equal(r.get(5), 1, 'pwritev wrote one byte');
  job(h, 6, FileCall.READ, { fd, a: addr(back), len: back.length, pos: 0 });
  r = await reapAll(h, 1);
  t.equal(r.get(6), data.length + 1, 'pread read it all back');
  t.equal(back.toString('utf8', 0, r.get(6)), 'rentio native pool!');
  t.equal(readFileSync(path, 'utf8'), 'rentio native pool!', 'node:fs agrees');
  job(h, 7, FileCall.FTRUNCATE, { fd, pos: 6 });
  job(h, 8, FileCall.FSYNC, { fd, flags: 1 /* fdatasync */ });
  job(h, 9, FileCall.CHMOD, { a2: addr(p), mode: 0o640 });
  r = await reapAll(h, 3);
  t.same([r.get(7), r.get(8), r.get(9)], [0, 0, 0], 'ftruncate, fdatasync, fchmodat: 0');
  t.equal(readFileSync(path, 'utf8'), 'rentio', 'truncated to 6 bytes');
  const statx = Buffer.alloc(256);
  const empty = cstr('');
  job(h, 10, FileCall.STATX, { fd, a2: addr(empty), flags: 0x1000 /* AT_EMPTY_PATH */, mode: 0x7ff, a: addr(statx) });
  r = await reapAll(h, 1);
  t.equal(r.get(10), 0, 'statx: 0');
  t.equal(Number(statx.readBigUInt64LE(40)), 6, 'stx_size (offset 40) is 6');
  job(h, 11, FileCall.UNLINK, { a2: addr(p) });
  job(h, 12, FileCall.UNLINK, { a2: addr(p) });
  r = await reapAll(h, 2);
  t.same([...r.values()].sort(), [-ENOENT, 0], 'unlinkat once, then -ENOENT');
  calls.fsync(fd) === 0 && closeSync(fd);
  t.ok(pool.poolSyscalls(h) >= 13, `the threads counted their calls (${pool.poolSyscalls(h)})`);
  pool.poolClose(h);
  pool.poolClose(h); // idempotent
});

t.test('a queued job is cancelled, a running one completes; threads stay within the cap', async (t) => {
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const f = cstr(fifo);
  const h = pool.poolOpen(1);
  const threads = threadsOf();
  // openat(O_RDONLY) of a FIFO blocks until a writer opens it: the one thread is held.
  job(h, 0, FileCall.OPENAT, { a2: addr(f), flags: fsc.O_RDONLY });
  job(h, 1, FileCall.OPENAT, { a2: addr(f), flags: fsc.O_RDONLY });
  job(h, 2, FileCall.FSYNC, { fd: -1 });
  t.equal(pool.poolThreads(h), 1, 'one thread: the cap');
  t.equal(threadsOf(), threads + 1, 'one more thread in the process');
  t.equal(pool.poolCancel(h, 2), true, 'the job behind the blocked ones is cancelled');
  t.equal(pool.poolCancel(h, 2), false, 'a cancelled job cannot be cancelled again');
  // The writer's open lets job 0 (running) return; job 1 then opens a FIFO that has a writer.
  const w = openSync(fifo, fsc.O_WRONLY);
  const r = await reapAll(h, 3);
  t.equal(r.get(2), -ECANCELED, 'the queued job: -ECANCELED');
  t.ok(r.get(0) >= 0 && r.get(1) >= 0, 'the running job and the next one opened the FIFO');
  closeSync(r.get(0));
  closeSync(r.get(1));
  closeSync(w);
  pool.poolClose(h);
  t.equal(await threadsSettledAt(threads), threads, 'the thread was joined');
});

t.test('misuse throws a clear error', async (t) => {
  const h = pool.poolOpen(1);
  t.throws(() => pool.poolSubmit(h, 1024, FileCall.FSYNC, -1, 0, 0, -1, 0, 0, 0), { code: 'ERR_OUT_OF_RANGE' }, 'id out of range');
  job(h, 5, FileCall.FSYNC, { fd: -1 });
  let inUse;
  try {
    pool.poolSubmit(h, 5, FileCall.FSYNC, -1, 0, 0, -1, 0, 0, 0);
  } catch (err) {
    inUse = err;
  }
  await reapAll(h, 1);
  t.equal(inUse?.code ?? 'ok (already reaped)', inUse ? 'ERR_RENTIO_INTERNAL' : 'ok (already reaped)', 'an id in use is refused');
  t.throws(() => pool.poolReap(h, new Int32Array(4)), { code: 'ERR_INVALID_ARG_TYPE' }, 'reap needs a Float64Array');
  t.throws(() => pool.poolSubmit({}, 0, 1, 0, 0, 0, 0, 0, 0, 0), { code: 'ERR_INVALID_ARG_TYPE' }, 'not a pool');
  pool.poolClose(h);
  t.throws(() => pool.poolSubmit(h, 0, FileCall.FSYNC, -1, 0, 0, -1, 0, 0, 0), { code: 'ERR_RENTIO_CLOSED' }, 'a closed pool');
});

t.test('opening and closing pools leaves no thread and no eventfd', async (t) => {
  const threads = threadsOf();
  const fds = eventfds();
  for (let i = 0; i < 200; i++) {
    const h = pool.poolOpen(4);
    for (let id = 0; id < 8; id++) job(h, id, FileCall.FSYNC, { fd: -1 });
    await reapAll(h, 8);
    pool.poolClose(h);
  }
  t.equal(await threadsSettledAt(threads), threads, 'threads back to the start count');
  t.equal(eventfds(), fds, 'eventfds back to the start count');
});

t.test('a worker stopped with a pool thread blocked in the kernel: the process lives on, that thread keeps only its eventfd', async (t) => {
  const fifo = join(dir, 'fifo-worker');
  execFileSync('mkfifo', [fifo]);
  const worker = `
    import { parentPort } from 'node:worker_threads';
    import { createRuntime, alloc } from '@rentio/core';
    const rt = await createRuntime({ driver: 'epoll' });
    const f = await rt.open(${JSON.stringify(join(dir, 'x.txt'))}, 'w');
    await f.write(alloc(4096));
    rt.open(${JSON.stringify(fifo)}, 'r').catch(() => {}); // blocks a pool thread: no writer ever
    // Say busy only once a thread is inside openat: a job still queued at teardown is dropped,
    // not blocked, and the test would measure nothing.
    const { readdirSync, readFileSync } = await import('node:fs');
    const OPENAT = String({ x64: 257, arm64: 56 }[process.arch]);
    const inOpenat = () => readdirSync('/proc/self/task').some((tid) => {
      try { return readFileSync('/proc/self/task/' + tid + '/syscall', 'utf8').split(' ')[0] === OPENAT; } catch { return false; }
    });
    for (let i = 0; i < 1000 && !inOpenat(); i++) await new Promise((r) => setTimeout(r, 5));
    parentPort.postMessage('busy');`;
  const r = await runNode(`
    import { Worker } from 'node:worker_threads';
    import { readdirSync, readlinkSync } from 'node:fs';
    const eventfds = () => readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync('/proc/self/fd/' + fd) === 'anon_inode:[eventfd]'; } catch { return false; } }).length;
    const before = eventfds();
    const w = new Worker(${JSON.stringify(worker)}, { eval: true, type: 'module' });
    await new Promise((r) => w.once('message', r));
    await w.terminate();
    console.log(JSON.stringify({ stopped: true, before, after: eventfds() }));`);
  t.equal(r.code, 0, `exit 0 ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1));
  t.ok(out.stopped, 'terminate() returned: the blocked thread was left, not waited for');
  // The blocked thread keeps its pool's eventfd (it writes it when its call returns): one left.
  t.equal(out.after, out.before + 1, "only the blocked thread's eventfd is left");
});
