// Aborting a pending read, both drivers side by side: how long from abort() until the op
// settles, and whether the buffer comes back.
//
//   node examples/cancel.mjs [--quick]
//
// Readiness (epoll): a read that would block waits in user space for the fd to turn readable;
// the kernel holds no pointer to the buffer while it waits. An abort just drops the interest, so
// the op settles at once and the buffer is free to reuse immediately.
// Completion (uring): the recv is in the kernel with the buffer's address. An abort can only ask
// (IORING_OP_ASYNC_CANCEL, sent with the next submit); until the original op's CQE arrives the
// kernel may still write into the buffer, so rentio settles the op — and hands the buffer back
// — only then. Either way the rejection carries the buffer as err.buf: it is never lost.
//
// The second table aborts a read whose bytes had already arrived: under completion the kernel
// may have finished the read before the cancel reached it (the abort came too late: the read
// resolves with the bytes); under readiness the bytes stay in the socket for the next read.
// Both must lose nothing.
import net from 'node:net';
import koffi from 'koffi';
import { alloc } from '@rentio/core';
import { closeAll, fmt, median, now, openBoth, percentile, quick, table, turn } from './lib/util.mjs';

const ABORTS = quick ? 40 : 400;
const SIZE = 64 * 1024;
const MARK = 0xab;

// Counts turns of Node's event loop while it runs, so "settled after N turns" is measured, not
// inferred. It keeps the loop spinning, which is what a busy server's loop does anyway.
function turnCounter() {
  const c = { count: 0, on: true };
  const tick = () => {
    c.count++;
    if (c.on) setImmediate(tick);
  };
  setImmediate(tick);
  return c;
}

async function abortPending(rt) {
  const l = await rt.listen({ host: '127.0.0.1', port: 0 });
  const c = await rt.connect({ host: '127.0.0.1', port: l.address().port });
  const s = await l.accept();
  const turns = turnCounter();
  const r = { us: [], turns: [], aborted: 0, returned: 0, sameLength: 0, sameMemory: 0, untouched: 0, detachedMeanwhile: 0, settledAtOnce: 0 };
  for (let i = 0; i < ABORTS; i++) {
    const buf = alloc(SIZE);
    buf[0] = MARK;
    const addr = koffi.address(buf);
    const ac = new AbortController();
    let settled = null;
    const p = s.read(buf, { signal: ac.signal }).then(
      (v) => {
        settled = { t: now(), turn: turns.count, v };
      },
      (err) => {
        settled = { t: now(), turn: turns.count, err };
      },
    );
    // Two turns: under uring the recv SQE is submitted at the end of the first, so it is in the
    // kernel (armed, waiting for data) when the abort comes.
    await turn();
    await turn();
    const t0 = now();
    const turn0 = turns.count;
    ac.abort();
    // Until the op settles, the caller's view stays detached: the memory is still lent out.
    try {
      s.read(buf).catch(() => {});
    } catch (err) {
      if (err.code === 'ERR_RENTIO_BUFFER_DETACHED') r.detachedMeanwhile++;
    }
    await Promise.resolve();
    await Promise.resolve();
    if (settled) r.settledAtOnce++;
    await p;
    r.us.push(Number(settled.t - t0) / 1000);
    r.turns.push(settled.turn - turn0);
    const err = settled.err;
    if (err?.name === 'AbortError') r.aborted++;
    if (err?.buf) {
      r.returned++;
      if (err.buf.byteLength === SIZE) r.sameLength++;
      if (koffi.address(err.buf) === addr) r.sameMemory++;
      if (err.buf[0] === MARK) r.untouched++;
    }
  }
  turns.on = false;
  await c.close();
  await s.close();
  await l.close();
  return r;
}

async function abortAfterArrival(rt) {
  const l = await rt.listen({ host: '127.0.0.1', port: 0 });
  // The peer is a node:net socket: its write() reaches the kernel synchronously (libuv tries
  // the write at once), so the bytes are in our socket before abort() runs, in the same turn.
  const peer = net.connect({ host: '127.0.0.1', port: l.address().port });
  const connected = new Promise((resolve) => peer.once('connect', resolve));
  const s = await l.accept();
  await connected;
  const r = { tries: 0, tooLate: 0, aborted: 0, sent: 0, received: 0 };
  let buf = alloc(SIZE);
  for (let i = 0; i < ABORTS; i++) {
    const ac = new AbortController();
    const p = s.read(buf, { signal: ac.signal });
    await turn();
    await turn();
    peer.write(Buffer.alloc(100, i & 0xff));
    r.sent += 100;
    ac.abort();
    r.tries++;
    try {
      const [n, b] = await p;
      r.tooLate++;
      r.received += n;
      buf = b;
    } catch (err) {
      if (err.name !== 'AbortError') throw err;
      r.aborted++;
      buf = err.buf;
    }
    // Whatever the abort did not take is still in the socket: read until every byte is here.
    while (r.received < r.sent) {
      const [n, b] = await s.read(buf);
      buf = b;
      r.received += n;
    }
  }
  peer.destroy();
  await s.close();
  await l.close();
  return r;
}

const drivers = await openBoth();
const rowsA = [];
const rowsB = [];
for (const d of drivers) {
  if (!d.rt) {
    rowsA.push([d.name, `skipped: ${d.reason}`]);
    continue;
  }
  const name = `${d.name} (${d.rt.driver.model})`;
  const a = await abortPending(d.rt);
  rowsA.push([
    name,
    ABORTS,
    fmt(median(a.us), 1),
    fmt(percentile(a.us, 99), 1),
    fmt(median(a.turns)),
    `${a.settledAtOnce}/${ABORTS}`,
    `${a.aborted}/${ABORTS}`,
    `${a.returned}/${ABORTS}`,
    `${a.sameLength}/${ABORTS}`,
    `${a.sameMemory}/${ABORTS}`,
    `${a.detachedMeanwhile}/${ABORTS}`,
  ]);
  const b = await abortAfterArrival(d.rt);
  rowsB.push([name, b.tries, b.tooLate, b.aborted, fmt(b.sent), fmt(b.received), b.sent - b.received]);
}

console.log('\nabort a pending 64 KiB socket read (no data coming), measured:');
table(
  [
    'driver',
    'aborts',
    'abort→settle µs (median)',
    'p99 µs',
    'loop turns to settle',
    'settled before next turn',
    'AbortError',
    'err.buf returned',
    'byteLength 65536',
    'same memory',
    'caller view detached until settle',
  ],
  rowsA,
);
console.log(`
The buffer is safe to reuse exactly when the op settles and hands it back as err.buf: under
epoll that is at once (the kernel never held it); under uring only after the cancel reached the
kernel and the read's own CQE came back — until then the caller's view stays detached and
passing it to another op throws ERR_RENTIO_BUFFER_DETACHED.`);
console.log('\nabort a read whose bytes already arrived (peer wrote in the same turn):');
table(['driver', 'aborts', 'resolved with the bytes (abort too late)', 'rejected AbortError', 'bytes sent', 'bytes received', 'bytes lost'], rowsB);
await closeAll(drivers);
if (rowsB.some((r) => r[6] !== 0) || rowsA.some((r) => r.length > 2 && r[7] !== `${ABORTS}/${ABORTS}`)) process.exit(1);
