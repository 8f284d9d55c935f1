// Stale completions: a slot's generation changes when it is freed, so a CQE of a settled op can
// never settle the op now in that slot; and an fd number reused after close never receives an
// old op's result. A read pending when its handle closes settles with its buffer.
import t from 'tap';
import { alloc, createRuntime, own } from '@rentio/core';
import { OpCode, Op } from '@rentio/core/driver';
import { Slab, IN_KERNEL } from '../../packages/driver-uring/dist/slab.js';
import { addressOf, readExactly, streamPair } from '../helpers/util.mjs';

t.test('slab: a freed slot gets a new generation; the old user_data finds nothing', async (t) => {
  const slab = new Slab(4);
  const a = new Op(OpCode.READ);
  const slot = slab.alloc(a, IN_KERNEL);
  const gen = slab.gen[slot];
  t.equal(slab.lookup(slot, gen), a);
  slab.release(slot);
  t.equal(a.slot, -1);
  const b = new Op(OpCode.READ);
  const again = slab.alloc(b, IN_KERNEL);
  t.equal(again, slot, 'the slot is reused');
  t.not(slab.gen[again], gen, 'with another generation');
  t.equal(slab.lookup(slot, gen), null, 'a CQE carrying the old generation is stale');
  t.equal(slab.lookup(slot, slab.gen[again]), b);
  // Growth keeps scratch addresses stable.
  const addr = slab.scratchAddress(0);
  for (let i = 0; i < 1000; i++) slab.alloc(new Op(OpCode.TIMEOUT), IN_KERNEL);
  t.equal(slab.scratchAddress(0), addr, 'scratch never moves');
});

t.test('a read pending when its stream closes settles with err.buf; the reused fd never sees its result', async (t) => {
  const rt = await createRuntime({ driver: 'uring' });
  t.teardown(() => rt.close());
  for (let round = 0; round < 20; round++) {
    const [c, s, l] = await streamPair(rt);
    const oldFd = s.fd;
    const buf = alloc(32);
    const addr = addressOf(buf);
    let settled = 0;
    const pending = s.read(buf).then(
      (v) => {
        settled++;
        return v;
      },
      (e) => {
        settled++;
        return e;
      },
    );
    await new Promise((r) => setImmediate(r)); // the read is in the kernel
    await s.close();
    const err = await pending;
    t.equal(err.code, 'ERR_RENTIO_HANDLE_CLOSED', 'the pending read was cancelled by close');
    t.equal(err.buf.byteLength, 32, 'buffer handed back');
    t.equal(addressOf(err.buf), addr, 'same memory');
    // The next socket very likely takes the same fd number.
    const [c2, s2, l2] = await streamPair(rt);
    const fds = [c2.fd, s2.fd, l2.fd];
    const mine = s2.fd === oldFd ? s2 : c2.fd === oldFd ? c2 : s2;
    const peer = mine === s2 ? c2 : s2;
    const r2 = mine.read(alloc(32));
    await c.writeAll(own('old')).catch(() => {}); // to the closed stream's peer: must reach nobody
    await peer.writeAll(own('new!'));
    const [n, b] = await r2;
    t.equal(Buffer.from(b.subarray(0, n)).toString(), 'new!', `reused fd ${oldFd} (new fds ${fds}) got only its own data`);
    t.equal(settled, 1, 'the old read settled exactly once');
    await Promise.all([c.close(), l.close(), c2.close(), s2.close(), l2.close()]);
  }
  t.equal(rt.stats().staleCqes, 0);
  t.equal(rt.stats().inFlight, 0);
});

t.test('close with reads and a write queued in the same tick: each settles once', async (t) => {
  const rt = await createRuntime({ driver: 'uring' });
  t.teardown(() => rt.close());
  const [c, s, l] = await streamPair(rt);
  const ops = [s.read(alloc(8)), s.read(alloc(8)), s.write(own('x'))].map((p) =>
    p.then(
      () => 'ok',
      (e) => e.code,
    ),
  );
  const closing = s.close();
  const got = await Promise.all(ops);
  await closing;
  t.same(got.slice(0, 2), ['ERR_RENTIO_HANDLE_CLOSED', 'ERR_RENTIO_HANDLE_CLOSED']);
  t.ok(got[2] === 'ok' || got[2] === 'ERR_RENTIO_HANDLE_CLOSED');
  t.equal((await readExactly(c, 1)).length <= 1, true);
  await Promise.all([c.close(), l.close()]);
});
