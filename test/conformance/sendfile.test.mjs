// StreamSocket.sendFile: a file's bytes into a stream socket without a copy through JS (uring:
// splice through a pipe; epoll: sendfile(2)). Byte-exact for whole files, windows and large
// files; short sends resumed; a peer gone mid-way is an error with bytesWritten, and nothing leaks.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alloc } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { fdCount, random, readExactly, readToEnd, sha256, streamPair, tmpDir } from '../helpers/util.mjs';

function fixture(t, size) {
  const data = random(size);
  const path = join(tmpDir(t), 'f.bin');
  writeFileSync(path, data);
  return [path, data];
}

await eachDriver(t, 'a 64 MiB file arrives byte-exact (sha256)', async (t, rt) => {
  const [path, data] = fixture(t, 64 << 20);
  const [c, s, l] = await streamPair(rt);
  const f = await rt.open(path);
  const received = readToEnd(c, 1 << 20);
  const sent = await s.sendFile(f);
  await s.shutdown();
  t.equal(sent, data.byteLength, 'resolves the bytes sent');
  const got = await received;
  t.equal(got.length, data.byteLength);
  t.equal(sha256(got), sha256(data), 'sha256 matches');
  t.equal(rt.stats().inFlight, 0);
  await Promise.all([f.close(), c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'position and length select a window; past the end it stops at EOF', async (t, rt) => {
  const [path, data] = fixture(t, 3_000_001);
  const [c, s, l] = await streamPair(rt);
  const f = await rt.open(path);
  for (const [position, length] of [
    [0, 1],
    [12345, 1_000_000],
    [2_999_000, 1000],
    [7, 2_000_003],
  ]) {
    const got = readExactly(c, length);
    t.equal(await s.sendFile(f, { position, length }), length, `${position}+${length}`);
    t.equal(sha256(await got), sha256(data.subarray(position, position + length)), `bytes of ${position}+${length}`);
  }
  const tail = readExactly(c, 1001);
  t.equal(await s.sendFile(f, { position: 2_999_000, length: 1 << 20 }), 1001, 'short at EOF: the bytes there were');
  t.equal(sha256(await tail), sha256(data.subarray(2_999_000)));
  t.equal(await s.sendFile(f, { position: 5_000_000 }), 0, 'past the end: nothing');
  t.equal(await s.sendFile(f, { length: 0 }), 0, 'length 0: nothing');
  // The file's own position was neither used nor moved.
  const [n, b] = await f.read(alloc(4));
  t.equal(n, 4);
  t.same([...b], [...data.subarray(0, 4)]);
  await Promise.all([f.close(), c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'the peer closes mid-way: an error with bytesWritten, no fd leaked', async (t, rt) => {
  const [path] = fixture(t, 16 << 20);
  const f = await rt.open(path);
  await f.stat(); // epoll starts its file workers (and their fds) at the first file op
  const before = fdCount();
  const [c, s, l] = await streamPair(rt);
  const p = s.sendFile(f).catch((e) => e);
  await readExactly(c, 100_000);
  await c.close();
  const err = await p;
  t.ok(err instanceof Error, 'rejects');
  t.match(err.code, /^(EPIPE|ECONNRESET)$/, `a Node-style error (${err.code})`);
  t.ok(err.bytesWritten >= 100_000 && err.bytesWritten < 16 << 20, `bytesWritten ${err.bytesWritten}`);
  await Promise.all([s.close(), l.close()]);
  t.equal(rt.stats().inFlight, 0);
  // Pipes kept for reuse by uring are the runtime's; every other fd is back.
  const pipes = rt.stats().splicePipes ?? 0;
  const dropped = rt.stats().splicePipesDropped ?? 0;
  t.ok(fdCount() <= before + 2 * (pipes - dropped), `no fd leaked (${fdCount()} fds, ${before} before, ${pipes - dropped} pipes kept)`);
  await f.close();
});

await eachDriver(t, 'abort mid-way: AbortError with bytesWritten; closing the file stops it', async (t, rt) => {
  const [path] = fixture(t, 32 << 20);
  const [c, s, l] = await streamPair(rt);
  const f = await rt.open(path);
  const ac = new AbortController();
  const p = s.sendFile(f, { signal: ac.signal }).catch((e) => e);
  await readExactly(c, 65536);
  ac.abort();
  const err = await p;
  t.match(err, { name: 'AbortError' });
  t.ok(err.bytesWritten >= 0, 'bytesWritten');
  const p2 = s.sendFile(f).catch((e) => e);
  await readExactly(c, 1);
  await f.close();
  t.match(await p2, { code: 'ERR_RENTIO_HANDLE_CLOSED' }, 'the file closed under it');
  t.equal(rt.stats().inFlight, 0);
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'into a Unix stream, each chunk with a deadline: byte-exact', async (t, rt) => {
  const [path, data] = fixture(t, 3 << 20);
  const sock = join(tmpDir(t), 's.sock');
  const l = await rt.listen({ path: sock });
  const [c, s] = await Promise.all([rt.connect({ path: sock }), l.accept()]);
  const f = await rt.open(path);
  const received = readToEnd(c);
  t.equal(await s.sendFile(f, { timeout: 10_000 }), data.byteLength);
  await s.shutdown();
  t.equal(sha256(await received), sha256(data));
  t.equal(rt.stats().inFlight, 0);
  await Promise.all([f.close(), c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'bad arguments are refused synchronously', async (t, rt) => {
  const [path] = fixture(t, 10);
  const [c, s, l] = await streamPair(rt);
  const f = await rt.open(path);
  t.throws(() => s.sendFile({ fd: 3 }), { code: 'ERR_RENTIO_INVALID_ARG_TYPE' });
  t.throws(() => s.sendFile(f, { position: -1 }), { code: 'ERR_RENTIO_OUT_OF_RANGE' });
  t.throws(() => s.sendFile(f, { length: 1.5 }), { code: 'ERR_RENTIO_OUT_OF_RANGE' });
  await f.close();
  t.throws(() => s.sendFile(f), { code: 'ERR_RENTIO_HANDLE_CLOSED' });
  await Promise.all([c.close(), s.close(), l.close()]);
});
