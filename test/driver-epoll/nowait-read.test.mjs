// Page-cache reads under epoll complete on the main thread (preadv2 with RWF_NOWAIT, ops.ts's
// READ `nowait`): one syscall per read and no file-thread round trip, at a given position and at
// the file's own position alike; past INLINE_BUDGET in one loop turn, reads go to the file
// threads (loop-fairness.test.mjs checks the loop still turns), with the same bytes.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alloc, createRuntime } from '@rentio/core';
import { tmpDir } from '../helpers/util.mjs';

const PAGE = 4096;

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

t.test('a file system without RWF_NOWAIT (procfs: EOPNOTSUPP) is tried once per fd, then read by the threads', async (t) => {
  const rt = await createRuntime({ driver: 'epoll' });
  t.teardown(() => rt.close());
  const f = await rt.open('/proc/self/stat', 'r');
  let buf = alloc(PAGE);
  const read = async () => {
    const before = rt.stats().syscalls;
    let n;
    [n, buf] = await f.read(buf, { position: 0 });
    t.ok(n > 0 && /^\d+ \(/.test(Buffer.from(buf.subarray(0, n)).toString()), 'a /proc/self/stat line');
    return rt.stats().syscalls - before;
  };
  const first = await read();
  const later = [];
  for (let i = 0; i < 5; i++) later.push(await read());
  // The first read classifies the fd (statx) and makes the one nowait try; every later read
  // costs only the file threads' round trip, the same each time.
  t.same(new Set(later).size, 1, `every later read the same cost (${later})`);
  t.equal(first - later[0], 2, `first read ${first} syscalls = a later read's ${later[0]} + statx + one nowait try`);
  await f.close();
});
