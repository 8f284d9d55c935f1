// Pooled, batched datagram receive (UdpSocket.recvBatch / messages): every datagram intact and in
// order through the batches, truncation flagged, ENOBUFS back-pressure losing nothing, abort and
// close mid-flight, IPv6 senders, and uring's single-shot path (multishot off) giving the same.
import t from 'tap';
import { alloc, own, DATAGRAM_COPY_MAX, DATAGRAM_HEADER_BYTES } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';

/** Datagram `i`: its sequence number, then a pattern derived from it. */
function datagram(i, size) {
  const b = alloc(size);
  for (let k = 0; k < size; k++) b[k] = (i * 7 + k) & 0xff;
  if (size >= 4) new DataView(b.buffer).setUint32(0, i, true);
  return b;
}
const sizeOf = (i) => 4 + (((i * 2654435761) >>> 0) % 1000);

/** Check datagram `i` as received; a reason string when it is wrong, else null. */
function check(d, i, txPort) {
  const want = sizeOf(i);
  if (d.length !== want || d.truncated) return `#${i}: length ${d.length} (want ${want}), truncated ${d.truncated}`;
  if (d.port !== txPort || d.address !== '127.0.0.1' || d.family !== 'IPv4') return `#${i}: from ${d.address}:${d.port}`;
  const b = d.bytes;
  const seq = b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
  if (seq !== i) return `#${i}: got sequence ${seq}`;
  for (let k = 4; k < want; k += 13) if (b[k] !== ((i * 7 + k) & 0xff)) return `#${i}: byte ${k}`;
  return null;
}

async function pair(rt, type = 'udp4', address = '127.0.0.1') {
  const rx = await rt.bindUdp({ type, address });
  const tx = await rt.bindUdp({ type, address });
  return { rx, tx, to: { port: rx.address().port, address } };
}

const text = (d) => Buffer.from(d.bytes).toString();

await eachDriver(t, 'messages(): 5,000 datagrams through a small pool, none lost or reordered, each intact', async (t, rt) => {
  const { rx, tx, to } = await pair(rt);
  rx.setRecvBufferSize(1 << 20);
  const BUDGET = Math.min(96 * 1024, rx.getRecvBufferSize() / 2);
  const pool = await rt.bufferPool({ size: 1024 + DATAGRAM_HEADER_BYTES, count: 32 });
  const COUNT = 5000;
  let inFlight = 0;
  let wake = null;
  const bad = [];
  let received = 0;
  const receiver = (async () => {
    for await (const d of rx.messages(pool, { batch: 16 })) {
      const why = check(d, received, tx.address().port);
      if (why) bad.push(why);
      inFlight -= sizeOf(received) + 1024;
      d.release();
      wake?.();
      if (++received === COUNT) break;
    }
  })();
  for (let i = 0; i < COUNT; i++) {
    const size = sizeOf(i);
    while (inFlight > 0 && inFlight + size + 1024 > BUDGET) await new Promise((resolve) => (wake = resolve));
    inFlight += size + 1024;
    await tx.send(datagram(i, size), to);
  }
  await receiver;
  t.equal(received, COUNT, 'every datagram arrived');
  t.same(bad.slice(0, 5), [], 'in order, whole, byte-exact, from the sender');
  t.equal(pool.leased, 0, 'leaving the loop released what it had not handed out');
  await Promise.all([rx.close(), tx.close()]);
  await pool.close();
});

await eachDriver(t, 'recvBatch takes several datagrams at once, in order', async (t, rt) => {
  const { rx, tx, to } = await pair(rt);
  const pool = await rt.bufferPool({ size: 256, count: 64 });
  for (let i = 0; i < 20; i++) await tx.send(datagram(i, sizeOf(i) % 200), to);
  const got = [];
  while (got.length < 20) for (const d of await rx.recvBatch(pool, { batch: 8 })) got.push(d);
  t.ok(got.length === 20, '20 datagrams');
  t.same(
    got.map((d) => d.bytes[0] | (d.bytes[1] << 8)),
    Array.from({ length: 20 }, (_, i) => i),
    'in the order sent',
  );
  t.equal(pool.leased, 0, 'small datagrams are copies: no pool buffer held');
  for (const d of got) d.release();
  await Promise.all([rx.close(), tx.close()]);
  await pool.close();
});

await eachDriver(t, 'a datagram longer than a pool buffer is flagged truncated, the next is whole', async (t, rt) => {
  const { rx, tx, to } = await pair(rt);
  const pool = await rt.bufferPool({ size: DATAGRAM_HEADER_BYTES + 10, count: 4 });
  await tx.send(own('0123456789abcdef'), to);
  await tx.send(own('next'), to);
  const got = [];
  while (got.length < 2) got.push(...(await rx.recvBatch(pool)));
  t.equal(got[0].length, 10, 'the buffer kept what fit');
  t.equal(got[0].truncated, true, 'MSG_TRUNC reported');
  t.equal(text(got[0]), '0123456789');
  t.equal(got[1].truncated, false, 'the next datagram is not flagged');
  t.equal(text(got[1]), 'next');
  for (const d of got) d.release();
  await Promise.all([rx.close(), tx.close()]);
  await pool.close();
});

await eachDriver(t, 'ENOBUFS: an empty pool holds datagrams in the socket, none lost; noWait rejects', async (t, rt) => {
  const { rx, tx, to } = await pair(rt);
  rx.setRecvBufferSize(1 << 20);
  // Datagrams above DATAGRAM_COPY_MAX are lent in place: each holds its pool buffer until released.
  const SIZE = DATAGRAM_COPY_MAX + 100;
  const pool = await rt.bufferPool({ size: SIZE + DATAGRAM_HEADER_BYTES, count: 4 });
  const COUNT = 40;
  for (let i = 0; i < COUNT; i++) await tx.send(datagram(i, SIZE), to);
  const held = [];
  while (held.length < 4) held.push(...(await rx.recvBatch(pool)));
  t.equal(held.length, 4, 'the pool gave out its 4 buffers');
  t.equal(pool.leased, 4, 'each lent in place');
  await t.rejects(rx.recvBatch(pool, { noWait: true }), { code: 'ENOBUFS' }, 'noWait: ENOBUFS at once');
  // A waiting receive resumes once a buffer comes back.
  const waiting = rx.recvBatch(pool);
  await rt.sleep(20);
  const seq = (d) => d.bytes[0] | (d.bytes[1] << 8);
  const all = held.map(seq);
  const view = held[0].bytes;
  for (const d of held.splice(0)) d.release();
  t.equal(view.byteLength, 0, 'a view of a released datagram lent in place is detached');
  let next = await waiting;
  for (;;) {
    for (const d of next) {
      const i = seq(d);
      all.push(d.length === SIZE && d.bytes[SIZE - 1] === ((i * 7 + SIZE - 1) & 0xff) ? i : -1);
      d.release();
    }
    if (all.length >= COUNT) break;
    next = await rx.recvBatch(pool);
  }
  t.same(
    all,
    Array.from({ length: COUNT }, (_, i) => i),
    'every datagram, in order, after back-pressure',
  );
  await Promise.all([rx.close(), tx.close()]);
  await pool.close();
});

await eachDriver(t, 'small datagrams are copies: the pool buffer is back at once; take() keeps the bytes', async (t, rt) => {
  const { rx, tx, to } = await pair(rt);
  const pool = await rt.bufferPool({ size: 2048, count: 2 });
  for (const s of ['a', 'bb', 'ccc']) await tx.send(own(s), to);
  const got = [];
  while (got.length < 3) got.push(...(await rx.recvBatch(pool)));
  t.equal(pool.leased, 0, 'no pool buffer held by a copied datagram');
  t.equal(got.length, 3, 'three datagrams through a pool of two buffers');
  const kept = got[0].take();
  t.equal(Buffer.from(kept).toString(), 'a', 'take() hands the bytes over');
  t.throws(() => got[0].bytes, { code: 'ERR_RENTIO_LEASE_RELEASED' }, 'a taken datagram is released');
  t.throws(() => got[0].release(), { code: 'ERR_RENTIO_LEASE_RELEASED_TWICE' });
  got[1].release();
  t.equal(got[1].held, false);
  got[2][Symbol.dispose]();
  got[2][Symbol.dispose]();
  t.equal(Buffer.from(kept).toString(), 'a', 'the taken bytes outlive the release');
  await Promise.all([rx.close(), tx.close()]);
  await pool.close();
});

await eachDriver(t, 'close mid-flight: the iterator ends cleanly, a pending recvBatch rejects closed', async (t, rt) => {
  const { rx, tx, to } = await pair(rt);
  const pool = await rt.bufferPool({ size: 256, count: 8 });
  await tx.send(own('one'), to);
  const seen = [];
  const loop = (async () => {
    for await (const d of rx.messages(pool)) {
      seen.push(text(d));
      d.release();
    }
    return 'ended';
  })();
  await rt.sleep(30);
  await rx.close();
  t.equal(await loop, 'ended', 'the for-await loop ended without an error');
  t.same(seen, ['one']);
  const rx2 = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const pending = rx2.recvBatch(pool);
  await rt.sleep(10);
  await rx2.close();
  await t.rejects(pending, { code: 'ERR_RENTIO_HANDLE_CLOSED' });
  t.throws(() => rx.messages(pool), { code: 'ERR_RENTIO_HANDLE_CLOSED' }, 'a closed socket makes no iterator');
  t.equal(pool.leased, 0);
  await tx.close();
  await pool.close();
});

await eachDriver(t, 'abort a pending recvBatch: AbortError, and the next datagram still arrives', async (t, rt) => {
  const { rx, tx, to } = await pair(rt);
  const pool = await rt.bufferPool({ size: 256, count: 8 });
  const ac = new AbortController();
  const p = rx.recvBatch(pool, { signal: ac.signal });
  await rt.sleep(10);
  ac.abort();
  await t.rejects(p, { name: 'AbortError' });
  await tx.send(own('after'), to);
  const [d] = await rx.recvBatch(pool);
  t.equal(text(d), 'after');
  d.release();
  await Promise.all([rx.close(), tx.close()]);
  await pool.close();
});

await eachDriver(t, 'IPv6 senders are decoded', async (t, rt) => {
  const { rx, tx, to } = await pair(rt, 'udp6', '::1');
  const pool = await rt.bufferPool({ size: 256, count: 8 });
  await tx.send(own('v6'), to);
  const [d] = await rx.recvBatch(pool);
  t.same(
    { address: d.address, port: d.port, family: d.family, text: text(d) },
    { address: '::1', port: tx.address().port, family: 'IPv6', text: 'v6' },
  );
  d.release();
  await Promise.all([rx.close(), tx.close()]);
  await pool.close();
});

await eachDriver(t, 'bad options are refused before any receive', async (t, rt) => {
  const rx = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const pool = await rt.bufferPool({ size: 256, count: 2 });
  t.throws(() => rx.recvBatch(pool, { batch: 0 }), { code: 'ERR_RENTIO_OUT_OF_RANGE' });
  t.throws(() => rx.recvBatch(pool, { batch: 1000 }), { code: 'ERR_RENTIO_OUT_OF_RANGE' });
  t.throws(() => rx.messages(pool, { signal: 'no' }), { code: 'ERR_RENTIO_INVALID_ARG_TYPE' });
  await pool.close();
  t.throws(() => rx.recvBatch(pool), { code: 'ERR_RENTIO_POOL_CLOSED' });
  await rx.close();
});

await eachDriver(
  t,
  'one plain RECVMSG per receive (uring without multishot): same datagrams, same truncation flag',
  async (t, rt, driver) => {
    if (driver === 'uring') t.equal(rt.stats().multishotRecv, false, 'multishot turned off');
    const { rx, tx, to } = await pair(rt);
    const pool = await rt.bufferPool({ size: DATAGRAM_HEADER_BYTES + 8, count: 4 });
    for (const s of ['a', 'bb', 'longer than eight']) await tx.send(own(s), to);
    const got = [];
    while (got.length < 3) got.push(...(await rx.recvBatch(pool)));
    t.same(
      got.map((d) => [text(d), d.truncated, d.port === tx.address().port]),
      [
        ['a', false, true],
        ['bb', false, true],
        ['longer t', true, true],
      ],
    );
    for (const d of got) d.release();
    await Promise.all([rx.close(), tx.close()]);
    await pool.close();
  },
  { driverOptions: { multishotRecv: false } },
);

await eachDriver(t, 'connected: ICMP port-unreachable is ECONNREFUSED once, then receiving goes on', async (t, rt) => {
  const gone = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const port = gone.address().port;
  await gone.close();
  const rx = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const pool = await rt.bufferPool({ size: 256, count: 8 });
  await rx.connect(port, '127.0.0.1');
  const pending = rx.recvBatch(pool);
  await rx.send(own('anyone?'));
  await t.rejects(pending, { code: 'ECONNREFUSED' }, 'the refusal reaches the pending receive');
  await t.rejects(
    rx.recvBatch(pool, { signal: AbortSignal.timeout(50) }),
    { name: 'AbortError' },
    'reported once: the next receive waits for datagrams',
  );
  await rx.close();
  await pool.close();
});

await eachDriver(t, 'pool closed under a pending receive: it rejects POOL_CLOSED, the socket still closes', async (t, rt) => {
  const { rx, tx, to } = await pair(rt);
  const pool = await rt.bufferPool({ size: 256, count: 8 });
  const it = rx.messages(pool);
  const pending = it.next();
  await rt.sleep(10);
  await pool.close();
  await t.rejects(pending, { code: 'ERR_RENTIO_POOL_CLOSED' });
  await tx.send(own('late'), to);
  const [n, buf] = await rx.recv(alloc(64));
  t.equal(Buffer.from(buf.buffer, 0, n).toString(), 'late', 'plain recv still works on the socket');
  await Promise.all([rx.close(), tx.close()]);
});

await eachDriver(t, 'runtime closed under a messages() loop: the loop ends cleanly', async (t, rt) => {
  const rx = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const pool = await rt.bufferPool({ size: 256, count: 4 });
  const loop = (async () => {
    for await (const d of rx.messages(pool)) d.release();
    return 'ended';
  })();
  await rt.sleep(10);
  await rt.close();
  t.equal(await loop, 'ended');
});
