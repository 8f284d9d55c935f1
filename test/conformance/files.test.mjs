// Files: read/write (positional, current position, append), stat, sync, truncate,
// readFile/writeFile sizes, and the Node-style error shapes.
import t from 'tap';
import { writeFileSync, readFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { alloc, own } from '@rentio/core';
import { DRIVERS, eachDriver, unavailable } from '../helpers/drivers.mjs';
import { CANNOT_EVICT, partlyCachedFile } from '../helpers/page-cache.mjs';
import { addressOf, random, runNode, sha256, tmpDir } from '../helpers/util.mjs';

await eachDriver(t, 'positional read and write hand the same memory back', async (t, rt) => {
  const path = join(tmpDir(t), 'a');
  writeFileSync(path, 'hello, rentio world');
  const f = await rt.open(path, 'r+');
  const buf = alloc(6);
  const addr = addressOf(buf);
  const p = f.read(buf, { position: 7 });
  t.equal(buf.byteLength, 0, 'caller buffer is detached while the op owns it');
  const [n, back] = await p;
  t.equal(n, 6);
  t.equal(Buffer.from(back).toString(), 'rentio');
  t.equal(addressOf(back), addr, 'the same memory is handed back');
  const [m, back2] = await f.write(own('RENTIO'), { position: 7 });
  t.equal(m, 6);
  t.equal(back2.byteLength, 6);
  await f.close();
  t.equal(readFileSync(path, 'utf8'), 'hello, RENTIO world');
});

await eachDriver(t, 'windows and the current position', async (t, rt) => {
  const path = join(tmpDir(t), 'b');
  writeFileSync(path, '0123456789');
  const f = await rt.open(path, 'r');
  const buf = alloc(8).fill(0x2e);
  const [n1, b1] = await f.read(buf, { offset: 2, length: 3 });
  t.equal(n1, 3);
  t.equal(Buffer.from(b1).toString(), '..012...', 'only the window is written');
  const [n2, b2] = await f.read(b1, { offset: 0, length: 4 });
  t.equal(n2, 4, 'current position advanced');
  t.equal(Buffer.from(b2.subarray(0, 4)).toString(), '3456');
  const [n3] = await f.read(alloc(10), { position: 100 });
  t.equal(n3, 0, 'reading past EOF gives 0');
  await f.close();
});

await eachDriver(t, 'append mode writes at the end', async (t, rt) => {
  const path = join(tmpDir(t), 'c');
  writeFileSync(path, 'abc');
  const f = await rt.open(path, 'a');
  await f.writeAll(own('def'));
  await f.writeAll(own('ghi'));
  await f.close();
  t.equal(readFileSync(path, 'utf8'), 'abcdefghi');
});

await eachDriver(t, 'stat, sync, datasync, truncate', async (t, rt) => {
  const dir = tmpDir(t);
  const path = join(dir, 'd');
  const f = await rt.open(path, 'w+', 0o640);
  await f.writeAll(own('x'.repeat(1000)), { position: 0 });
  await f.sync();
  await f.datasync();
  let st = await f.stat();
  t.equal(st.size, 1000);
  t.ok(st.isFile());
  t.notOk(st.isDirectory());
  t.equal(st.mode & 0o777, 0o640);
  t.ok(st.mtimeMs > Date.now() - 60_000 && st.mtimeMs < Date.now() + 60_000, 'mtime is now');
  t.ok(st.mtime instanceof Date);
  await f.truncate(10);
  st = await f.stat();
  t.equal(st.size, 10);
  await f.truncate(5n * 2n ** 32n);
  t.equal((await f.stat()).size, 5 * 2 ** 32, 'sparse extension past 2^32');
  const [n, b] = await f.read(alloc(4), { position: 2n ** 33n });
  t.equal(n, 4, 'read in the hole at a position past 2^32');
  t.same([...b], [0, 0, 0, 0]);
  await f.close();
  const dirFile = await rt.open(dir, 'r');
  t.ok((await dirFile.stat()).isDirectory());
  await dirFile.close();
});

await eachDriver(t, 'readFile/writeFile of 0 B, 1 B and 8 MiB', async (t, rt) => {
  const dir = tmpDir(t);
  for (const size of [0, 1, 8 * 1024 * 1024]) {
    const path = join(dir, `f${size}`);
    const data = random(size);
    const digest = sha256(data);
    const back = await rt.writeFile(path, data);
    t.equal(back.byteLength, size, `writeFile hands ${size} B back`);
    t.equal(sha256(readFileSync(path)), digest, `${size} B on disk`);
    const read = await rt.readFile(path);
    t.equal(read.byteLength, size);
    t.equal(sha256(read), digest, `${size} B read back`);
  }
  await rt.writeFile(join(dir, 's'), 'a string');
  t.equal(readFileSync(join(dir, 's'), 'utf8'), 'a string');
  const proc = await rt.readFile('/proc/self/status');
  t.match(Buffer.from(proc).toString(), /^Name:/, 'files reporting size 0 are read to EOF');
});

await eachDriver(t, 'ENOENT, EISDIR, EEXIST shapes', async (t, rt) => {
  const dir = tmpDir(t);
  const missing = join(dir, 'missing');
  const e1 = await rt.open(missing).catch((e) => e);
  t.match(e1, { code: 'ENOENT', errno: -2, syscall: 'open', path: missing });
  t.equal(e1.message, `ENOENT: no such file or directory, open '${missing}'`);
  const e2 = await rt.open(dir, 'w').catch((e) => e);
  t.match(e2, { code: 'EISDIR', errno: -21, syscall: 'open', path: dir });
  const e3 = await rt.readFile(missing).catch((e) => e);
  t.match(e3, { code: 'ENOENT' });
  writeFileSync(join(dir, 'x'), '');
  const e4 = await rt.open(join(dir, 'x'), 'wx').catch((e) => e);
  t.match(e4, { code: 'EEXIST', syscall: 'open' });
  const f = await rt.open(join(dir, 'x'), 'r');
  const e5 = await f.write(own('no')).catch((e) => e);
  t.match(e5, { code: 'EBADF', syscall: 'write' });
  t.equal(e5.buf.byteLength, 2, 'a failed op hands its buffer back as err.buf');
  await f.close();
});

t.test('EACCES shape (as an unprivileged user)', async (t) => {
  const dir = tmpDir(t);
  const secret = join(dir, 'secret');
  writeFileSync(secret, 'no');
  chmodSync(secret, 0o600);
  chmodSync(dir, 0o755);
  const root = process.getuid() === 0;
  for (const driver of DRIVERS) {
    if (await unavailable(driver)) continue;
    // As root, the child drops to nobody. Everything it loads from the repo (which nobody may not
    // be allowed to read) is loaded first: the driver module, and for epoll its file worker
    // (started by a first file op). A uring ring is made after the drop: io_uring ops run with
    // the ring creator's credentials, and the driver refuses a ring older than a uid change.
    const r = await runNode(`
      const { createRuntime } = await import('@rentio/core');
      const early = await createRuntime({ driver: ${JSON.stringify(driver)} });
      await early.readFile('/etc/hostname');
      const keep = ${JSON.stringify(driver)} === 'epoll';
      if (!keep) await early.close();
      ${root ? 'process.setgid(65534); process.setuid(65534);' : `(await import('node:fs')).chmodSync(${JSON.stringify(secret)}, 0);`}
      const rt = keep ? early : await createRuntime({ driver: ${JSON.stringify(driver)} });
      const e = await rt.open(${JSON.stringify(secret)}).catch((e) => e);
      console.log(JSON.stringify({ code: e.code, errno: e.errno, syscall: e.syscall, path: e.path }));
      await rt.close();`);
    t.equal(r.code, 0, `${driver}: child ran (${r.stderr})`);
    t.same(JSON.parse(r.stdout || '{}'), { code: 'EACCES', errno: -13, syscall: 'open', path: secret }, `${driver}: EACCES shape`);
  }
});

// A read whose window is only partly in the page cache returns the whole window (short only at
// EOF), at a position and at the file's own position: what uring's READ and a blocking pread give.
// Under epoll this is the page-cache try (RWF_NOWAIT) stopping at the first evicted page, the
// rest read by a file thread (driver-epoll's partial-reads.ts).
await eachDriver(t, 'a window only partly cached is read whole; short only at EOF', async (t, rt) => {
  const { path, data, evictSecondHalf } = partlyCachedFile(t);
  const size = data.byteLength;
  if (!(await evictSecondHalf())) return t.skip(CANNOT_EVICT);
  const f = await rt.open(path, 'r');
  const [n, buf] = await f.read(alloc(size), { position: 0 });
  t.equal(n, size, 'at a position: every byte of the window');
  t.equal(sha256(buf), sha256(data), 'the bytes are the file’s');
  if (!(await evictSecondHalf())) return t.skip(CANNOT_EVICT);
  const [m, buf2] = await f.read(alloc(size + 100)); // the file's position: from 0
  t.equal(m, size, 'at the file’s own position: the whole file, short only by EOF');
  t.equal(sha256(buf2.subarray(0, m)), sha256(data));
  const [eof] = await f.read(alloc(10));
  t.equal(eof, 0, 'the file position moved past every byte read');
  await f.close();
});
