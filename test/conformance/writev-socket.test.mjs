// A gather write on a stream socket: every buffer's bytes arrive, in order, and the buffers come
// back whole — over epoll the msghdr and its iovecs are written into the driver's scratch per call,
// so a second writev must not see the first one's pointers or lengths.
import t from 'tap';
import { own } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { readExactly, streamPair } from '../helpers/util.mjs';

await eachDriver(t, 'writev on a socket sends every buffer in order, twice over', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  t.teardown(async () => {
    await c.close();
    await s.close();
    await l.close();
  });
  const first = ['alpha-', 'b', 'gamma-gamma-'].map((x) => own(x));
  const second = ['1', '22', '333', '4444', 'x'.repeat(5000)].map((x) => own(x));
  const total = (bufs) => bufs.reduce((n, b) => n + b.byteLength, 0);
  const want = Buffer.concat([...first, ...second].map((b) => Buffer.from(b)));
  const [n1, back1] = await c.writev(first);
  t.equal(n1, total(back1), 'the first gather write is whole');
  t.same(
    back1.map((b) => Buffer.from(b).toString()),
    ['alpha-', 'b', 'gamma-gamma-'],
    'its buffers come back',
  );
  const [n2, back2] = await c.writev(second);
  t.equal(n2, total(back2), 'the second gather write is whole');
  const got = await readExactly(s, want.length);
  t.equal(Buffer.from(got).toString(), want.toString(), 'the bytes arrive in order');
});
