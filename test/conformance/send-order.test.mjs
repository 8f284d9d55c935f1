// Writes started in one tick reach the peer in order, and nothing started after them overtakes
// them: not a shutdown, not a close, not more writes. The epoll driver makes a turn's stream sends
// together at its end (send-batch.ts) and the uring driver submits them at the turn's flush, so
// both must keep the order the caller gave.
import t from 'tap';
import { alloc, own } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { readExactly, streamPair } from '../helpers/util.mjs';

/** Everything `s` reads until EOF. */
async function readToEnd(s) {
  const parts = [];
  let buf = alloc(64 * 1024);
  for (;;) {
    let n;
    [n, buf] = await s.read(buf);
    if (n === 0) return Buffer.concat(parts);
    parts.push(Buffer.from(buf.subarray(0, n)));
  }
}

await eachDriver(t, 'writes then shutdown() in one tick: every byte, in order, then EOF', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  const chunks = Array.from({ length: 20 }, (_, i) => `chunk ${i};`);
  const writes = chunks.map((x) => c.writeAll(own(x)));
  const shut = c.shutdown();
  const got = await readToEnd(s);
  t.equal(got.toString(), chunks.join(''), 'the peer read them all, in order, before EOF');
  await Promise.all([...writes, shut]);
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'a write then close() in one tick: the write is sent whole or cancelled whole, never cut', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  const w = c.writeAll(own('last words')).then(
    (buf) => ({ buf }),
    (err) => ({ err }),
  );
  const closed = c.close();
  const got = (await readToEnd(s)).toString();
  const r = await w;
  // close() cancels what is still in flight (uring: a send not yet submitted); a send the
  // driver already made completes (epoll makes the turn's sends before the close it is given).
  if (r.err) {
    t.equal(r.err.code, 'ERR_RENTIO_HANDLE_CLOSED', 'cancelled by the close');
    t.equal(r.err.buf?.byteLength, 10, 'with its buffer');
    t.equal(got, '', 'and nothing of it was sent');
  } else t.equal(got, 'last words', 'completed: the peer read it all before EOF');
  await closed;
  await Promise.all([s.close(), l.close()]);
});

await eachDriver(t, 'a read started after a queued write in one tick does not stop it', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  const w = c.writeAll(own('ping'));
  const r = c.read(alloc(16));
  t.equal((await readExactly(s, 4)).toString(), 'ping');
  await s.writeAll(own('pong'));
  const [n, buf] = await r;
  t.equal(Buffer.from(buf.subarray(0, n)).toString(), 'pong');
  await w;
  await Promise.all([c.close(), s.close(), l.close()]);
});
