// TCP: listen/connect/accept, byte-exact echo (1 and 100 concurrent connections), EOF,
// half-close, short writes under back-pressure, IPv6, addresses, and error shapes.
import t from 'tap';
import { alloc, own } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { echoUntilEof, random, readExactly, readToEnd, sha256, streamPair } from '../helpers/util.mjs';

async function echo(s) {
  await echoUntilEof(s);
  await s.shutdown();
}

async function echoServer(rt) {
  const l = await rt.listen({ port: 0, host: '127.0.0.1' });
  const served = (async () => {
    const conns = [];
    for await (const s of l) conns.push(echo(s).finally(() => s.close()));
    await Promise.all(conns);
  })();
  return { l, port: l.address().port, served };
}

await eachDriver(t, 'echo one connection byte-exact, then EOF', async (t, rt) => {
  const { l, port, served } = await echoServer(rt);
  const c = await rt.connect({ host: '127.0.0.1', port });
  const data = random(1024 * 1024 + 17);
  const [, got] = await Promise.all([c.writeAll(own(data)).then(() => c.shutdown()), readToEnd(c)]);
  t.equal(got.length, data.length);
  t.equal(sha256(got), sha256(data), 'echoed bytes identical');
  const [n] = await c.read(alloc(10));
  t.equal(n, 0, 'read after EOF gives 0 again');
  await c.close();
  await l.close();
  await served;
});

await eachDriver(t, 'echo 100 concurrent connections', async (t, rt) => {
  const { l, port, served } = await echoServer(rt);
  const results = await Promise.all(
    Array.from({ length: 100 }, async (_, i) => {
      const c = await rt.connect({ host: '127.0.0.1', port });
      const data = random(1000 + i * 97);
      const [, got] = await Promise.all([c.writeAll(own(data)).then(() => c.shutdown()), readToEnd(c, 4096)]);
      await c.close();
      return sha256(got) === sha256(data);
    }),
  );
  t.equal(results.filter(Boolean).length, 100, 'all 100 echoed byte-exact');
  await l.close();
  await served;
});

await eachDriver(t, 'half-close: reads give 0 after the peer FIN, writes still work', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  await c.shutdown();
  const [n] = await s.read(alloc(16));
  t.equal(n, 0, 'server sees EOF');
  await s.writeAll(own('still open'));
  t.equal((await readExactly(c, 10)).toString(), 'still open', 'client reads after its own shutdown');
  await s.shutdown();
  t.equal((await c.read(alloc(4)))[0], 0);
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'writeAll of 16 MiB to a slow reader (short writes)', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  const data = random(16 * 1024 * 1024);
  let writes = 0;
  const writer = (async () => {
    let buf = own(data);
    let off = 0;
    while (off < data.length) {
      const [n, b] = await c.write(buf, { offset: off });
      buf = b;
      off += n;
      writes++;
    }
    await c.shutdown();
    return buf;
  })();
  const parts = [];
  let rb = alloc(65536);
  for (;;) {
    await rt.sleep(1);
    const [n, b] = await s.read(rb);
    rb = b;
    if (n === 0) break;
    parts.push(Buffer.from(b.subarray(0, n)));
  }
  const back = await writer;
  t.ok(writes > 1, `write was short under back-pressure (${writes} writes)`);
  t.equal(back.byteLength, data.length, 'buffer handed back whole');
  t.equal(sha256(Buffer.concat(parts)), sha256(data), '16 MiB arrived intact');
  const all = own(data);
  const [c2, s2, l2] = await streamPair(rt);
  const [wb, got] = await Promise.all([c2.writeAll(all).then(async (b) => (await c2.shutdown(), b)), readToEnd(s2)]);
  t.equal(wb.byteLength, data.length);
  t.equal(sha256(got), sha256(data), 'writeAll delivered 16 MiB');
  await Promise.all([c.close(), s.close(), l.close(), c2.close(), s2.close(), l2.close()]);
});

await eachDriver(t, 'addresses, IPv6, options', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  t.match(l.address(), { address: '127.0.0.1', family: 'IPv4' });
  t.equal(c.remotePort, l.address().port);
  t.equal(s.remotePort, c.localPort);
  t.equal(s.remoteAddress, '127.0.0.1');
  t.equal(s.remoteFamily, 'IPv4');
  t.equal(c.setNoDelay(true), c, 'setNoDelay chains');
  t.equal(c.setKeepAlive(true, 10_000), c);
  await Promise.all([c.close(), s.close(), l.close()]);
  const [c6, s6, l6] = await streamPair(rt, '::1');
  t.match(l6.address(), { address: '::1', family: 'IPv6' });
  t.equal(s6.remoteAddress, '::1');
  await c6.writeAll(own('v6'));
  t.equal((await readExactly(s6, 2)).toString(), 'v6');
  await Promise.all([c6.close(), s6.close(), l6.close()]);
  const any = await rt.listen({ port: 0 });
  const c4 = await rt.connect({ host: '127.0.0.1', port: any.address().port });
  t.ok(any.address().port > 0, 'default host listens on all addresses');
  await Promise.all([c4.close(), any.close()]);
});

// A stream keeps its peer and local address in one field (tcp-stream.ts): asked in either order,
// each is the kernel's, and both stay readable after close.
await eachDriver(t, 'local and peer addresses, asked in either order, and after close', async (t, rt) => {
  const [c, s, l] = await streamPair(rt);
  const port = l.address().port;
  // The accepted end: local first, then the peer (packed by accept until asked).
  t.same(s.address(), { address: '127.0.0.1', family: 'IPv4', port }, 'accepted: local first');
  t.equal(s.localPort, port);
  t.equal(s.remotePort, c.localPort, 'then the peer: the client’s local port');
  t.equal(s.remoteAddress, '127.0.0.1');
  // The connecting end: peer first, then local.
  t.equal(c.remotePort, port, 'connected: the peer first');
  t.equal(c.localAddress, '127.0.0.1', 'then local');
  t.equal(c.localFamily, 'IPv4');
  t.equal(c.localPort, s.remotePort, 'the two ends agree');
  await Promise.all([c.close(), s.close(), l.close()]);
  t.equal(s.remotePort, c.localPort, 'after close: the peer asked before is kept');
  t.equal(s.localPort, port, 'and so is the local address');
  const [c2, s2, l2] = await streamPair(rt);
  await Promise.all([c2.close(), s2.close(), l2.close()]);
  t.equal(s2.localPort, undefined, 'never asked before close: unknown, as a closed net.Socket');
  t.same(s2.address(), {}, 'address() of a closed stream never asked: {}');
});

await eachDriver(t, 'ECONNREFUSED shape', async (t, rt) => {
  const l = await rt.listen({ port: 0, host: '127.0.0.1' });
  const port = l.address().port;
  await l.close();
  const err = await rt.connect({ host: '127.0.0.1', port }).catch((e) => e);
  t.match(err, { code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: '127.0.0.1', port });
  t.equal(err.message, `connect ECONNREFUSED 127.0.0.1:${port}`);
  t.equal(rt.stats().handles, 0, 'the failed socket was closed');
});

await eachDriver(t, 'EADDRINUSE shape', async (t, rt) => {
  const l = await rt.listen({ port: 0, host: '127.0.0.1' });
  const port = l.address().port;
  const err = await rt.listen({ port, host: '127.0.0.1' }).catch((e) => e);
  t.match(err, { code: 'EADDRINUSE', syscall: 'bind', address: '127.0.0.1', port });
  await l.close();
});

await eachDriver(t, 'the listener iterates until closed', async (t, rt) => {
  const l = await rt.listen({ port: 0, host: '127.0.0.1' });
  const accepted = [];
  const loop = (async () => {
    for await (const s of l) accepted.push(s);
  })();
  const clients = await Promise.all([1, 2, 3].map(() => rt.connect({ host: '127.0.0.1', port: l.address().port })));
  while (accepted.length < 3) await rt.sleep(1);
  await l.close();
  await loop;
  t.equal(accepted.length, 3, 'closing ends iteration without throwing');
  await Promise.all([...clients, ...accepted].map((s) => s.close()));
});
