// UDP: 10,000 loopback datagrams of mixed sizes with none lost or reordered, truncation flagged,
// connected mode (and ICMP port-unreachable as ECONNREFUSED), IPv4 and IPv6, abort of a pending
// recv handing its buffer back, closed handles, socket options with node:dgram's errors, and
// interop with node:dgram peers in both directions.
import dgram from 'node:dgram';
import t from 'tap';
import { alloc, own } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';

const text = (buf, n) => Buffer.from(buf.buffer, 0, n).toString();

/** Datagram `i` of the flood: its sequence number, then a pattern derived from it. */
function datagram(i, size) {
  const b = alloc(size);
  for (let k = 0; k < size; k++) b[k] = (i * 7 + k) & 0xff;
  if (size >= 4) new DataView(b.buffer).setUint32(0, i, true);
  return b;
}
// Mostly MTU-sized and below, with every 97th up to 60 KB (fragmented on a real link; loopback's
// MTU is 64 KiB, so these exercise big datagrams end to end).
const sizeOf = (i) => (i % 97 === 0 ? 20_000 + ((i * 7919) % 40_000) : 1 + (((i * 2654435761) >>> 0) % 1400));

await eachDriver(t, '10,000 datagrams of mixed sizes: none lost, none reordered, each intact', async (t, rt) => {
  const rx = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const tx = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const port = rx.address().port;
  const txPort = tx.address().port;
  // Loopback never drops for congestion, only for a full receive buffer: the sender keeps at
  // most BUDGET bytes (plus per-datagram overhead) unreceived, well under SO_RCVBUF.
  rx.setRecvBufferSize(1 << 20);
  const rcvbuf = rx.getRecvBufferSize();
  const BUDGET = Math.min(96 * 1024, rcvbuf / 2);
  const COUNT = 10_000;
  let received = 0;
  let inFlight = 0;
  let wake = null;
  const bad = [];
  const receiver = (async () => {
    let buf = alloc(65536);
    for (let i = 0; i < COUNT; i++) {
      const [n, b, from] = await rx.recv(buf);
      buf = b;
      const want = sizeOf(i);
      if (n !== want || from.truncated || from.port !== txPort || from.address !== '127.0.0.1') bad.push({ i, n, want, from });
      else {
        const seqNo = want >= 4 ? new DataView(b.buffer).getUint32(0, true) : i;
        if (seqNo !== i) bad.push({ i, seqNo });
        for (let k = 4; k < n; k += 61)
          if (b[k] !== ((i * 7 + k) & 0xff)) {
            bad.push({ i, k });
            break;
          }
      }
      received++;
      inFlight -= want + 1024;
      wake?.();
    }
  })();
  for (let i = 0; i < COUNT; i++) {
    const size = sizeOf(i);
    while (inFlight > 0 && inFlight + size + 1024 > BUDGET) await new Promise((resolve) => (wake = resolve));
    inFlight += size + 1024;
    const [n] = await tx.send(datagram(i, size), { port, address: '127.0.0.1' });
    if (n !== size) bad.push({ i, sent: n });
  }
  await receiver;
  t.equal(received, COUNT, 'every datagram arrived');
  t.same(bad.slice(0, 5), [], 'in order, full size, untruncated, byte-exact, from the sender');
  await Promise.all([rx.close(), tx.close()]);
});

await eachDriver(t, 'a datagram longer than the window is flagged truncated; the next is whole', async (t, rt) => {
  const a = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const b = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const to = { port: b.address().port, address: '127.0.0.1' };
  await a.send(own('0123456789abcdef'), to);
  await a.send(own('next'), to);
  const [n, buf, from] = await b.recv(alloc(64), { offset: 10, length: 10 });
  t.equal(n, 10, 'n is what fit the window');
  t.equal(from.truncated, true, 'MSG_TRUNC reported');
  t.equal(Buffer.from(buf.subarray(10, 20)).toString(), '0123456789', 'the window holds the first bytes');
  t.equal(buf[9], 0, 'nothing written before the window');
  const [n2, buf2, from2] = await b.recv(buf);
  t.equal(text(buf2, n2), 'next', 'the rest of the cut datagram is gone, the next one is whole');
  t.equal(from2.truncated, false);
  await Promise.all([a.close(), b.close()]);
});

await eachDriver(t, 'connected mode: send/recv without an address, only the peer heard, disconnect', async (t, rt) => {
  const a = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const b = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const stranger = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  t.throws(() => a.remoteAddress(), { code: 'ERR_RENTIO_DGRAM_NOT_CONNECTED' });
  await a.connect(b.address().port, '127.0.0.1');
  t.same(a.remoteAddress(), { address: '127.0.0.1', family: 'IPv4', port: b.address().port });
  const buf = own('x');
  t.throws(() => a.send(buf, { port: 1, address: '127.0.0.1' }), { code: 'ERR_RENTIO_DGRAM_IS_CONNECTED' });
  t.equal(buf.byteLength, 1, 'a refused send takes nothing');
  await t.rejects(a.connect(b.address().port), { code: 'ERR_RENTIO_DGRAM_IS_CONNECTED' });
  await a.send(own('to b'));
  const [n, rb, from] = await b.recv(alloc(16));
  t.equal(text(rb, n), 'to b');
  t.equal(from.port, a.address().port);
  // A connected socket drops datagrams from anyone but its peer.
  await stranger.send(own('from a stranger'), { port: a.address().port, address: '127.0.0.1' });
  await b.send(own('from b'), { port: a.address().port, address: '127.0.0.1' });
  const [n2, rb2, from2] = await a.recv(alloc(32));
  t.equal(text(rb2, n2), 'from b', "the stranger's datagram was filtered by the kernel");
  t.equal(from2.port, b.address().port);
  await a.disconnect();
  t.throws(() => a.remoteAddress(), { code: 'ERR_RENTIO_DGRAM_NOT_CONNECTED' });
  t.throws(() => a.disconnect(), { code: 'ERR_RENTIO_DGRAM_NOT_CONNECTED' });
  // Linux unbinds the port it picked at bind(port 0), as node:dgram shows; the next send binds one.
  t.equal(a.address().port, 0, 'port 0 after disconnect, as node:dgram reports');
  await a.send(own('hi stranger'), { port: stranger.address().port, address: '127.0.0.1' });
  const [, , heard] = await stranger.recv(alloc(32));
  t.equal(heard.port, a.address().port, 'the send bound a new port');
  await stranger.send(own('heard now'), { port: heard.port, address: '127.0.0.1' });
  const [n3, rb3] = await a.recv(alloc(32));
  t.equal(text(rb3, n3), 'heard now', 'after disconnect anyone is heard again');
  await Promise.all([a.close(), b.close(), stranger.close()]);
});

await eachDriver(t, 'connected mode: ICMP port unreachable surfaces as ECONNREFUSED on the next op', async (t, rt) => {
  const gone = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const deadPort = gone.address().port;
  await gone.close();
  const a = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  await a.connect(deadPort, '127.0.0.1');
  const [n] = await a.send(own('anyone?'));
  t.equal(n, 7, 'the send itself succeeds (the datagram left)');
  const err = await a.recv(alloc(64)).catch((e) => e);
  t.match(err, { code: 'ECONNREFUSED', errno: -111, syscall: 'recvmsg', address: '127.0.0.1', port: deadPort });
  t.equal(err.buf.byteLength, 64, 'the buffer comes back with the error');
  // The error is reported once; a later send hits the next ICMP the same way.
  await a.send(own('again'));
  const err2 = await a
    .send(own('and again'))
    .catch((e) => e)
    .then(async (r) => (Array.isArray(r) ? a.recv(alloc(8)).catch((e) => e) : r));
  t.equal(err2.code, 'ECONNREFUSED', 'refused again on a later op');
  await a.close();
});

await eachDriver(t, 'IPv6: ::1 both ways, and a dual-stack socket hears IPv4 as ::ffff:', async (t, rt) => {
  const a = await rt.bindUdp({ type: 'udp6', address: '::1' });
  const b = await rt.bindUdp({ type: 'udp6', address: '::1' });
  t.same(a.address().family, 'IPv6');
  t.equal(a.address().address, '::1');
  await a.send(own('over v6'), { port: b.address().port, address: '::1' });
  const [n, buf, from] = await b.recv(alloc(32));
  t.equal(text(buf, n), 'over v6');
  t.same(from, { address: '::1', family: 'IPv6', port: a.address().port, truncated: false });

  const dual = await rt.bindUdp({ type: 'udp6', address: '::' });
  const v4 = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  await v4.send(own('from v4'), { port: dual.address().port, address: '127.0.0.1' });
  const [n2, buf2, from2] = await dual.recv(alloc(32));
  t.equal(text(buf2, n2), 'from v4');
  t.same(from2, { address: '::ffff:127.0.0.1', family: 'IPv6', port: v4.address().port, truncated: false });
  // A v6-only socket cannot send to an IPv4 address.
  const only = await rt.bindUdp({ type: 'udp6', address: '::', ipv6Only: true });
  await t.rejects(only.send(own('x'), { port: v4.address().port, address: '::ffff:127.0.0.1' }), { code: 'ENETUNREACH' });
  await Promise.all([a.close(), b.close(), dual.close(), v4.close(), only.close()]);
});

await eachDriver(t, 'abort a pending recv: AbortError with the buffer, the socket still receives', async (t, rt) => {
  const a = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const b = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const ac = new AbortController();
  const pending = b.recv(alloc(2048), { signal: ac.signal });
  setImmediate(() => ac.abort(new Error('enough')));
  const err = await pending.catch((e) => e);
  t.equal(err.name, 'AbortError');
  t.equal(err.code, 'ABORT_ERR');
  t.equal(err.cause?.message, 'enough');
  t.equal(err.buf.byteLength, 2048, 'the buffer is handed back');
  await a.send(own('after'), { port: b.address().port, address: '127.0.0.1' });
  const [n, buf] = await b.recv(err.buf);
  t.equal(text(buf, n), 'after', 'nothing lost, the same buffer reused');
  await Promise.all([a.close(), b.close()]);
});

await eachDriver(t, 'closed handles: ops refused synchronously, pending recv rejected with its buffer', async (t, rt) => {
  const a = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const pending = a.recv(alloc(100));
  const closing = a.close();
  const err = await pending.catch((e) => e);
  t.equal(err.code, 'ERR_RENTIO_HANDLE_CLOSED');
  t.equal(err.buf.byteLength, 100);
  await closing;
  const buf = own('late');
  t.throws(() => a.send(buf, { port: 9, address: '127.0.0.1' }), { code: 'ERR_RENTIO_HANDLE_CLOSED' });
  t.equal(buf.byteLength, 4, 'not taken');
  t.throws(() => a.recv(alloc(1)), { code: 'ERR_RENTIO_HANDLE_CLOSED' });
  t.throws(() => a.setTTL(5), { code: 'ERR_RENTIO_HANDLE_CLOSED' });
  await t.rejects(a.connect(9, '127.0.0.1'), { code: 'ERR_RENTIO_HANDLE_CLOSED' });
});

await eachDriver(t, 'misuse: bad destinations and options refused before any syscall, nothing taken', async (t, rt) => {
  const a = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const before = rt.stats().submitted;
  const buf = own('keep');
  t.throws(() => a.send(buf), { code: 'ERR_RENTIO_INVALID_ARG_TYPE' }, 'unconnected send needs a port');
  t.throws(() => a.send(buf, { port: 9 }), { code: 'ERR_RENTIO_INVALID_ARG_TYPE' }, '... and an address');
  t.throws(() => a.send(buf, { port: 9, address: 'localhost' }), { code: 'ERR_RENTIO_INVALID_ARG_VALUE' }, 'numeric addresses only');
  t.throws(() => a.send(buf, { port: 70000, address: '127.0.0.1' }), { code: 'ERR_RENTIO_OUT_OF_RANGE' });
  t.throws(() => a.send(buf, { port: 9, address: '127.0.0.1', length: 5 }), { code: 'ERR_RENTIO_OUT_OF_RANGE' });
  t.throws(() => a.send(Buffer.from('pooled'), { port: 9, address: '127.0.0.1' }), { code: 'ERR_RENTIO_BUFFER_POOLED' });
  t.equal(buf.byteLength, 4, 'nothing taken');
  t.equal(rt.stats().submitted, before, 'no op reached the driver');
  await t.rejects(rt.bindUdp({ type: 'udp5' }), { code: 'ERR_RENTIO_INVALID_ARG_VALUE' });
  await t.rejects(rt.bindUdp({ type: 'udp4', port: -1 }), { code: 'ERR_RENTIO_OUT_OF_RANGE' });
  await t.rejects(rt.bindUdp({ type: 'udp4', address: '127.0.0.1', port: a.address().port }), {
    code: 'EADDRINUSE',
    syscall: 'bind',
    message: `bind EADDRINUSE 127.0.0.1:${a.address().port}`,
  });
  await a.close();
});

await eachDriver(t, 'socket options: set and read back, errors shaped as node:dgram', async (t, rt) => {
  const a = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1', reuseAddr: true });
  const n = dgram.createSocket('udp4');
  await new Promise((resolve) => n.bind(0, '127.0.0.1', resolve));
  a.setBroadcast(true);
  a.setTTL(64);
  a.setMulticastTTL(3);
  a.setMulticastLoopback(false);
  a.setMulticastInterface('127.0.0.1');
  a.setSendBufferSize(65536);
  t.ok(a.getSendBufferSize() >= 65536, 'SO_SNDBUF read back (the kernel doubles it)');
  for (const [call, arg] of [
    ['setTTL', 0],
    ['setTTL', 256],
    ['setMulticastTTL', 300],
  ]) {
    const mine = (() => {
      try {
        a[call](arg);
      } catch (e) {
        return e;
      }
    })();
    const theirs = (() => {
      try {
        n[call](arg);
      } catch (e) {
        return e;
      }
    })();
    t.match(mine, { code: theirs.code, errno: theirs.errno, syscall: theirs.syscall, message: theirs.message }, `${call}(${arg}) as node:dgram`);
  }
  t.throws(() => a.setTTL('64'), { code: 'ERR_RENTIO_INVALID_ARG_TYPE' });
  const reuse = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1', port: a.address().port, reuseAddr: true });
  t.equal(reuse.address().port, a.address().port, 'reuseAddr lets a second socket bind the port');
  await Promise.all([a.close(), reuse.close()]);
  n.close();
});

await eachDriver(t, 'multicast membership on loopback', async (t, rt) => {
  const a = await rt.bindUdp({ type: 'udp4', address: '0.0.0.0' });
  try {
    a.addMembership('239.255.77.1', '127.0.0.1');
  } catch (err) {
    // Some sandboxes give lo no multicast: the kernel's answer is what we report.
    t.match(err, { syscall: 'addMembership' }, `kernel refused: ${err.code}`);
    await a.close();
    return;
  }
  a.setMulticastInterface('127.0.0.1');
  a.setMulticastLoopback(true);
  await a.send(own('to the group'), { port: a.address().port, address: '239.255.77.1' });
  const [n, buf, from] = await a.recv(alloc(64));
  t.equal(text(buf, n), 'to the group', 'looped back to the member');
  t.equal(from.port, a.address().port);
  a.dropMembership('239.255.77.1', '127.0.0.1');
  t.throws(
    () => a.dropMembership('239.255.77.1', '127.0.0.1'),
    { code: 'EADDRNOTAVAIL', syscall: 'dropMembership' },
    "dropping twice is the kernel's EADDRNOTAVAIL",
  );
  t.throws(() => a.addMembership('1.2.3.4'), { code: 'EINVAL', syscall: 'addMembership' }, 'not a multicast group');
  await a.close();
});

await eachDriver(t, 'interop with node:dgram peers, both directions', async (t, rt) => {
  const mine = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1' });
  const theirs = dgram.createSocket('udp4');
  await new Promise((resolve) => theirs.bind(0, '127.0.0.1', resolve));
  const got = new Promise((resolve) => theirs.once('message', (msg, rinfo) => resolve({ msg: msg.toString(), rinfo })));
  await mine.send(own('hello node'), { port: theirs.address().port, address: '127.0.0.1' });
  const { msg, rinfo } = await got;
  t.equal(msg, 'hello node');
  t.same(rinfo, { address: '127.0.0.1', family: 'IPv4', port: mine.address().port, size: 10 });
  const payload = Buffer.alloc(30_000, 7);
  theirs.send(payload, mine.address().port, '127.0.0.1');
  const [n, buf, from] = await mine.recv(alloc(65536));
  t.equal(n, 30_000);
  t.ok(Buffer.from(buf.buffer, 0, n).equals(payload), 'a 30 KB datagram from node:dgram, intact');
  t.same(from, { address: '127.0.0.1', family: 'IPv4', port: theirs.address().port, truncated: false });
  theirs.close();
  await mine.close();
});
