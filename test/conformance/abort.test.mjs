// Cancellation through AbortSignal: pending read, accept, sleep, connect; a signal already
// aborted; and a completed op that the abort came too late for.
import t from 'tap';
import { alloc, own } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { addressOf, readExactly, streamPair } from '../helpers/util.mjs';

await eachDriver(t, 'abort a pending read: AbortError with err.buf, stream still usable', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  const ac = new AbortController();
  const buf = alloc(64);
  const addr = addressOf(buf);
  const p = s.read(buf, { signal: ac.signal });
  await rt.sleep(5);
  ac.abort(new Error('enough'));
  const err = await p.catch((e) => e);
  t.equal(err.name, 'AbortError');
  t.equal(err.code, 'ABORT_ERR');
  t.equal(err.cause?.message, 'enough', 'the reason is the cause');
  t.equal(err.buf.byteLength, 64, 'buffer handed back');
  t.equal(addressOf(err.buf), addr, 'same memory');
  await c.writeAll(own('after'));
  t.equal((await readExactly(s, 5)).toString(), 'after', 'no byte was lost to the cancelled read');
  t.equal(rt.stats().inFlight, 0);
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'abort a pending accept and a pending sleep', async (t, rt) => {
  const l = await rt.listen({ port: 0, host: '127.0.0.1' });
  const ac = new AbortController();
  const pa = l.accept({ signal: ac.signal });
  const ps = rt.sleep(60_000, { signal: ac.signal });
  await rt.sleep(2);
  ac.abort();
  t.match(await pa.catch((e) => e), { name: 'AbortError', code: 'ABORT_ERR' });
  t.match(await ps.catch((e) => e), { name: 'AbortError', code: 'ABORT_ERR' });
  const c = await rt.connect({ host: '127.0.0.1', port: l.address().port });
  const s = await l.accept();
  t.ok(s.remotePort > 0, 'listener accepts after an aborted accept');
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'an already-aborted signal rejects at once and hands the buffer back', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  const signal = AbortSignal.abort();
  const buf = alloc(8);
  const err = await s.read(buf, { signal }).catch((e) => e);
  t.match(err, { name: 'AbortError', code: 'ABORT_ERR' });
  t.equal(err.buf.byteLength, 8);
  t.match(await rt.sleep(1, { signal }).catch((e) => e), { name: 'AbortError' });
  t.match(await rt.connect({ host: '127.0.0.1', port: l.address().port, signal }).catch((e) => e), { name: 'AbortError' });
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'abort after completion changes nothing; aborts in a read loop lose no byte', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  const total = 256 * 1024;
  const data = new Uint8Array(total).map((_, i) => i * 7);
  const writer = c.writeAll(own(data)).then(() => c.shutdown());
  const got = [];
  let buf = alloc(1000);
  let aborted = 0;
  for (;;) {
    const ac = new AbortController();
    const p = s.read(buf, { signal: ac.signal });
    // Abort every other read right away: it either cancels (no bytes) or came too late (bytes kept).
    if (got.length % 2 === 0) ac.abort();
    try {
      const [n, b] = await p;
      buf = b;
      if (n === 0) break;
      got.push(Buffer.from(b.subarray(0, n)));
    } catch (err) {
      t.equal(err.name, 'AbortError');
      buf = err.buf;
      aborted++;
      got.push(Buffer.alloc(0));
    }
    ac.abort();
  }
  await writer;
  const all = Buffer.concat(got);
  t.equal(all.length, total, `every byte arrived (${aborted} reads were cancelled)`);
  t.ok(all.equals(Buffer.from(data)), 'in order');
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'closing a handle settles its pending ops with their buffers', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  const pending = [s.read(alloc(10)), s.read(alloc(20)), l.accept()].map((p) => p.catch((e) => e));
  await rt.sleep(2);
  await Promise.all([s.close(), l.close()]);
  const errs = await Promise.all(pending);
  t.match(errs[0], { code: 'ERR_RENTIO_HANDLE_CLOSED' });
  t.equal(errs[0].buf.byteLength, 10);
  t.equal(errs[1].buf.byteLength, 20);
  t.match(errs[2], { code: 'ERR_RENTIO_HANDLE_CLOSED' });
  t.equal(rt.stats().inFlight, 0);
  await c.close();
});
