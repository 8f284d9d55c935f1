// SO_REUSEPORT (issue 12): listeners that set `reusePort` share a port and the kernel spreads
// new connections among them; a listener without it cannot join (EADDRINUSE, as in Node); a
// non-boolean option is refused before any socket is made.
import t from 'tap';
import { alloc, own } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { readExactly } from '../helpers/util.mjs';

/** Accept on `l` until it closes, counting connections and echoing one 4-byte message each. */
function countingEcho(l) {
  const state = { accepted: 0 };
  state.done = (async () => {
    const conns = [];
    for await (const s of l) {
      state.accepted++;
      conns.push(
        (async () => {
          const [n, buf] = await s.read(alloc(4));
          if (n > 0) await s.writeAll(buf.subarray(0, n));
        })().finally(() => s.close()),
      );
    }
    await Promise.all(conns);
  })();
  return state;
}

await eachDriver(t, 'two reusePort listeners on one port both accept; the kernel spreads 64 connections', async (t, rt) => {
  const a = await rt.listen({ port: 0, host: '127.0.0.1', reusePort: true });
  const port = a.address().port;
  const b = await rt.listen({ port, host: '127.0.0.1', reusePort: true });
  t.equal(b.address().port, port, 'second listener bound to the same port');
  const sa = countingEcho(a);
  const sb = countingEcho(b);
  // The kernel picks a listener by a hash of the 4-tuple: with 64 connections from distinct
  // ephemeral ports the chance that one listener gets none is 2^-63.
  const N = 64;
  const echoed = await Promise.all(
    Array.from({ length: N }, async (_, i) => {
      const c = await rt.connect({ host: '127.0.0.1', port });
      const msg = new Uint8Array(new ArrayBuffer(4));
      new DataView(msg.buffer).setUint32(0, i);
      await c.writeAll(own(msg));
      const got = await readExactly(c, 4);
      await c.close();
      return new DataView(got.buffer, got.byteOffset).getUint32(0) === i;
    }),
  );
  t.equal(echoed.filter(Boolean).length, N, 'every connection served and echoed');
  t.equal(sa.accepted + sb.accepted, N, 'each connection accepted exactly once');
  t.ok(sa.accepted >= 1, `first listener accepted some (${sa.accepted})`);
  t.ok(sb.accepted >= 1, `second listener accepted some (${sb.accepted})`);
  await Promise.all([a.close(), b.close()]);
  await Promise.all([sa.done, sb.done]);
});

await eachDriver(t, 'reusePort across two runtimes: a listener closed leaves the other accepting', async (t, rt, driver) => {
  const { createRuntime } = await import('@rentio/core');
  const rt2 = await createRuntime({ driver });
  t.teardown(() => rt2.close());
  const a = await rt.listen({ port: 0, host: '127.0.0.1', reusePort: true });
  const port = a.address().port;
  const b = await rt2.listen({ port, host: '127.0.0.1', reusePort: true });
  await a.close();
  const [c, s] = await Promise.all([rt.connect({ host: '127.0.0.1', port }), b.accept()]);
  t.equal(s.remotePort, c.localPort, 'the remaining listener took the connection');
  await Promise.all([c.close(), s.close(), b.close()]);
});

await eachDriver(t, 'without reusePort a second listener on the port fails with EADDRINUSE', async (t, rt) => {
  const a = await rt.listen({ port: 0, host: '127.0.0.1', reusePort: true });
  const port = a.address().port;
  for (const opts of [{}, { reusePort: false }]) {
    const err = await rt.listen({ port, host: '127.0.0.1', ...opts }).catch((e) => e);
    t.equal(err?.code, 'EADDRINUSE', `second listener ${JSON.stringify(opts)}: EADDRINUSE`);
    t.equal(err?.port, port, 'the error names the port');
    t.equal(err?.address, '127.0.0.1', 'and the address');
    t.match(err?.message, new RegExp(`EADDRINUSE.*127\\.0\\.0\\.1:${port}`), 'Node-style message');
  }
  // The other way round: the first listener did not opt in, so a reusePort listener cannot join.
  const plain = await rt.listen({ port: 0, host: '127.0.0.1' });
  const err = await rt.listen({ port: plain.address().port, host: '127.0.0.1', reusePort: true }).catch((e) => e);
  t.equal(err?.code, 'EADDRINUSE', 'reusePort cannot join a listener that did not set it');
  t.equal(rt.stats().handles, 2, 'the failed listeners left no handle behind');
  await Promise.all([a.close(), plain.close()]);
});

await eachDriver(t, 'reusePort must be a boolean', async (t, rt) => {
  for (const bad of ['yes', 1, {}]) {
    await t.rejects(
      rt.listen({ port: 0, host: '127.0.0.1', reusePort: bad }),
      { code: 'ERR_RENTIO_INVALID_ARG_TYPE', name: 'TypeError' },
      String(bad),
    );
  }
  t.equal(rt.stats().handles, 0, 'no socket made');
});

await eachDriver(t, 'a listener close still queued when the runtime closes is carried out (the port is freed)', async (t, rt, driver) => {
  const { createRuntime } = await import('@rentio/core');
  const net = await import('node:net');
  const rt2 = await createRuntime({ driver });
  const l = await rt2.listen({ port: 0, host: '127.0.0.1', reusePort: true });
  const port = l.address().port;
  const loop = (async () => {
    for await (const s of l) await s.close();
  })();
  await rt2.sleep(1);
  // The loop ends as soon as the accept is cancelled, while the CLOSE may still wait in the
  // driver's submission queue: the runtime's close must not cancel it.
  const closing = l.close().then(
    () => 'closed',
    (e) => e.code,
  );
  await loop;
  await rt2.close();
  t.equal(await closing, 'closed', "the listener's close resolved");
  const r = await new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', (e) => resolve(e.code));
  });
  t.equal(r, 'ECONNREFUSED', 'nothing listens on the port any more');
});
