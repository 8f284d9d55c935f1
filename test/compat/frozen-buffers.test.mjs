// The buffer rule: compat never hands user memory to the kernel. A Buffer changed right after
// write() returns must still reach the peer as written; a chunk compat pushed must never change
// afterwards, however much more is read.
import net from 'node:net';
import t from 'tap';
import { connect } from '@rentio/compat';
import { eachDriver } from '../helpers/drivers.mjs';
import { closed, once, settled, slabsLent } from './_helpers.mjs';

/** Deterministic bytes for write #i. */
function pattern(i, size) {
  const b = Buffer.allocUnsafe(size);
  for (let k = 0; k < size; k++) b[k] = (i * 131 + k * 7) & 0xff;
  return b;
}

/** A plain node:net server; resolves { port, conn: Promise<net.Socket> } for its first connection. */
async function netPeer(t) {
  let resolveConn;
  const conn = new Promise((r) => (resolveConn = r));
  const server = net.createServer((s) => resolveConn(s));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  return { port: server.address().port, conn };
}

function collect(sock) {
  const chunks = [];
  sock.on('data', (c) => chunks.push(c));
  return new Promise((resolve) => sock.on('end', () => resolve(Buffer.concat(chunks))));
}

await eachDriver(t, 'a buffer zeroed right after write() returns reaches the peer as written', async (t, rt) => {
  const { port, conn } = await netPeer(t);
  const sock = connect({ host: '127.0.0.1', port, runtime: rt });
  const connected = once(sock, 'connect');
  const expected = [];
  const write = (i, size) => {
    const b = pattern(i, size);
    expected.push(Buffer.from(b));
    const ok = sock.write(b);
    b.fill(0); // the caller reuses its buffer at once
    return ok;
  };
  // Before the connect completed: staged while connecting.
  t.ok(sock.connecting, 'connecting');
  write(0, 100);
  write(1, 70_000);
  const received = collect(await conn);
  await connected;
  // Direct writes and writes queued behind one in flight, from 1 byte to larger than a slab.
  const sizes = [1, 13, 4096, 65_536, 65_537, 200_000, 3, 17];
  let i = 2;
  for (let round = 0; round < 20; round++) {
    for (const size of sizes) write(i++, size);
    if (round % 10 === 0) write(i++, 1_000_000);
    // Corked: many small writes packed into one slab, then released together.
    sock.cork();
    for (let k = 0; k < 50; k++) write(i++, 1 + ((k * 37) % 900));
    process.nextTick(() => sock.uncork());
    if (round % 5 === 4) await once(sock, 'drain').catch(() => {});
  }
  // A typed array that is not a Buffer, and end(chunk).
  const u8 = new Uint8Array(pattern(i++, 5000));
  expected.push(Buffer.from(u8));
  sock.write(u8);
  u8.fill(0);
  const last = pattern(i, 123_456);
  expected.push(Buffer.from(last));
  sock.end(last);
  last.fill(0xee);
  const got = await received;
  const want = Buffer.concat(expected);
  t.equal(got.length, want.length, `peer got ${want.length} bytes`);
  t.ok(got.equals(want), 'every byte as it was when write() returned');
  sock.destroy();
  await closed(sock);
  t.ok(await settled(rt, () => slabsLent(rt) === 0 && rt.stats().handles === 0), 'staging slabs all back in the pool');
});

await eachDriver(t, 'chunks pushed to the reader never change while 10 MiB more are read', async (t, rt) => {
  const { port, conn } = await netPeer(t);
  const sock = connect({ host: '127.0.0.1', port, runtime: rt });
  const peer = await conn;
  const TOTAL = 12 * 1024 * 1024;
  const KEEP = 1024 * 1024;
  const data = pattern(7, TOTAL);
  peer.end(data);
  const kept = []; // [chunk as pushed, copy made when it arrived]
  let keptBytes = 0;
  let after = 0;
  const all = [];
  for await (const chunk of sock) {
    all.push(chunk);
    if (keptBytes < KEEP) {
      kept.push([chunk, Buffer.from(chunk)]);
      keptBytes += chunk.length;
    } else {
      after += chunk.length;
    }
  }
  t.ok(after >= 10 * 1024 * 1024, `read ${after} bytes after the kept chunks`);
  t.ok(
    kept.every(([c, copy]) => c.equals(copy)),
    `none of the ${kept.length} kept chunks changed`,
  );
  t.ok(Buffer.concat(all).equals(data), 'the stream is byte-exact');
  await closed(sock);
  t.ok(await settled(rt, () => slabsLent(rt) === 0 && rt.stats().handles === 0), 'read slabs all back in the pool');
});

await eachDriver(t, "a write's callback runs once its bytes completed; a failed write gets its own error", async (t, rt) => {
  const { port, conn } = await netPeer(t);
  // No read pending (pauseOnCreate), so the write is what meets the reset, not a read.
  const sock = connect({ host: '127.0.0.1', port, runtime: rt, pauseOnCreate: true });
  const peer = await conn;
  let peerGot = 0;
  peer.on('data', (c) => (peerGot += c.length));
  await new Promise((resolve, reject) => sock.write(Buffer.alloc(1000, 1), (err) => (err ? reject(err) : resolve())));
  t.pass('first write acknowledged without error');
  // The peer resets the connection; the next write is the one that fails.
  const peerClosed = once(peer, 'close');
  peer.resetAndDestroy();
  await peerClosed;
  const errors = [];
  sock.on('error', (e) => errors.push(e));
  const writeErr = await new Promise((resolve) => {
    const tryWrite = () => sock.write(Buffer.alloc(100_000, 2), (err) => (err ? resolve(err) : setImmediate(tryWrite)));
    tryWrite();
  });
  t.ok(['ECONNRESET', 'EPIPE'].includes(writeErr.code), `the failing write's callback got ${writeErr.code}`);
  t.equal(writeErr.syscall, 'write');
  await closed(sock);
  t.equal(errors[0], writeErr, "the stream's 'error' is that same error");
  t.ok(await settled(rt, () => slabsLent(rt) === 0 && rt.stats().handles === 0));
});

await eachDriver(t, "a write's callback waits until the kernel took its bytes (a stalled peer stalls it)", async (t, rt) => {
  const { port, conn } = await netPeer(t);
  const sock = connect({ host: '127.0.0.1', port, runtime: rt, pauseOnCreate: true });
  const peer = await conn;
  peer.pause(); // reads nothing: the socket buffers fill and the write op cannot complete
  const SIZE = 64 * 1024 * 1024; // more than loopback's socket buffers hold
  let acked = false;
  sock.write(Buffer.alloc(SIZE, 3), (err) => {
    t.error(err);
    acked = true;
  });
  for (let i = 0; i < 200; i++) await new Promise((r) => setImmediate(r));
  t.notOk(acked, 'not acknowledged while the peer reads nothing');
  t.ok(rt.stats().inFlight > 0, 'the write op is still in flight');
  let got = 0;
  peer.on('data', (c) => (got += c.length));
  peer.resume();
  await new Promise((r) => {
    const check = () => (acked ? r() : setImmediate(check));
    check();
  });
  t.ok(got > 0, 'acknowledged once the peer drained it');
  sock.destroy();
  peer.destroy();
  await closed(sock);
  t.ok(await settled(rt, () => slabsLent(rt) === 0 && rt.stats().handles === 0));
});
