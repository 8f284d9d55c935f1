// `sock.readWith(pool, callback)`: read(pool) reporting to a callback instead of a promise. The
// same bytes, EOF as (null, 0, null), errors as read(pool) rejects with them, the callback once
// and from a microtask (never inside the driver's reap), argument errors thrown synchronously,
// back-pressure on an empty pool, and a pending read cancelled by closing the stream or the pool.
// Same assertions on both drivers.
import t from 'tap';
import { own, BufferLease } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { random, readToEnd, sha256, streamPair } from '../helpers/util.mjs';

/** One readWith as a promise of its callback's arguments (and whether it ran synchronously). */
function readOnce(s, pool, options) {
  return new Promise((resolve) => {
    let sync = true;
    s.readWith(pool, (err, n, lease) => resolve({ err, n, lease, sync }), options);
    sync = false;
  });
}

await eachDriver(t, 'readWith echo is byte-exact; EOF is (null, 0, null); one shared callback', async (t, rt) => {
  const pool = await rt.bufferPool({ size: 4096, count: 8 });
  const [c, s, l] = await streamPair(rt);
  const data = random(512 * 1024 + 7);
  let calls = 0;
  let odd = 0;
  const echoed = new Promise((resolve, reject) => {
    const onData = (err, n, lease) => {
      calls++;
      if (err) return reject(err);
      if (n === 0) {
        if (lease !== null) odd++;
        return resolve(s.shutdown());
      }
      if (!(lease instanceof BufferLease) || lease.length !== n) odd++;
      const copy = own(lease.bytes);
      lease.release();
      s.writeAll(copy).then(() => s.readWith(pool, onData), reject);
    };
    s.readWith(pool, onData);
  });
  const [, got] = await Promise.all([c.writeAll(own(data)).then(() => c.shutdown()), readToEnd(c), echoed]);
  t.equal(sha256(got), sha256(data), 'echoed bytes identical');
  t.equal(odd, 0, 'every call: a lease of n bytes, or null at EOF');
  t.ok(calls > 1, `${calls} callbacks`);
  t.equal(pool.leased, 0, 'every lease back');
  await Promise.all([c.close(), s.close(), l.close()]);
  await pool.close();
});

await eachDriver(t, 'the callback runs once, and never synchronously inside readWith (not even with bytes already queued)', async (t, rt) => {
  const pool = await rt.bufferPool({ size: 4096, count: 4 });
  const [c, s, l] = await streamPair(rt);
  const order = [];
  const done = new Promise((resolve) => {
    let n = 0;
    s.readWith(pool, (err, bytes, lease) => {
      order.push('callback');
      lease?.release();
      if (++n > 1) t.fail('called twice');
      setImmediate(resolve);
    });
  });
  await c.writeAll(own('x'));
  await done;
  t.same(order, ['callback']);
  // Data already queued: the callback still comes later, never inside readWith.
  await c.writeAll(own('y'));
  await rt.sleep(5);
  const r = await readOnce(s, pool);
  t.equal(r.sync, false, 'not called synchronously');
  t.equal(r.n, 1);
  r.lease.release();
  await Promise.all([c.close(), s.close(), l.close()]);
  await pool.close();
});

await eachDriver(t, 'misuse throws synchronously; a closed stream or pool reports through the callback', async (t, rt) => {
  const pool = await rt.bufferPool({ size: 4096, count: 4 });
  const [c, s, l] = await streamPair(rt);
  t.throws(() => s.readWith(pool), { code: 'ERR_RENTIO_INVALID_ARG_TYPE' }, 'no callback');
  t.throws(() => s.readWith({}, () => {}), { code: 'ERR_RENTIO_INVALID_ARG_TYPE' }, 'not a pool');
  t.throws(() => s.readWith(pool, () => {}, { noWait: 1 }), { code: 'ERR_RENTIO_INVALID_ARG_TYPE' }, 'a bad option');
  // Pending, then the stream closes: ERR_RENTIO_HANDLE_CLOSED through the callback.
  const pending = readOnce(s, pool);
  await rt.sleep(2);
  await s.close();
  const r = await pending;
  t.equal(r.err?.code, 'ERR_RENTIO_HANDLE_CLOSED', 'closed under a pending readWith');
  t.equal(r.n, 0);
  t.equal(r.lease, null);
  t.throws(() => s.readWith(pool, () => {}), { code: 'ERR_RENTIO_HANDLE_CLOSED' }, 'readWith on a closed stream throws');
  // A pool closed under a pending readWith.
  const [c2, s2, l2] = await streamPair(rt);
  const pending2 = readOnce(s2, pool);
  await rt.sleep(2);
  await pool.close();
  const r2 = await pending2;
  t.equal(r2.err?.code, 'ERR_RENTIO_POOL_CLOSED', 'pool closed under a pending readWith');
  t.throws(() => s2.readWith(pool, () => {}), { code: 'ERR_RENTIO_POOL_CLOSED' }, 'readWith through a closed pool throws');
  await Promise.all([c.close(), l.close(), c2.close(), s2.close(), l2.close()]);
});

await eachDriver(t, 'an empty pool is back-pressure: the callback waits for a release, no byte lost', async (t, rt) => {
  const pool = await rt.bufferPool({ size: 4096, count: 1 });
  const [c, s, l] = await streamPair(rt);
  await c.writeAll(own('first'));
  const first = await readOnce(s, pool);
  t.equal(first.n, 5);
  await c.writeAll(own('second'));
  const second = readOnce(s, pool);
  await rt.sleep(5);
  let came = false;
  void second.then(() => (came = true));
  await new Promise((r) => setImmediate(r));
  t.equal(came, false, 'waits while the only buffer is out');
  first.lease.release();
  const r = await second;
  t.equal(Buffer.from(r.lease.bytes).toString(), 'second', 'the bytes stayed in the socket');
  // noWait with the only buffer out: ENOBUFS through the callback, the byte left in the socket.
  await c.writeAll(own('z'));
  await rt.sleep(5);
  const refused = await readOnce(s, pool, { noWait: true });
  t.equal(refused.err?.code, 'ENOBUFS', 'noWait on an empty pool: ENOBUFS');
  r.lease.release();
  const z = await readOnce(s, pool);
  t.equal(z.n, 1, 'the byte was still in the socket');
  z.lease.release();
  await Promise.all([c.close(), s.close(), l.close()]);
  await pool.close();
});
