// Faults a peer causes (issue 6, cases 1–4): a reset (linger 0), a peer that closed (EPIPE, no
// SIGPIPE), half-close both ways, refused connects and a connect aborted while the SYN waits.
// Each case runs once per driver with the same assertions; peers are node:net sockets, so what
// the kernel sees does not depend on the driver under test.
import t from 'tap';
import net from 'node:net';
import { alloc, own } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { addressOf, fdCount, readExactly, readToEnd } from '../helpers/util.mjs';
import { closedPort, delay, nodeServer, settled } from '../helpers/reliability.mjs';

// Node ignores SIGPIPE, so a send without MSG_NOSIGNAL would go unnoticed; a listener makes libuv
// install a real handler, and every SIGPIPE the kernel raises is counted.
// Each case counts the signals raised while it ran.
let sigpipes = 0;
process.on('SIGPIPE', () => sigpipes++);

/** Connect `rt` to a node:net server; resolves [rentio stream, node socket]. */
async function pairWithNode(t, rt, onSocket = () => {}) {
  let peer;
  const accepted = new Promise((resolve) => {
    peer = resolve;
  });
  const { port } = await nodeServer(t, (sock) => {
    onSocket(sock);
    peer(sock);
  });
  const s = await rt.connect({ host: '127.0.0.1', port });
  return [s, await accepted];
}

const closedEvent = (sock) => new Promise((resolve) => (sock.destroyed && sock.closed ? resolve() : sock.once('close', resolve)));

await eachDriver(t, 'peer reset: a pending read rejects ECONNRESET with its buffer', async (t, rt) => {
  const [s, peer] = await pairWithNode(t, rt);
  const buf = alloc(64);
  const addr = addressOf(buf);
  const reading = settled(s.read(buf));
  await delay(5);
  peer.resetAndDestroy();
  const r = await reading;
  t.equal(r.error?.code, 'ECONNRESET', 'read rejects ECONNRESET');
  t.equal(r.error?.syscall, 'read');
  t.equal(r.error?.errno, -104);
  t.equal(r.buf?.byteLength, 64, 'err.buf is the buffer');
  t.equal(addressOf(r.buf), addr, 'the same memory');
  const w = await settled(s.write(own('after')));
  t.equal(w.error?.code, 'EPIPE', 'a write after the reset was reported is EPIPE');
  t.equal(w.buf?.byteLength, 5);
  await t.resolves(s.shutdown(), 'shutdown after a reset resolves (the connection is already gone, as node:net treats it)');
  await t.resolves(s.close());
  t.equal(rt.stats().inFlight, 0);
});

await eachDriver(t, 'peer reset: the first write after it rejects ECONNRESET, then reads see it too', async (t, rt) => {
  const sig0 = sigpipes;
  const [s, peer] = await pairWithNode(t, rt);
  peer.resetAndDestroy();
  await closedEvent(peer);
  await delay(5); // loopback delivers the RST inside the peer's close; leave margin anyway
  const buf = own('hello');
  const w = await settled(s.write(buf));
  t.equal(w.error?.code, 'ECONNRESET', 'write rejects ECONNRESET');
  t.equal(w.error?.syscall, 'write');
  t.equal(w.buf?.byteLength, 5, 'err.buf is the buffer');
  const w2 = await settled(s.writeAll(own('again')));
  t.equal(w2.error?.code, 'EPIPE', 'later writes are EPIPE');
  t.equal(w2.error?.bytesWritten, 0);
  const r = await settled(s.read(alloc(8)));
  t.ok(r.value?.[0] === 0 || r.error?.code === 'ECONNRESET', `a read after the reset gives EOF or ECONNRESET (${r.error?.code ?? r.value?.[0]})`);
  t.equal(r.buf?.byteLength, 8);
  await t.resolves(s.shutdown('both'), 'shutdown after a reset resolves');
  await s.close();
  t.equal(sigpipes - sig0, 0, 'no SIGPIPE');
  t.equal(rt.stats().inFlight, 0);
});

/** Writes to a stream whose peer closed, after reading its FIN: results and SIGPIPEs raised. */
async function writesAfterPeerClosed(t, rt, write) {
  const [s] = await pairWithNode(t, rt, (sock) => sock.destroy());
  const [n] = await s.read(alloc(8));
  t.equal(n, 0, "the peer's FIN reads as EOF");
  const sig0 = sigpipes;
  // The first write after the FIN is accepted by the kernel and answered with a RST; the kernel
  // then reports EPIPE (tcp_reset in CLOSE_WAIT) to this and every later write.
  const results = [];
  for (let i = 0; i < 4; i++) {
    results.push(await settled(write(s)));
    if (i === 0) await delay(5);
  }
  await delay(10); // a signal would have been delivered by now
  await s.close();
  return { errors: results.slice(1).map((r) => r.error), raised: sigpipes - sig0 };
}

await eachDriver(t, 'write / writeAll to a peer that closed: EPIPE with the buffer, no SIGPIPE', async (t, rt) => {
  for (const how of ['write', 'writeAll']) {
    const { errors, raised } = await writesAfterPeerClosed(t, rt, (s) => s[how](own('x'.repeat(100))));
    t.same(
      errors.map((e) => e?.code),
      ['EPIPE', 'EPIPE', 'EPIPE'],
      `${how}: every write after the RST fails with EPIPE`,
    );
    t.ok(
      errors.every((e) => e?.buf?.byteLength === 100),
      `${how}: err.buf is the buffer`,
    );
    t.equal(raised, 0, `${how}: no SIGPIPE raised`);
  }
  t.equal(rt.stats().inFlight, 0);
});

await eachDriver(t, 'writev to a peer that closed: EPIPE with the buffers, no SIGPIPE', async (t, rt) => {
  const { errors, raised } = await writesAfterPeerClosed(t, rt, (s) => s.writev([own('ab'), own('cd')]));
  t.same(
    errors.map((e) => e?.code),
    ['EPIPE', 'EPIPE', 'EPIPE'],
    'every writev after the RST fails with EPIPE',
  );
  t.ok(
    errors.every((e) => e?.bufs?.length === 2 && e.bufs.every((b) => b.byteLength === 2)),
    'err.bufs are the buffers',
  );
  t.equal(raised, 0, `no SIGPIPE raised (${raised})`);
  t.equal(rt.stats().inFlight, 0);
});

await eachDriver(t, 'half-close: after the peer FIN reads give 0 and writes still reach it', async (t, rt) => {
  let received = '';
  let peerEnd;
  const peerEnded = new Promise((resolve) => (peerEnd = resolve));
  const [s] = await pairWithNode(t, rt, (sock) => {
    sock.on('data', (d) => (received += d));
    sock.on('end', peerEnd);
    sock.end('bye'); // data then FIN; the peer's read side stays open
  });
  t.equal((await readToEnd(s)).toString(), 'bye', 'data before the FIN arrives');
  for (let i = 0; i < 3; i++) t.equal((await s.read(alloc(4)))[0], 0, `read ${i + 1} after EOF gives 0`);
  await s.writeAll(own('still here'));
  await s.shutdown();
  await peerEnded;
  t.equal(received, 'still here', 'the write after the peer FIN reached the peer');
  await s.close();
});

await eachDriver(t, 'half-close, the other way: after our FIN the peer still writes and we read', async (t, rt) => {
  const sig0 = sigpipes;
  let peerSaw = '';
  const [s, peer] = await pairWithNode(t, rt, (sock) => {
    sock.on('data', (d) => (peerSaw += d));
    sock.on('end', () => {
      // Our FIN arrived: the peer still sends, then ends.
      sock.end('reply after your FIN');
    });
  });
  await s.writeAll(own('request'));
  await s.shutdown('write');
  const reply = await readToEnd(s);
  t.equal(reply.toString(), 'reply after your FIN', 'reads work after our write side is shut');
  t.equal(peerSaw, 'request');
  const w = await settled(s.write(own('late')));
  t.equal(w.error?.code, 'EPIPE', 'writing after our own shutdown is EPIPE');
  t.equal(w.buf?.byteLength, 4);
  t.equal(sigpipes - sig0, 0, 'no SIGPIPE');
  await s.close();
  await closedEvent(peer);
});

await eachDriver(t, 'connect refused 100 times in a row: ECONNREFUSED each time, nothing leaked', async (t, rt) => {
  const port = await closedPort();
  const fds = fdCount();
  const handles = rt.stats().handles;
  const codes = new Map();
  for (let i = 0; i < 100; i++) {
    const err = await rt.connect({ host: '127.0.0.1', port }).then(
      () => null,
      (e) => e,
    );
    codes.set(err?.code, (codes.get(err?.code) ?? 0) + 1);
    if (i === 0) t.match(err, { code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: '127.0.0.1', port }, 'the Node-style shape');
  }
  t.same([...codes], [['ECONNREFUSED', 100]], 'ECONNREFUSED every time');
  t.equal(rt.stats().handles, handles, 'no handle left behind');
  t.equal(rt.stats().inFlight, 0);
  t.equal(fdCount(), fds, 'no fd leaked');
});

await eachDriver(t, 'connect aborted by its signal while the SYN goes unanswered', async (t, rt) => {
  // A listener with a full accept queue drops SYNs, so a connect to it stays pending.
  const l = await rt.listen({ host: '127.0.0.1', port: 0, backlog: 0 });
  const port = l.address().port;
  const fillers = [];
  for (let i = 0; i < 8; i++) fillers.push(net.connect(port, '127.0.0.1').on('error', () => {}));
  t.teardown(() => fillers.forEach((f) => f.destroy()));
  await delay(20);
  const fds = fdCount();
  const handles = rt.stats().handles;
  const ac = new AbortController();
  const connecting = settled(rt.connect({ host: '127.0.0.1', port, signal: ac.signal }));
  await delay(30);
  t.equal(rt.stats().inFlight, 1, 'the connect is pending');
  ac.abort(new Error('gave up'));
  const r = await connecting;
  t.match(r.error, { name: 'AbortError', code: 'ABORT_ERR' }, 'rejects with AbortError');
  t.equal(r.error?.cause?.message, 'gave up', 'the reason is the cause');
  t.equal(rt.stats().inFlight, 0);
  t.equal(rt.stats().handles, handles, 'the half-made stream was closed');
  t.equal(fdCount(), fds, 'its socket fd was closed');
  // The same runtime connects fine afterwards.
  fillers.forEach((f) => f.destroy());
  const other = await rt.listen({ host: '127.0.0.1', port: 0 });
  const [c, s] = await Promise.all([rt.connect({ host: '127.0.0.1', port: other.address().port }), other.accept()]);
  await c.writeAll(own('ok'));
  t.equal((await readExactly(s, 2)).toString(), 'ok');
  await Promise.all([c.close(), s.close(), other.close(), l.close()]);
});
