// Buffer pools: `sock.read(pool)` → [n, lease], byte-exact through the pool, back-pressure when
// the pool is empty (no byte lost, bytes left in the socket), every misuse error, close paths,
// and fds back to where they started. Same assertions on both drivers (uring: a provided-buffer
// ring the kernel picks from; epoll: a buffer taken at readiness).
import t from 'tap';
import { own, BufferLease, LeaseReleasedError, LeaseReleasedTwiceError, PoolClosedError } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { fdCount, random, readToEnd, sha256, streamPair } from '../helpers/util.mjs';

/** Read through `pool` until EOF, copying every lease out; returns the bytes. */
async function readPoolToEnd(s, pool, hold = async () => {}) {
  const parts = [];
  for (;;) {
    const [n, lease] = await s.read(pool);
    if (n === 0) return Buffer.concat(parts);
    await hold();
    parts.push(Buffer.from(lease.bytes));
    lease.release();
  }
}

/** A promise's state, observed after the I/O already queued has had its turn. */
async function settledYet(p, rt) {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await rt.sleep(1);
  await new Promise((r) => setImmediate(r));
  return done;
}

await eachDriver(t, 'pooled echo is byte-exact, EOF is [0, null]', async (t, rt) => {
  const before = fdCount();
  const pool = await rt.bufferPool({ size: 4096, count: 8 });
  const [c, s, l] = await streamPair(rt);
  const data = random(1024 * 1024 + 13);
  let odd = 0;
  const echo = (async () => {
    for (;;) {
      const [n, lease] = await s.read(pool);
      if (n === 0) return s.shutdown();
      if (!(lease instanceof BufferLease) || lease.length !== n || n > pool.size) odd++;
      const copy = own(lease.bytes);
      lease.release();
      await s.writeAll(copy);
    }
  })();
  const [, got] = await Promise.all([c.writeAll(own(data)).then(() => c.shutdown()), readToEnd(c), echo]);
  t.equal(sha256(got), sha256(data), 'echoed bytes identical');
  t.equal(odd, 0, 'every read: a lease of n <= pool.size bytes');
  t.same(await s.read(pool), [0, null], 'EOF again: [0, null]');
  t.equal(pool.leased, 0, 'every lease back');
  await Promise.all([c.close(), s.close(), l.close()]);
  await pool.close();
  t.equal(fdCount(), before, 'fds back to the start');
});

await eachDriver(t, 'a 2-buffer pool under 4 connections is back-pressure, not data loss', async (t, rt) => {
  const pool = await rt.bufferPool({ size: 1024, count: 2 });
  const l = await rt.listen({ port: 0, host: '127.0.0.1' });
  const port = l.address().port;
  let maxLeased = 0;
  const conns = await Promise.all(
    Array.from({ length: 4 }, async (_, i) => {
      const c = await rt.connect({ host: '127.0.0.1', port });
      const s = await l.accept();
      const data = random(64 * 1024 + i);
      // Holding each lease across a timer makes the other readers find the pool empty.
      const hold = () => {
        maxLeased = Math.max(maxLeased, pool.leased);
        return rt.sleep(0);
      };
      const [, got] = await Promise.all([c.writeAll(own(data)).then(() => c.shutdown()), readPoolToEnd(s, pool, hold)]);
      t.equal(sha256(got), sha256(data), `connection ${i}: every byte, in order`);
      await Promise.all([c.close(), s.close()]);
    }),
  );
  t.equal(conns.length, 4);
  t.ok(maxLeased <= 2, `never more leases than buffers (max ${maxLeased})`);
  await l.close();
  await pool.close();
});

await eachDriver(t, 'an empty pool: the read waits for a release; noWait rejects ENOBUFS; the bytes stay in the socket', async (t, rt) => {
  const pool = await rt.bufferPool({ size: 64, count: 1 });
  const [c1, s1, l] = await streamPair(rt);
  const [c2, s2] = await Promise.all([rt.connect({ host: '127.0.0.1', port: l.address().port }), l.accept()]);
  await c1.writeAll(own('first'));
  const [, held] = await s1.read(pool);
  t.equal(Buffer.from(held.bytes).toString(), 'first');
  await c2.writeAll(own('second'));
  const err = await s2.read(pool, { noWait: true }).catch((e) => e);
  t.equal(err.code, 'ENOBUFS', 'noWait: ENOBUFS');
  t.equal(err.syscall, 'read');
  const waiting = s2.read(pool);
  t.notOk(await settledYet(waiting, rt), 'the read waits while the pool is empty');
  held.release();
  const [n, lease] = await waiting;
  t.equal(Buffer.from(lease.bytes).toString(), 'second', 'the bytes stayed in the socket');
  t.equal(n, 6);
  lease.release();
  await Promise.all([c1, s1, c2, s2, l].map((h) => h.close()));
  await pool.close();
});

await eachDriver(t, 'copyAndRelease: a Buffer copy of the bytes, the lease released, the buffer read again', async (t, rt) => {
  const pool = await rt.bufferPool({ size: 64, count: 1 });
  const [c, s, l] = await streamPair(rt);
  await c.writeAll(own('hello'));
  const [n, lease] = await s.read(pool);
  const copy = lease.copyAndRelease();
  t.ok(Buffer.isBuffer(copy), 'a Buffer');
  t.equal(copy.toString(), 'hello', 'the bytes read');
  t.equal(n, 5);
  t.equal(pool.leased, 0, 'the lease is released');
  t.notOk(lease.held);
  t.throws(() => lease.copyAndRelease(), LeaseReleasedError, 'a second copyAndRelease');
  t.throws(() => lease.release(), LeaseReleasedTwiceError, 'release after copyAndRelease');
  // The one buffer goes back under the kernel: the copy must not change with the next read.
  await c.writeAll(own('WORLD'));
  const [, next] = await s.read(pool);
  t.equal(Buffer.from(next.bytes).toString(), 'WORLD', 'the next read lands in the same buffer');
  t.equal(copy.toString(), 'hello', 'the copy is its own memory');
  next.release();
  await pool.close();
  await Promise.all([c, s, l].map((h) => h.close()));
});

await eachDriver(t, 'misuse: a released lease, a lease released twice, a lease kept past the pool close', async (t, rt) => {
  const pool = await rt.bufferPool({ size: 64, count: 2 });
  const [c, s, l] = await streamPair(rt);
  await c.writeAll(own('abc'));
  const [, lease] = await s.read(pool);
  const view = lease.bytes;
  lease.release();
  t.equal(view.byteLength, 0, 'a view kept across the release is detached');
  t.throws(() => lease.bytes, LeaseReleasedError, 'bytes after release');
  t.throws(() => lease.bytes, { code: 'ERR_RENTIO_LEASE_RELEASED' });
  t.throws(() => lease.release(), LeaseReleasedTwiceError, 'released twice');
  t.throws(() => lease.release(), { code: 'ERR_RENTIO_LEASE_RELEASED_TWICE' });
  t.doesNotThrow(() => lease[Symbol.dispose](), 'dispose after release is a no-op (using + release)');
  t.equal(lease.length, 3, 'length survives the release');

  await c.writeAll(own('def'));
  const [, kept] = await s.read(pool);
  // What `using scoped = ...` does at the end of its block (Node 20 cannot parse `using`).
  const scoped = await c
    .writeAll(own('ghi'))
    .then(() => s.read(pool))
    .then(([, x]) => x);
  t.equal(Buffer.from(scoped.bytes).toString(), 'ghi');
  t.equal(pool.leased, 2);
  scoped[Symbol.dispose]();
  t.equal(pool.leased, 1, 'Symbol.dispose released it');
  const keptView = kept.bytes;
  await pool.close();
  t.throws(() => kept.bytes, PoolClosedError, 'a lease kept past the pool close');
  t.throws(() => kept.release(), { code: 'ERR_RENTIO_POOL_CLOSED' });
  t.equal(keptView.byteLength, 0, 'its view is detached by the close');
  t.throws(() => s.read(pool), { code: 'ERR_RENTIO_POOL_CLOSED' }, 'a read through a closed pool');
  t.throws(() => s.read(pool, { noWait: 1 }), { code: 'ERR_RENTIO_INVALID_ARG_TYPE' });
  t.throws(() => rt.bufferPool({ size: 0 }), { code: 'ERR_RENTIO_OUT_OF_RANGE' });
  t.throws(() => rt.bufferPool({ count: 1 << 20 }), { code: 'ERR_RENTIO_OUT_OF_RANGE' });
  await Promise.all([c, s, l].map((h) => h.close()));
});

await eachDriver(t, 'close paths: pool closed under a pending read, stream closed and signal aborted while waiting for a release', async (t, rt) => {
  const before = fdCount();
  const pool = await rt.bufferPool({ size: 64, count: 1 });
  const [c, s, l] = await streamPair(rt);
  const pending = s.read(pool);
  await pool.close();
  await t.rejects(pending, { code: 'ERR_RENTIO_POOL_CLOSED' }, 'a read in flight when the pool closes');

  const pool2 = await rt.bufferPool({ size: 64, count: 1 });
  await c.writeAll(own('x'));
  const [, held] = await s.read(pool2);
  const ac = new AbortController();
  const aborted = s.read(pool2, { signal: ac.signal });
  t.notOk(await settledYet(aborted, rt));
  ac.abort();
  await t.rejects(aborted, { name: 'AbortError', code: 'ABORT_ERR' }, 'abort while waiting for a buffer');
  const closing = t.rejects(s.read(pool2), { code: 'ERR_RENTIO_HANDLE_CLOSED' }, 'stream closed while waiting for a buffer');
  await s.close();
  await closing;
  held.release();
  await pool2.close();
  await Promise.all([c.close(), l.close()]);
  t.equal(fdCount(), before, 'fds back to the start');
});

await eachDriver(t, 'an abort that comes after the bytes arrived: the read resolves, no byte is lost', async (t, rt) => {
  const pool = await rt.bufferPool({ size: 256, count: 4 });
  const [c, s, l] = await streamPair(rt);
  const data = random(64 * 1024);
  const writer = c.writeAll(own(data)).then(() => c.shutdown());
  const parts = [];
  let aborted = 0;
  for (let i = 0; ; i++) {
    const ac = new AbortController();
    const p = s.read(pool, { signal: ac.signal });
    // Aborted at different points: before the op reaches the kernel, or while it waits there.
    if (i % 2) queueMicrotask(() => ac.abort());
    else setImmediate(() => ac.abort());
    let r;
    try {
      r = await p;
    } catch (err) {
      if (err.name !== 'AbortError') throw err;
      aborted++;
      continue;
    }
    if (r[0] === 0) break;
    parts.push(Buffer.from(r[1].bytes));
    r[1].release();
  }
  await writer;
  t.equal(sha256(Buffer.concat(parts)), sha256(data), `every byte, in order, across ${aborted} aborts`);
  t.equal(pool.leased, 0);
  await Promise.all([c, s, l].map((h) => h.close()));
  await pool.close();
});

await eachDriver(
  t,
  'multishot recv: reads in a loop, chunks that arrive with no read pending are queued, aborted waits lose nothing',
  async (t, rt, driver) => {
    const pool = await rt.bufferPool({ size: 512, count: 16 });
    const [c, s, l] = await streamPair(rt);
    const got = [];
    const take = async () => {
      const [n, lease] = await s.read(pool);
      if (n) got.push(Buffer.from(lease.bytes));
      lease?.release();
      return n;
    };
    // A read that waits, then is aborted: the carrier stays armed; the bytes that come next are
    // queued for the next read.
    const ac = new AbortController();
    const waiting = s.read(pool, { signal: ac.signal });
    t.notOk(await settledYet(waiting, rt));
    ac.abort();
    await t.rejects(waiting, { name: 'AbortError' });
    await c.writeAll(own('after-abort|'));
    // Bytes with no read pending at all.
    await rt.sleep(1);
    await c.writeAll(own(Buffer.alloc(3000, 7)));
    await rt.sleep(1);
    let have = 0;
    while (have < 12 + 3000) have += await take();
    t.equal(Buffer.concat(got).subarray(0, 12).toString(), 'after-abort|');
    t.ok(
      Buffer.concat(got)
        .subarray(12)
        .every((b) => b === 7),
      'then every byte of the 3000, in order',
    );
    const before = rt.stats();
    const data = random(256 * 1024);
    got.length = 0;
    const writer = c.writeAll(own(data)).then(() => c.shutdown());
    let reads = 0;
    while ((await take()) > 0) reads++;
    await writer;
    t.equal(sha256(Buffer.concat(got)), sha256(data), `256 KiB over ${reads} pooled reads, byte-exact`);
    if (driver === 'uring') {
      const after = rt.stats();
      t.ok(after.multishotRecv, 'the kernel has multishot recv (6.0+)');
      const arms = after.multishotArmed - before.multishotArmed;
      t.ok(arms < reads, `${reads} reads took ${arms} recv SQEs (multishot re-arms only after an end)`);
      t.equal(after.multishotChunks - before.multishotChunks >= reads, true, 'each read was a multishot CQE');
    }
    t.equal(pool.leased, 0);
    await Promise.all([c, s, l].map((h) => h.close()));
    await pool.close();
    if (driver === 'uring') t.equal(rt.stats().inFlight, 0, 'carriers ended with their sockets');
  },
);

await eachDriver(t, 'multishot recv: a read armed on an empty pool ends with ENOBUFS, waits, and re-arms after a release', async (t, rt) => {
  const pool = await rt.bufferPool({ size: 64, count: 1 });
  const [c1, s1, l] = await streamPair(rt);
  const [c2, s2] = await Promise.all([rt.connect({ host: '127.0.0.1', port: l.address().port }), l.accept()]);
  const second = s2.read(pool); // armed before any byte
  await c1.writeAll(own('one'));
  const [, held] = await s1.read(pool);
  await c2.writeAll(own('two'));
  t.notOk(await settledYet(second, rt), 'no buffer: the read waits, the bytes stay in the socket');
  held.release();
  const [n, lease] = await second;
  t.equal(n, 3);
  t.equal(Buffer.from(lease.bytes).toString(), 'two');
  lease.release();
  await Promise.all([c1, s1, c2, s2, l].map((h) => h.close()));
  await pool.close();
});

await eachDriver(
  t,
  'one buffer-select recv per read (uring without multishot): echo and back-pressure',
  async (t, rt, driver) => {
    if (driver === 'uring') t.equal(rt.stats().multishotRecv, false, 'multishot turned off');
    const pool = await rt.bufferPool({ size: 1024, count: 2 });
    const l = await rt.listen({ port: 0, host: '127.0.0.1' });
    await Promise.all(
      Array.from({ length: 4 }, async (_, i) => {
        const c = await rt.connect({ host: '127.0.0.1', port: l.address().port });
        const s = await l.accept();
        const data = random(32 * 1024 + i);
        const [, got] = await Promise.all([c.writeAll(own(data)).then(() => c.shutdown()), readPoolToEnd(s, pool, () => rt.sleep(0))]);
        t.equal(sha256(got), sha256(data), `connection ${i}: every byte, in order`);
        await Promise.all([c.close(), s.close()]);
      }),
    );
    await l.close();
    await pool.close();
  },
  { driverOptions: { multishotRecv: false } },
);

await eachDriver(t, 'pool closed while multishot carriers are armed: reads reject, the stream still closes cleanly', async (t, rt) => {
  const before = fdCount();
  const pool = await rt.bufferPool({ size: 64, count: 4 });
  const [c, s, l] = await streamPair(rt);
  await c.writeAll(own('x'));
  const [, lease] = await s.read(pool);
  lease.release();
  const pending = t.rejects(s.read(pool), { code: 'ERR_RENTIO_POOL_CLOSED' });
  await pool.close();
  await pending;
  await c.writeAll(own('still a socket'));
  const [n, buf] = await s.read(new Uint8Array(64));
  t.equal(Buffer.from(buf.subarray(0, n)).toString(), 'still a socket', 'plain reads go on after the pool closed');
  await Promise.all([c, s, l].map((h) => h.close()));
  t.equal(rt.stats().inFlight, 0);
  t.equal(fdCount(), before, 'fds back to the start');
});
