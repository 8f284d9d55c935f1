// compat's node:dgram-compatible socket, against real node:dgram peers: both directions, IPv4
// and IPv6, every send overload, connected mode, errors shaped as node:dgram's, the send queue
// while binding, buffers reusable at once, and an in-order echo of 1,000 datagrams.
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { createSocket, DgramSocket } from '@rentio/compat';
import { DRIVERS, eachDriver } from '../helpers/drivers.mjs';
import { once, settled, slabsLent } from './_helpers.mjs';

/** A node:dgram socket bound on the loopback of `type`, with its datagrams queued in `inbox`. */
async function nodePeer(type = 'udp4') {
  const sock = dgram.createSocket(type);
  const inbox = [];
  const waiters = [];
  sock.on('message', (msg, rinfo) => {
    inbox.push([msg, rinfo]);
    while (waiters.length && inbox.length) waiters.shift()(inbox.shift());
  });
  await new Promise((resolve) => sock.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', resolve));
  const next = () => (inbox.length ? Promise.resolve(inbox.shift()) : new Promise((resolve) => waiters.push(resolve)));
  return { sock, port: sock.address().port, next, close: () => new Promise((resolve) => sock.close(resolve)) };
}

/** The next 'message' of a compat socket as [msg, rinfo]. */
function nextMessage(sock) {
  return once(sock, 'message');
}

/** `cb`-style send as a promise of [err, bytes]. */
function sent(fn) {
  return new Promise((resolve) => fn((err, n) => resolve([err, n])));
}

/** What a thrown error looks like, to compare compat's with node:dgram's. */
function shape(fn) {
  try {
    fn();
    return 'no throw';
  } catch (err) {
    return { ctor: err.constructor.name, code: err.code, message: err.message };
  }
}

async function quiet(t, rt) {
  t.ok(await settled(rt, () => rt.stats().handles === 0 && slabsLent(rt) === 0), 'no socket, op or staging slab left');
}

const closeBoth = (...socks) => Promise.all(socks.map((s) => new Promise((resolve) => s.close(resolve))));

await eachDriver(t, 'argument checks throw what node:dgram throws', async (t, rt) => {
  t.same(
    shape(() => createSocket('udp5')),
    shape(() => dgram.createSocket('udp5')),
    'bad type',
  );
  t.same(
    shape(() => createSocket({ type: 'udp4', signal: 1 })),
    shape(() => dgram.createSocket({ type: 'udp4', signal: 1 })),
    'bad signal',
  );
  t.same(
    shape(() => createSocket({ type: 'udp4', lookup: 1 })),
    shape(() => dgram.createSocket({ type: 'udp4', lookup: 1 })),
    'bad lookup',
  );
  for (const v of ['1', 1.5, -1, 2 ** 32]) {
    t.same(
      shape(() => createSocket({ type: 'udp4', recvBufferSize: v })),
      shape(() => dgram.createSocket({ type: 'udp4', recvBufferSize: v })),
      `recvBufferSize ${v}`,
    );
  }
  const calls = [
    ['send port 0', (s) => s.send('x', 0, '127.0.0.1')],
    ['send port 70000', (s) => s.send('x', 70000, '127.0.0.1')],
    ['send no port', (s) => s.send('x')],
    ['send bad data', (s) => s.send(5, 1234, '127.0.0.1')],
    ['send bad list', (s) => s.send([5], 1234, '127.0.0.1')],
    ['send bad address', (s) => s.send('x', 1234, 5)],
    ['send offset out of bounds', (s) => s.send(Buffer.alloc(2), 5, 1, 1234, '127.0.0.1')],
    ['send length out of bounds', (s) => s.send(Buffer.alloc(2), 1, 5, 1234, '127.0.0.1')],
    ['connect port 0', (s) => s.connect(0)],
    ['connect bad address', (s) => s.connect(1234, 5)],
    ['remoteAddress not connected', (s) => s.remoteAddress()],
    ['disconnect not connected', (s) => s.disconnect()],
    ['setTTL not a number', (s) => s.setTTL('1')],
    ['setMulticastTTL not a number', (s) => s.setMulticastTTL('1')],
    ['setMulticastInterface not a string', (s) => s.setMulticastInterface(1)],
    ['addMembership without a group', (s) => s.addMembership()],
    ['setRecvBufferSize negative', (s) => s.setRecvBufferSize(-1)],
    ['setSendBufferSize not a number', (s) => s.setSendBufferSize('1')],
    ['address before bind', (s) => s.address()],
    ['setTTL before bind', (s) => s.setTTL(5)],
    ['setBroadcast before bind', (s) => s.setBroadcast(true)],
    ['getRecvBufferSize before bind', (s) => s.getRecvBufferSize()],
    ['bind a bad address', (s) => s.bind(0, 5)],
  ];
  for (const [name, call] of calls) {
    const ours = createSocket({ type: 'udp4', runtime: rt });
    const theirs = dgram.createSocket('udp4');
    t.same(
      shape(() => call(ours)),
      shape(() => call(theirs)),
      name,
    );
    for (const s of [ours, theirs]) {
      s.on('error', () => {});
      try {
        s.close();
      } catch {
        // already closed by the test
      }
    }
  }
  const ours = createSocket({ type: 'udp4', runtime: rt });
  const theirs = dgram.createSocket('udp4');
  for (const s of [ours, theirs]) s.bind(0, '127.0.0.1');
  t.same(
    shape(() => ours.bind(0)),
    shape(() => theirs.bind(0)),
    'bind twice: ERR_SOCKET_ALREADY_BOUND',
  );
  await Promise.all([once(ours, 'listening'), once(theirs, 'listening')]);
  t.same(
    shape(() => ours.connect(1234) || ours.connect(1234)),
    shape(() => theirs.connect(1234) || theirs.connect(1234)),
    'connect twice: ERR_SOCKET_DGRAM_IS_CONNECTED',
  );
  await Promise.all([once(ours, 'connect'), once(theirs, 'connect')]);
  t.same(
    shape(() => ours.send('x', 1, 1, 1234)),
    shape(() => theirs.send('x', 1, 1, 1234)),
    'a destination on a connected socket',
  );
  await closeBoth(ours, theirs);
  for (const [name, call] of [
    ['close', (s) => s.close()],
    ['send', (s) => s.send('x', 1234, '127.0.0.1')],
    ['bind', (s) => s.bind(0)],
    ['address', (s) => s.address()],
    ['connect', (s) => s.connect(1234)],
    ['remoteAddress', (s) => s.remoteAddress()],
  ]) {
    t.same(
      shape(() => call(ours)),
      shape(() => call(theirs)),
      `${name} after close: ERR_SOCKET_DGRAM_NOT_RUNNING`,
    );
  }
  t.equal(ours.ref(), ours, 'ref() returns this');
  t.equal(ours.unref(), ours, 'unref() returns this');
  await quiet(t, rt);
});

for (const type of ['udp4', 'udp6']) {
  const lo = type === 'udp4' ? '127.0.0.1' : '::1';
  const family = type === 'udp4' ? 'IPv4' : 'IPv6';

  await eachDriver(t, `${type}: compat → node:dgram and node:dgram → compat`, async (t, rt) => {
    const peer = await nodePeer(type);
    const events = [];
    const sock = createSocket({ type, runtime: rt });
    t.ok(sock instanceof DgramSocket, 'a DgramSocket');
    sock.on('listening', () => events.push('listening'));
    const data = Buffer.from('hello from compat');
    // Implicit bind: the send waits in the queue until the socket is bound.
    const result = sent((cb) =>
      sock.send(data, peer.port, lo, (err, n) => {
        events.push('sent');
        cb(err, n);
      }),
    );
    data.fill(0); // the caller may reuse its buffer as soon as send() returns
    t.same(await result, [null, 17], 'callback (null, bytes)');
    t.same(events, ['listening', 'sent'], "implicit bind: 'listening' before the send's callback");
    const [msg, rinfo] = await peer.next();
    t.equal(msg.toString(), 'hello from compat', 'node:dgram got the bytes as they were at send()');
    const addr = sock.address();
    t.same(rinfo, { address: lo, family, port: addr.port, size: 17 }, "node:dgram's rinfo names compat's port");
    t.equal(addr.family, family);

    const got = nextMessage(sock);
    peer.sock.send('hello from node', addr.port, lo);
    const [m2, r2] = await got;
    t.ok(Buffer.isBuffer(m2), 'message is a Buffer');
    t.equal(m2.toString(), 'hello from node');
    t.same(r2, { address: lo, family, port: peer.port, size: 15 }, 'rinfo { address, family, port, size }');

    // An empty datagram is a message, not an end.
    const empty = nextMessage(sock);
    peer.sock.send(Buffer.alloc(0), addr.port, lo);
    const [m3, r3] = await empty;
    t.equal(m3.length, 0, 'an empty datagram arrives as an empty message');
    t.equal(r3.size, 0);

    // The largest datagram arrives whole: the receive window holds any UDP payload.
    const max = type === 'udp4' ? 65507 : 65527;
    const bigData = Buffer.alloc(max, 7);
    bigData[max - 1] = 9;
    const big = nextMessage(sock);
    peer.sock.send(bigData, addr.port, lo);
    const [m4, r4] = await big;
    t.equal(r4.size, max, `a ${max}-byte datagram (the largest) arrives with size ${max}`);
    t.ok(m4.equals(bigData), 'every byte of it');
    t.same(await sent((cb) => sock.send(bigData, peer.port, lo, cb)), [null, max], 'and goes out whole');
    t.equal((await peer.next())[0].length, max);

    await closeBoth(sock);
    await peer.close();
    await quiet(t, rt);
  });

  await eachDriver(t, `${type}: every send overload`, async (t, rt) => {
    const peer = await nodePeer(type);
    const sock = createSocket({ type, runtime: rt });
    await new Promise((resolve) => sock.bind(0, lo, resolve));
    const buf = Buffer.from('0123456789');
    const cases = [
      ['(buf, offset, length, port, address, cb)', (cb) => sock.send(buf, 2, 3, peer.port, lo, cb), '234'],
      ['(buf, offset, length, port, cb) to the loopback', (cb) => sock.send(buf, 0, 4, peer.port, cb), '0123'],
      ['(buf, port, address, cb)', (cb) => sock.send(buf, peer.port, lo, cb), '0123456789'],
      ['(string, port, cb) to the loopback', (cb) => sock.send('text', peer.port, cb), 'text'],
      [
        '(list, port, address, cb): one datagram',
        (cb) => sock.send(['ab', Buffer.from('cd'), new Uint8Array([101]), new DataView(new Uint8Array([102]).buffer)], peer.port, lo, cb),
        'abcdef',
      ],
      [
        '(Uint8Array window, offset, length, ...)',
        (cb) => sock.send(new Uint8Array(buf.buffer, buf.byteOffset + 5, 5), 1, 2, peer.port, lo, cb),
        '67',
      ],
      ['(empty list, port, address, cb)', (cb) => sock.send([], peer.port, lo, cb), ''],
    ];
    for (const [name, call, want] of cases) {
      const [err, n] = await sent(call);
      t.equal(err, null, `${name}: no error`);
      t.equal(n, Buffer.byteLength(want), `${name}: bytes`);
      t.equal((await peer.next())[0].toString(), want, `${name}: datagram`);
    }
    // No callback, port as a numeric string.
    sock.send('nocb', String(peer.port), lo);
    t.equal((await peer.next())[0].toString(), 'nocb', 'without a callback, port as a numeric string');
    await closeBoth(sock);
    await peer.close();
    await quiet(t, rt);
  });

  await eachDriver(t, `${type}: connected mode`, async (t, rt) => {
    const peer = await nodePeer(type);
    const other = await nodePeer(type);
    const sock = createSocket({ type, runtime: rt });
    await new Promise((resolve) => sock.bind(0, lo, resolve));
    const port = sock.address().port;
    const events = [];
    sock.connect(peer.port, lo, () => events.push('cb'));
    sock.on('connect', () => events.push('connect'));
    t.throws(() => sock.remoteAddress(), { code: 'ERR_SOCKET_DGRAM_NOT_CONNECTED' }, 'not connected until connect completes');
    await once(sock, 'connect');
    t.same(events, ['cb', 'connect'], "callback is a 'connect' listener");
    t.same(sock.remoteAddress(), { address: lo, family, port: peer.port }, 'remoteAddress()');
    t.throws(() => sock.send('x', peer.port, lo, () => {}), { code: 'ERR_SOCKET_DGRAM_IS_CONNECTED' }, 'a destination is refused');
    t.same(await sent((cb) => sock.send('connected', cb)), [null, 9], 'send(msg, cb)');
    t.equal((await peer.next())[0].toString(), 'connected', 'went to the peer');
    t.same(await sent((cb) => sock.send(Buffer.from('xxwindowxx'), 2, 6, cb)), [null, 6], 'send(buf, offset, length, cb)');
    t.equal((await peer.next())[0].toString(), 'window');
    // Only the peer's datagrams arrive: the other's, sent first, is dropped by the kernel.
    const got = nextMessage(sock);
    other.sock.send('not for you', port, lo, () => peer.sock.send('from peer', port, lo));
    const [msg, rinfo] = await got;
    t.equal(msg.toString(), 'from peer', 'a datagram from another address is not delivered');
    t.equal(rinfo.port, peer.port);

    sock.disconnect();
    t.throws(() => sock.remoteAddress(), { code: 'ERR_SOCKET_DGRAM_NOT_CONNECTED' }, 'disconnect() dissolves it');
    t.same(await sent((cb) => sock.send('again', other.port, lo, cb)), [null, 5], 'a destination is accepted again');
    t.equal((await other.next())[0].toString(), 'again');

    // An unreachable peer: ICMP port-unreachable surfaces as 'error' (recvmsg ECONNREFUSED), as node:dgram.
    const deadPort = other.port;
    await other.close();
    const refused = createSocket({ type, runtime: rt });
    await new Promise((resolve) => refused.connect(deadPort, lo, resolve));
    const errored = once(refused, 'error');
    refused.send('anyone?');
    const [err] = await errored;
    t.match(err, { code: 'ECONNREFUSED', syscall: 'recvmsg', errno: -111, message: 'recvmsg ECONNREFUSED' }, 'ECONNREFUSED as node:dgram reports it');
    await closeBoth(sock, refused);
    await peer.close();
    await quiet(t, rt);
  });
}

await eachDriver(t, '1,000 datagrams echoed in order', async (t, rt) => {
  const echo = createSocket({ type: 'udp4', runtime: rt }, (msg, rinfo) => echo.send(msg, rinfo.port, rinfo.address));
  await new Promise((resolve) => echo.bind(0, '127.0.0.1', resolve));
  const client = createSocket({ type: 'udp4', runtime: rt });
  const total = 1000;
  const window = 32; // in flight at once: enough to batch, few enough never to overrun a receive buffer
  const got = [];
  let next = 0;
  const buf = Buffer.alloc(512);
  const sendNext = () => {
    const i = next++;
    const size = 4 + ((i * 37) % 500);
    buf.fill(i & 0xff, 0, size);
    buf.writeUInt32BE(i, 0);
    client.send(buf, 0, size, echo.address().port, '127.0.0.1'); // buf is reused for the next one at once
  };
  const done = new Promise((resolve) => {
    client.on('message', (msg) => {
      got.push(msg);
      if (next < total) sendNext();
      if (got.length === total) resolve();
    });
  });
  for (let i = 0; i < window; i++) sendNext();
  await done;
  let bad = 0;
  got.forEach((msg, i) => {
    const size = 4 + ((i * 37) % 500);
    if (msg.length !== size || msg.readUInt32BE(0) !== i || msg.subarray(4).some((b) => b !== (i & 0xff))) bad++;
  });
  t.equal(got.length, total, 'all echoed');
  t.equal(bad, 0, 'each in order, with its size and bytes');
  await closeBoth(echo, client);
  await quiet(t, rt);
});

await eachDriver(t, 'bind errors are shaped as node:dgram', async (t, rt) => {
  const holder = dgram.createSocket('udp4');
  await new Promise((resolve) => holder.bind(0, resolve));
  const port = holder.address().port;
  const theirs = dgram.createSocket({ type: 'udp4', reuseAddr: false });
  theirs.bind(port);
  const [want] = await once(theirs, 'error');
  const ours = createSocket({ type: 'udp4', reuseAddr: false, runtime: rt });
  ours.bind(port);
  const [err] = await once(ours, 'error');
  t.equal(err.message, `bind EADDRINUSE 0.0.0.0:${port}`, 'message');
  t.same({ ...err }, { ...want }, 'errno, code, syscall, address, port as node:dgram');
  t.same(Object.keys(err).sort(), Object.keys(want).sort(), 'the same fields');
  // The bind can be retried elsewhere after a failure, as node:dgram's.
  await new Promise((resolve) => ours.bind(0, '127.0.0.1', resolve));
  t.equal(ours.address().address, '127.0.0.1', 'bound on retry');
  // A failed bind with queued sends drops them (as node:dgram) and gives their slabs back.
  const dropped = createSocket({ type: 'udp4', runtime: rt });
  dropped.on('error', () => {});
  dropped.bind(port);
  let called = false;
  dropped.send('never', 9, '127.0.0.1', () => (called = true));
  await once(dropped, 'error');
  t.notOk(called, 'queued send dropped without a callback');
  // reuseAddr: true on both sockets lets them share a port, as with node:dgram.
  const first = createSocket({ type: 'udp4', reuseAddr: true, runtime: rt });
  await new Promise((resolve) => first.bind(0, '127.0.0.1', resolve));
  const second = createSocket({ type: 'udp4', reuseAddr: true, runtime: rt });
  await new Promise((resolve) => second.bind(first.address().port, '127.0.0.1', resolve));
  t.equal(second.address().port, first.address().port, 'reuseAddr: a second socket binds the same port');
  await closeBoth(ours, dropped, first, second);
  theirs.close();
  holder.close();
  await quiet(t, rt);
});

await eachDriver(t, 'socket options on the loopback: what node:dgram accepts, and its errors', async (t, rt) => {
  const ours = createSocket({ type: 'udp4', runtime: rt, recvBufferSize: 65536, sendBufferSize: 65536 });
  const theirs = dgram.createSocket({ type: 'udp4', recvBufferSize: 65536, sendBufferSize: 65536 });
  await Promise.all([ours, theirs].map((s) => new Promise((resolve) => s.bind(0, '127.0.0.1', resolve))));
  t.equal(ours.getRecvBufferSize(), theirs.getRecvBufferSize(), 'recvBufferSize option applied on bind (as the kernel reports it)');
  t.equal(ours.getSendBufferSize(), theirs.getSendBufferSize(), 'sendBufferSize option applied on bind');
  const calls = [
    ['setBroadcast(true)', (s) => s.setBroadcast(true)],
    ['setTTL(64)', (s) => s.setTTL(64)],
    ['setTTL(0)', (s) => s.setTTL(0)],
    ['setTTL(300)', (s) => s.setTTL(300)],
    ['setMulticastTTL(5)', (s) => s.setMulticastTTL(5)],
    ['setMulticastTTL(300)', (s) => s.setMulticastTTL(300)],
    ['setMulticastLoopback(true)', (s) => s.setMulticastLoopback(true)],
    ['setMulticastInterface(127.0.0.1)', (s) => s.setMulticastInterface('127.0.0.1')],
    ['setMulticastInterface(foo)', (s) => s.setMulticastInterface('foo')],
    ['addMembership(224.0.0.114)', (s) => s.addMembership('224.0.0.114')],
    ['addMembership(224.0.0.115, 127.0.0.1)', (s) => s.addMembership('224.0.0.115', '127.0.0.1')],
    ['addMembership(foo)', (s) => s.addMembership('foo')],
    ['dropMembership(224.0.0.114)', (s) => s.dropMembership('224.0.0.114')],
    ['dropMembership(224.0.0.114) again', (s) => s.dropMembership('224.0.0.114')],
    ['setRecvBufferSize(100000)', (s) => s.setRecvBufferSize(100000)],
  ];
  for (const [name, call] of calls)
    t.same(
      shape(() => call(ours)),
      shape(() => call(theirs)),
      name,
    );
  t.equal(ours.getRecvBufferSize(), theirs.getRecvBufferSize(), 'setRecvBufferSize took effect');
  // Broadcast sends are allowed once setBroadcast(true): the kernel refused before (EACCES).
  const plain = createSocket({ type: 'udp4', runtime: rt });
  const [err] = await sent((cb) => plain.send('x', 9, '255.255.255.255', cb));
  t.match(
    err,
    { code: 'EACCES', syscall: 'send', message: 'send EACCES 255.255.255.255:9', address: '255.255.255.255', port: 9 },
    'broadcast without SO_BROADCAST: EACCES to the callback',
  );
  await closeBoth(ours, theirs, plain);
  await quiet(t, rt);
});

await eachDriver(t, 'send errors go to the callback as node:dgram reports them', async (t, rt) => {
  const sock = createSocket({ type: 'udp4', runtime: rt });
  const [big] = await sent((cb) => sock.send(Buffer.alloc(70000), 9, '127.0.0.1', cb));
  t.match(big, { code: 'EMSGSIZE', syscall: 'send', message: 'send EMSGSIZE 127.0.0.1:9' }, 'a datagram too large: EMSGSIZE');
  const [fam] = await sent((cb) => sock.send('x', 9, '::1', cb));
  t.match(fam, { code: 'EINVAL', message: 'send EINVAL ::1:9' }, 'an address of the other family: EINVAL, as node:dgram');
  // No callback: a failed send is dropped, as node:dgram does (no 'error').
  let errors = 0;
  sock.on('error', () => errors++);
  sock.send(Buffer.alloc(70000), 9, '127.0.0.1');
  t.same(await sent((cb) => sock.send('after', 9, '127.0.0.1', cb)), [null, 5], 'the socket still sends');
  t.equal(errors, 0, "no 'error' for a failed send without a callback");
  await closeBoth(sock);

  // Name lookups through options.lookup: an error goes to the callback, or to 'error' without one.
  const calls = [];
  const lookup = (host, family, cb) => {
    calls.push([host, family]);
    if (host === 'bad.example') process.nextTick(cb, Object.assign(new Error('getaddrinfo ENOTFOUND bad.example'), { code: 'ENOTFOUND' }));
    else process.nextTick(cb, null, '127.0.0.1', 4);
  };
  const peer = await nodePeer();
  const named = createSocket({ type: 'udp4', lookup, runtime: rt });
  t.same(await sent((cb) => named.send('named', peer.port, 'peer.example', cb)), [null, 5], 'a name resolved with options.lookup');
  t.equal((await peer.next())[0].toString(), 'named');
  const [lerr] = await sent((cb) => named.send('x', peer.port, 'bad.example', cb));
  t.equal(lerr.code, 'ENOTFOUND', 'lookup error to the callback');
  const errored = once(named, 'error');
  named.send('x', peer.port, 'bad.example');
  t.equal((await errored)[0].code, 'ENOTFOUND', "lookup error without a callback: 'error'");
  t.same(
    calls.map((c) => c[1]),
    [4, 4, 4, 4],
    'lookup asked for the socket family (bind, then each send)',
  );
  await closeBoth(named);
  await peer.close();
  await quiet(t, rt);
});

await eachDriver(t, "close: 'close' once closed, the receive cancelled, signal and asyncDispose", async (t, rt) => {
  const sock = createSocket({ type: 'udp4', runtime: rt });
  await new Promise((resolve) => sock.bind(0, '127.0.0.1', resolve));
  t.equal(rt.stats().inFlight, 1, 'a bound socket keeps one receive in flight');
  const order = [];
  sock.close(() => order.push('cb'));
  sock.on('close', () => order.push('close'));
  await once(sock, 'close');
  t.same(order, ['cb', 'close'], "close(cb): cb is a 'close' listener");
  await quiet(t, rt);

  // close() while binding: no 'listening', the socket made by the bind is closed.
  const early = createSocket({ type: 'udp4', runtime: rt });
  let listening = false;
  early.on('listening', () => (listening = true));
  early.bind(0, '127.0.0.1');
  early.close();
  await once(early, 'close');
  t.notOk(listening, "closed while binding: no 'listening'");
  await quiet(t, rt);

  const ac = new AbortController();
  const aborted = createSocket({ type: 'udp4', signal: ac.signal, runtime: rt });
  await new Promise((resolve) => aborted.bind(0, '127.0.0.1', resolve));
  ac.abort();
  await once(aborted, 'close');
  t.throws(() => aborted.send('x', 9, '127.0.0.1'), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }, 'the signal closed it');

  const disposed = createSocket({ type: 'udp6', runtime: rt });
  await new Promise((resolve) => disposed.bind(0, '::1', resolve));
  t.equal(disposed.address().family, 'IPv6');
  await disposed[Symbol.asyncDispose]();
  t.throws(() => disposed.address(), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' }, 'Symbol.asyncDispose closed it');
  await quiet(t, rt);
});

t.test('a closed socket lets the process exit (unref(): see ref-unref.test.mjs)', (t) => {
  // The child binds, echoes one datagram with itself, closes, and must exit on its own.
  const child = fileURLToPath(new URL('./fixtures/dgram-exit.mjs', import.meta.url));
  for (const driver of DRIVERS) {
    const r = spawnSync(process.execPath, [child, driver], { encoding: 'utf8', timeout: 60_000 });
    t.equal(r.status, 0, `[${driver}] exited on its own: ${r.stderr}`);
    t.equal(r.stdout.trim(), 'ok', `[${driver}] and echoed first`);
  }
  t.end();
});
