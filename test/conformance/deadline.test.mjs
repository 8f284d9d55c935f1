// Op deadlines (the `timeout` option): a read, write, accept or connect that outlives it rejects
// with a Node-style ETIMEDOUT error carrying its buffer; one that completes first keeps its
// result, and nothing of the deadline is left behind (no timer, no stray CQE).
import t from 'tap';
import { alloc, own } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { addressOf, readExactly, streamPair } from '../helpers/util.mjs';

/** Nothing in flight, no deadline armed (epoll), no CQE that matched no op (uring). */
function nothingBehind(t, rt) {
  const s = rt.stats();
  t.equal(s.inFlight, 0, 'no op in flight');
  if (s.driver === 'epoll') t.equal(s.timers, 0, 'no timer left armed');
  else t.equal(s.staleCqes, 0, 'no stray CQE');
}

await eachDriver(t, 'a read with no data fails with ETIMEDOUT and hands its buffer back', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  const buf = alloc(64);
  const addr = addressOf(buf);
  const err = await s.read(buf, { timeout: 30 }).catch((e) => e);
  t.equal(buf.byteLength, 0, 'the buffer was rented');
  t.match(err, { code: 'ETIMEDOUT', errno: -110, syscall: 'read', message: 'read ETIMEDOUT' });
  t.ok(err instanceof Error);
  t.equal(err.buf.byteLength, 64, 'buffer handed back');
  t.equal(addressOf(err.buf), addr, 'same memory');
  await c.writeAll(own('later'));
  t.equal((await readExactly(s, 5)).toString(), 'later', 'the stream reads on; no byte lost to the timed-out read');
  await rt.sleep(5);
  nothingBehind(t, rt);
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'data in time: the read resolves and leaves nothing behind', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  const p = s.read(alloc(64), { timeout: 10_000 });
  await rt.sleep(5);
  await c.writeAll(own('hello'));
  const [n, b] = await p;
  t.equal(n, 5);
  t.equal(Buffer.from(b.subarray(0, n)).toString(), 'hello');
  // The deadline's other half (uring: the linked timeout's -ECANCELED CQE) was consumed before
  // the op settled: a sleep past it sees nothing arrive.
  await rt.sleep(20);
  nothingBehind(t, rt);
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'data already there and a tiny deadline: the result wins', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  await c.writeAll(own('ready'));
  await rt.sleep(5);
  const [n] = await s.read(alloc(64), { timeout: 0.001 }).catch((e) => [e.code]);
  t.equal(n, 5, 'the bytes, not ETIMEDOUT');
  await rt.sleep(5);
  nothingBehind(t, rt);
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'many reads with deadlines, data for half of them: each settles once, right', async (t, rt) => {
  const pairs = await Promise.all(Array.from({ length: 8 }, () => streamPair(rt)));
  const reads = pairs.map(([, s]) =>
    s.read(alloc(16), { timeout: 40 }).then(
      ([n]) => n,
      (e) => e.code,
    ),
  );
  await Promise.all(pairs.filter((_, i) => i % 2 === 0).map(([c]) => c.writeAll(own('x'))));
  const got = await Promise.all(reads);
  t.same(got, [1, 'ETIMEDOUT', 1, 'ETIMEDOUT', 1, 'ETIMEDOUT', 1, 'ETIMEDOUT']);
  await rt.sleep(5);
  nothingBehind(t, rt);
  await Promise.all(pairs.flat().map((h) => h.close()));
});

await eachDriver(t, 'a write the peer never drains fails with ETIMEDOUT, bytesWritten and the buffer', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  const big = alloc(32 << 20);
  const err = await c.writeAll(big, { timeout: 100 }).catch((e) => e);
  t.match(err, { code: 'ETIMEDOUT', syscall: 'write' });
  t.equal(err.buf.byteLength, 32 << 20, 'buffer handed back');
  t.ok(err.bytesWritten > 0 && err.bytesWritten < 32 << 20, `wrote part of it (${err.bytesWritten})`);
  nothingBehind(t, rt);
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'accept with a deadline: ETIMEDOUT, then the listener still accepts', async (t, rt) => {
  const l = await rt.listen({ port: 0, host: '127.0.0.1' });
  t.match(await l.accept({ timeout: 20 }).catch((e) => e), { code: 'ETIMEDOUT', syscall: 'accept' });
  const [c, s] = await Promise.all([rt.connect({ host: '127.0.0.1', port: l.address().port, timeout: 5000 }), l.accept({ timeout: 5000 })]);
  t.ok(s.remotePort > 0);
  nothingBehind(t, rt);
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'an abort before the deadline is an AbortError; the deadline does not fire later', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  const ac = new AbortController();
  const p = s.read(alloc(8), { timeout: 30, signal: ac.signal });
  ac.abort();
  t.match(await p.catch((e) => e), { name: 'AbortError', buf: { byteLength: 8 } });
  await rt.sleep(50);
  nothingBehind(t, rt);
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'closing the stream under a read with a deadline: HandleClosed, not ETIMEDOUT', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  const p = s.read(alloc(8), { timeout: 10_000 }).catch((e) => e);
  await rt.sleep(2);
  await s.close();
  t.match(await p, { code: 'ERR_RENTIO_HANDLE_CLOSED', buf: { byteLength: 8 } });
  nothingBehind(t, rt);
  await Promise.all([c.close(), l.close()]);
});

await eachDriver(t, 'bad timeout values are refused synchronously and take nothing', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  const buf = alloc(8);
  for (const [v, code] of [
    [0, 'ERR_RENTIO_OUT_OF_RANGE'],
    [-1, 'ERR_RENTIO_OUT_OF_RANGE'],
    [Infinity, 'ERR_RENTIO_OUT_OF_RANGE'],
    [NaN, 'ERR_RENTIO_INVALID_ARG_TYPE'],
    ['5', 'ERR_RENTIO_INVALID_ARG_TYPE'],
  ]) {
    t.throws(() => s.read(buf, { timeout: v }), { code }, `timeout ${String(v)}`);
    t.equal(buf.byteLength, 8, 'buffer not taken');
  }
  t.throws(() => l.accept({ timeout: -5 }), { code: 'ERR_RENTIO_OUT_OF_RANGE' });
  await t.rejects(rt.connect({ port: l.address().port, host: '127.0.0.1', timeout: 'x' }), { code: 'ERR_RENTIO_INVALID_ARG_TYPE' });
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'connect to a listener whose queue is full: ETIMEDOUT naming the peer, its socket closed', async (t, rt) => {
  // backlog 0: Linux queues one connection and drops the SYNs after it, so later connects hang.
  const l = await rt.listen({ port: 0, host: '127.0.0.1', backlog: 0 });
  const port = l.address().port;
  const results = await Promise.all(
    Array.from({ length: 4 }, () =>
      rt.connect({ host: '127.0.0.1', port, timeout: 150 }).then(
        (s) => s,
        (e) => e,
      ),
    ),
  );
  const streams = results.filter((r) => !(r instanceof Error));
  const errors = results.filter((r) => r instanceof Error);
  t.ok(errors.length >= 1, `${errors.length} of 4 timed out`);
  for (const e of errors)
    t.match(e, { code: 'ETIMEDOUT', syscall: 'connect', address: '127.0.0.1', port, message: `connect ETIMEDOUT 127.0.0.1:${port}` });
  t.equal(rt.stats().handles, streams.length + 1, 'the timed-out sockets were closed');
  t.equal(rt.stats().inFlight, 0);
  await Promise.all([...streams.map((s) => s.close()), l.close()]);
});

// Pooled reads (`read(pool, { timeout })`): under uring a read waiting on the socket's multishot
// recv has no SQE of its own to link a timeout to, so it gets a TIMEOUT of its own; with
// multishotRecv off it is a buffer-select RECV with a linked timeout. Each way, once per driver.
for (const [how, driverOptions] of [
  ['', undefined],
  [' (uring multishot off)', { multishotRecv: false }],
]) {
  await eachDriver(
    t,
    `a pooled read with no data fails with ETIMEDOUT, the stream reads on, nothing is left${how}`,
    async (t, rt) => {
      const pool = await rt.bufferPool({ size: 256, count: 4 });
      const [c, s, l] = await streamPair(rt);
      const err = await s.read(pool, { timeout: 30 }).catch((e) => e);
      t.match(err, { code: 'ETIMEDOUT', errno: -110, syscall: 'read', message: 'read ETIMEDOUT' });
      await c.writeAll(own('later'));
      const [n, lease] = await s.read(pool, { timeout: 10_000 });
      t.equal(Buffer.from(lease.bytes.subarray(0, n)).toString(), 'later', 'no byte lost to the timed-out read');
      lease.release();
      // The second read's timer was removed when its bytes came: a sleep past nothing arrives.
      await rt.sleep(20);
      nothingBehind(t, rt);
      await Promise.all([c.close(), s.close(), l.close()]);
      await pool.close();
    },
    { driverOptions },
  );
}

await eachDriver(t, 'pooled reads with deadlines, data for half of them: each settles once, right', async (t, rt) => {
  const pool = await rt.bufferPool({ size: 256, count: 16 });
  const pairs = await Promise.all(Array.from({ length: 8 }, () => streamPair(rt)));
  const reads = pairs.map(([, s]) =>
    s.read(pool, { timeout: 40 }).then(
      ([n, lease]) => (lease.release(), n),
      (e) => e.code,
    ),
  );
  await Promise.all(pairs.filter((_, i) => i % 2 === 0).map(([c]) => c.writeAll(own('x'))));
  t.same(await Promise.all(reads), [1, 'ETIMEDOUT', 1, 'ETIMEDOUT', 1, 'ETIMEDOUT', 1, 'ETIMEDOUT']);
  await rt.sleep(5);
  nothingBehind(t, rt);
  await Promise.all(pairs.flat().map((h) => h.close()));
  await pool.close();
});

await eachDriver(t, 'a pooled read: a bad timeout throws at once, no read starts', async (t, rt) => {
  const pool = await rt.bufferPool({ size: 64, count: 1 });
  const [c, s, l] = await streamPair(rt);
  t.throws(() => s.read(pool, { timeout: 0 }), { code: 'ERR_RENTIO_OUT_OF_RANGE' });
  t.throws(() => s.read(pool, { timeout: '5' }), { code: 'ERR_RENTIO_INVALID_ARG_TYPE' });
  t.equal(rt.stats().inFlight, 0);
  await Promise.all([c.close(), s.close(), l.close()]);
  await pool.close();
});
