// Zero-copy send: with a threshold set, uring sends large writes as IORING_OP_SEND_ZC and hands
// the buffer back only after the kernel's notification; epoll sends them plainly (MSG_ZEROCOPY's
// error-queue reaping is not used: see bench/RESULTS.md). Same API, same bytes, on both.
import t from 'tap';
import { alloc, own } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { addressOf, random, readExactly, readToEnd, sha256, streamPair } from '../helpers/util.mjs';
import { tmpDir } from '../helpers/util.mjs';
import { join } from 'node:path';

const zc = { driverOptions: { sendZcThreshold: 4096 } };

await eachDriver(
  t,
  'large writes arrive byte-exact; uring counts them as zero-copy sends',
  async (t, rt, driver) => {
    const [c, s, l] = await streamPair(rt);
    const data = random(8 << 20);
    const received = readToEnd(s, 1 << 20);
    let buf = own(data);
    const addr = addressOf(buf);
    for (const [offset, length] of [
      [0, 1 << 20],
      [1 << 20, 3 << 20],
      [4 << 20, 4 << 20],
    ]) {
      buf = await c.writeAll(buf, { offset, length });
      t.equal(addressOf(buf), addr, 'the same buffer handed back');
    }
    const [n] = await c.write(own('tail'), { timeout: 5000 });
    t.equal(n, 4, 'small write under the threshold, with a deadline');
    await c.shutdown();
    const got = await received;
    t.equal(sha256(got), sha256(Buffer.concat([data, Buffer.from('tail')])), 'sha256 matches');
    const st = rt.stats();
    if (driver === 'uring') {
      t.equal(st.sendZcThreshold, 4096);
      t.ok(st.zcSends > 0, `zero-copy sends: ${st.zcSends}`);
      t.ok(st.zcCopied <= st.zcSends, `of which the kernel copied ${st.zcCopied}`);
      t.equal(st.staleCqes, 0, 'every notification matched its op');
    }
    t.equal(st.inFlight, 0);
    await Promise.all([c.close(), s.close(), l.close()]);
  },
  zc,
);

await eachDriver(
  t,
  'a write the peer never reads, with a deadline: the buffer comes back once the kernel let go of it',
  async (t, rt, driver) => {
    const [c, s, l] = await streamPair(rt);
    // One write bigger than both socket buffers. Under uring with SEND_ZC the kernel keeps the
    // pages until the bytes left the send queue, so the op settles only at the notification:
    // here, when the peer's close (RST, it read nothing) purges that queue.
    let settled = false;
    const p = c.write(alloc(32 << 20), { timeout: 50 }).then(
      ([n, buf]) => ({ n, buf }),
      (err) => ({ err, buf: err.buf }),
    );
    void p.then(() => (settled = true));
    await rt.sleep(150);
    if (driver === 'uring') t.notOk(settled, 'still held: the notification has not come');
    await s.close();
    const r = await p;
    t.equal(r.buf.byteLength, 32 << 20, 'buffer handed back');
    if (r.err) t.match(r.err.code, /^(ETIMEDOUT|ECONNRESET|EPIPE)$/, `error ${r.err.code}`);
    else t.ok(r.n > 0 && r.n < 32 << 20, `a short write (${r.n}): the result won over the deadline`);
    const st = rt.stats();
    t.equal(st.inFlight, 0, 'settled only after every CQE of the op');
    if (driver === 'uring') t.equal(st.staleCqes, 0, 'no stray CQE');
    await Promise.all([c.close(), l.close()]);
  },
  zc,
);

await eachDriver(
  t,
  'a Unix stream (no zero-copy in the kernel) falls back to plain send: same bytes',
  async (t, rt) => {
    const path = join(tmpDir(t), 's.sock');
    const l = await rt.listen({ path });
    const [c, s] = await Promise.all([rt.connect({ path }), l.accept()]);
    const data = random(1 << 20);
    const got = readExactly(s, data.byteLength);
    await c.writeAll(own(data));
    t.equal(sha256(await got), sha256(data));
    t.equal(rt.stats().inFlight, 0);
    await Promise.all([c.close(), s.close(), l.close()]);
  },
  zc,
);

await eachDriver(t, 'default: zero-copy send is off (loopback copies anyway; see bench/RESULTS.md)', async (t, rt, driver) => {
  const [c, s, l] = await streamPair(rt);
  const got = readExactly(s, 1 << 20);
  await c.writeAll(alloc(1 << 20));
  t.equal((await got).length, 1 << 20);
  if (driver === 'uring') t.equal(rt.stats().zcSends, 0, 'no SEND_ZC without a threshold');
  await Promise.all([c.close(), s.close(), l.close()]);
});
