// Page-cache reads under epoll complete on the main thread (preadv2 with RWF_NOWAIT, ops.ts's
// READ `nowait`): one syscall per read and no file-thread round trip, at a given position and at
// the file's own position alike; past INLINE_BUDGET in one loop turn, reads go to the file
// threads (loop-fairness.test.mjs checks the loop still turns), with the same bytes.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants } from 'node:os';
import { alloc, createRuntime } from '@rentio/core';
import { OpCode } from '@rentio/core/driver';
import { FaultPlan, setFaultPlan } from '@rentio/core/testing';
import { CANNOT_EVICT, partlyCachedFile } from '../helpers/page-cache.mjs';
import { tmpDir } from '../helpers/util.mjs';

const PAGE = 4096;
const { EAGAIN } = constants.errno;

function pattern(pages) {
  const b = Buffer.alloc(pages * PAGE);
  for (let i = 0; i < pages; i++) b.fill((i % 255) + 1, i * PAGE, (i + 1) * PAGE);
  return b;
}

t.test('a cached read is one syscall on the main thread; position and file position both honoured', async (t) => {
  const path = join(tmpDir(t), 'cached');
  writeFileSync(path, pattern(16)); // just written: in the page cache
  const rt = await createRuntime({ driver: 'epoll' });
  t.teardown(() => rt.close());
  const f = await rt.open(path, 'r');
  let buf = alloc(PAGE);
  // The first I/O on an fd classifies it (pollable or not: one statx); counted from the second.
  [, buf] = await f.read(buf, { position: 0 });
  const before = rt.stats();
  for (let i = 0; i < 16; i++) {
    let n;
    [n, buf] = await f.read(buf, { position: ((i * 7) % 16) * PAGE });
    t.equal(n, PAGE);
    t.equal(buf[0], ((i * 7) % 16) + 1, `page ${(i * 7) % 16}`);
  }
  const after = rt.stats();
  t.equal(after.syscalls - before.syscalls, 16, 'one syscall per read');
  t.equal(after.wakeups - before.wakeups, 0, 'no file-thread completion woke the loop');
  // No position: reads advance the file's own offset (preadv2's offset -1).
  for (let i = 0; i < 3; i++) {
    let n;
    [n, buf] = await f.read(buf);
    t.equal(n, PAGE);
    t.equal(buf[PAGE - 1], i + 1, `sequential page ${i}`);
  }
  await f.close();
});

t.test('a burst past the in-turn budget still reads every byte right (the rest through the file threads)', async (t) => {
  const path = join(tmpDir(t), 'burst');
  const data = pattern(256);
  writeFileSync(path, data);
  const rt = await createRuntime({ driver: 'epoll' });
  t.teardown(() => rt.close());
  const f = await rt.open(path, 'r');
  const before = rt.stats();
  const reads = await Promise.all(Array.from({ length: 256 }, (_, i) => f.read(alloc(PAGE), { position: i * PAGE })));
  const after = rt.stats();
  reads.forEach(([n, b], i) => {
    if (n !== PAGE || b[0] !== (i % 255) + 1 || b[PAGE - 1] !== (i % 255) + 1) t.fail(`page ${i}: n=${n} first=${b[0]}`);
  });
  t.pass('256 pages, each right');
  t.ok(after.wakeups > before.wakeups, 'reads past the budget completed through the file threads');
  await f.close();
});

/**
 * Counts the READ syscalls the driver makes on the main thread (every one goes through the fault
 * plan's `call` when a plan is set; rate 0 injects nothing). File-thread reads are not counted:
 * what is left is exactly the nowait tries. Counted this way, not by rt.stats().syscalls, whose
 * per-read figure moves by ±1 with where the wake's syscalls fall between two reads.
 */
class ReadSpy extends FaultPlan {
  reads = 0;
  constructor() {
    super(1, { rate: 0 });
  }
  call(syscall, op, host) {
    if (op.code === OpCode.READ) this.reads++;
    return super.call(syscall, op, host);
  }
}

t.test('a file system without RWF_NOWAIT (procfs: EOPNOTSUPP) is tried once per fd, then read by the threads', async (t) => {
  const rt = await createRuntime({ driver: 'epoll' });
  t.teardown(() => rt.close());
  const spy = new ReadSpy();
  setFaultPlan(spy);
  t.teardown(() => setFaultPlan(null));
  const tries = (f) => nowaitTries(t, spy, f);
  const a = await rt.open('/proc/self/stat', 'r');
  const b = await rt.open('/proc/self/stat', 'r');
  t.equal(await tries(a), 1, 'six reads of one fd: one nowait try (the first), then the file threads');
  t.equal(await tries(a), 0, 'that fd is not tried again');
  t.equal(await tries(b), 1, 'another fd on the same file system is tried once of its own');
  const fd = a.fd;
  await a.close();
  const c = await rt.open('/proc/self/stat', 'r');
  t.equal(c.fd, fd, 'the closed fd number is reused');
  t.equal(await tries(c), 1, 'a new file on a reused fd number is tried afresh (the mark went with the close)');
  const path = join(tmpDir(t), 'cached');
  writeFileSync(path, pattern(1));
  const d = await rt.open(path, 'r');
  t.equal(await tries(d), 6, 'a page-cache file: every read is its nowait try, on the main thread');
  await Promise.all([b.close(), c.close(), d.close()]);
});

/** Six reads of `f` at position 0, each checked for bytes; how many of them made a nowait try. */
async function nowaitTries(t, spy, f) {
  const from = spy.reads;
  let buf = alloc(PAGE);
  for (let i = 0; i < 6; i++) {
    let n;
    [n, buf] = await f.read(buf, { position: 0 });
    if (n <= 0) t.fail(`read ${i} of fd ${f.fd}: ${n} bytes`);
  }
  return spy.reads - from;
}

t.test('a short read that ends off a 4 KiB boundary is EOF: one try, no second one', async (t) => {
  const rt = await createRuntime({ driver: 'epoll' });
  t.teardown(() => rt.close());
  const spy = new ReadSpy();
  setFaultPlan(spy);
  t.teardown(() => setFaultPlan(null));
  const path = join(tmpDir(t), 'small');
  writeFileSync(path, Buffer.alloc(100, 7));
  const f = await rt.open(path, 'r');
  await f.read(alloc(PAGE), { position: 0 }); // classifies the fd
  const from = spy.reads;
  const [n, buf] = await f.read(alloc(PAGE), { position: 0 });
  t.equal(n, 100, 'the file’s 100 bytes');
  t.equal(buf[99], 7);
  t.equal(spy.reads - from, 1, 'one nowait try: a gap ends on a page boundary, so byte 100 is the end');
  const [n2] = await f.read(alloc(PAGE), { position: 100 });
  t.equal(n2, 0, 'past the end: 0');
  await f.close();
});

/**
 * A plan that fails every file-thread READ with EIO (rate 0: nothing else injected), and answers
 * every nowait try of a read after its first with EAGAIN, a cache miss. The first try stops at the
 * evicted half and may start readahead there; the driver tries again at once, and a retry that
 * found that readahead done read the whole file on the main thread (seen in CI), leaving nothing
 * for a file thread to fail.
 */
class FailThreadReads extends FaultPlan {
  #tried = new WeakSet();
  constructor() {
    super(1, { rate: 0 });
  }
  call(syscall, op, host) {
    if (op.code !== OpCode.READ) return super.call(syscall, op, host);
    if (this.#tried.has(op)) return -EAGAIN;
    this.#tried.add(op);
    return super.call(syscall, op, host);
  }
  fileResult(op, res) {
    return op.code === OpCode.READ ? -5 : res;
  }
}

t.test('a read the cache covers in part, whose rest then fails: the bytes read win', async (t) => {
  const { path, data, evictSecondHalf } = partlyCachedFile(t);
  if (!(await evictSecondHalf())) return t.skip(CANNOT_EVICT);
  const rt = await createRuntime({ driver: 'epoll' });
  t.teardown(() => rt.close());
  const f = await rt.open(path, 'r');
  setFaultPlan(new FailThreadReads());
  t.teardown(() => setFaultPlan(null));
  const [n, buf] = await f.read(alloc(data.byteLength), { position: 0 });
  t.ok(n > 0 && n < data.byteLength, `resolves with the cached part (${n} bytes), not EIO`);
  t.equal(n % 4096, 0, 'which ends on a page boundary');
  t.same(Buffer.from(buf.subarray(0, n)), Buffer.from(data.subarray(0, n)), 'those bytes are the file’s');
  setFaultPlan(null);
  const [rest, buf2] = await f.read(alloc(data.byteLength - n), { position: n });
  t.equal(rest, data.byteLength - n, 'the rest reads once the fault is gone');
  t.same(Buffer.from(buf2), Buffer.from(data.subarray(n)), 'no byte lost or repeated');
  await f.close();
});
