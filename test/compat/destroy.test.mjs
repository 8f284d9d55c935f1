// destroy() with reads and writes in flight, 1,000 times per driver: no crash, no unhandled
// rejection, no fd growth (/proc/self/fd), nothing left in flight, every staging slab back.
import t from 'tap';
import { alloc } from '@rentio/core';
import { connect } from '@rentio/compat';
import { eachDriver } from '../helpers/drivers.mjs';
import { closed, fdCount, settled, slabsLent } from './_helpers.mjs';

const unhandled = [];
process.on('unhandledRejection', (e) => unhandled.push(e));

/** Read and drop everything until EOF or error (a peer that keeps up). */
async function drain(s) {
  let buf = alloc(65536);
  try {
    for (;;) {
      const [n, b] = await s.read(buf);
      buf = b;
      if (n === 0) return;
    }
  } catch {
    // the peer was closed under the read: expected here
  }
}

await eachDriver(t, 'destroy() mid-transfer with reads and writes in flight, 1,000 times', async (t, rt) => {
  const l = await rt.listen({ host: '127.0.0.1', port: 0 });
  const port = l.address().port;
  const chunk = Buffer.alloc(192 * 1024, 7);
  const huge = Buffer.alloc(16 * 1024 * 1024, 9);
  const errors = [];
  let writesPending = 0;
  let bothPending = 0;
  let fdsBefore = 0;

  for (let i = 0; i < 1001; i++) {
    // Iteration 0 warms up (lazy runtime resources); fds are counted from after it.
    if (i === 1) fdsBefore = fdCount();
    const accepted = l.accept();
    const c = connect({ host: '127.0.0.1', port, runtime: rt });
    c.on('error', (e) => errors.push(e));
    // Writes queued while connecting, and more once connected.
    c.write(chunk);
    const peer = await accepted;
    if (i % 2 === 0) void drain(peer);
    if (c.connecting) await new Promise((r) => c.once('connect', r));
    c.write(i % 100 === 50 ? huge : chunk); // now and then more than the socket buffers hold
    c.write('tail');
    for (let k = 0; k < i % 4; k++) await new Promise((r) => setImmediate(r));
    // The client's read is pending (the peer never writes) and its writes may be.
    if (c.writableLength > 0) {
      writesPending++;
      if (rt.stats().inFlight >= 2) bothPending++;
    }
    const boom = i % 3 === 0 ? new Error(`boom ${i}`) : undefined;
    c.destroy(boom);
    if (i % 5 === 0) c.destroy(); // a second destroy is harmless
    await Promise.all([closed(c), peer.close()]);
  }
  await l.close();

  t.ok(await settled(rt, () => rt.stats().handles === 0 && slabsLent(rt) === 0), 'nothing in flight, no handle open, every slab back');
  t.ok(fdCount() <= fdsBefore, `no fd growth (${fdsBefore} before, ${fdCount()} after)`);
  t.same(unhandled, [], 'no unhandled rejection');
  t.ok(
    errors.every((e) => /^boom \d+$/.test(e.message)),
    "the only 'error' events are the errors destroy() was given",
  );
  t.equal(errors.length, 334, 'destroy(err) emitted err once per stream');
  t.ok(writesPending > 100, `writes still pending at destroy in ${writesPending} of 1,001 rounds`);
  t.ok(bothPending > 100, `a read and a write in flight at destroy in ${bothPending} rounds`);
});
