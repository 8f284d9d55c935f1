// The net.Socket surface of compat's Duplex: addresses, options, timeouts, counters, event
// order, half-open, back-pressure, gathered writes and connect errors.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { connect, createConnection, RentioSocket, toDuplex } from '@rentio/compat';
import { eachDriver } from '../helpers/drivers.mjs';
import { closed, fdCount, once, settled, slabsLent } from './_helpers.mjs';

/** A connected compat pair over rentio (client from connect(), server from toDuplex()). */
async function pair(rt, clientOpts = {}, serverOpts = {}) {
  const l = await rt.listen({ host: '127.0.0.1', port: 0 });
  const accepted = l.accept();
  const client = connect({ host: '127.0.0.1', port: l.address().port, runtime: rt, ...clientOpts });
  const connected = once(client, 'connect');
  const server = toDuplex(await accepted, serverOpts);
  await connected;
  await l.close();
  return { client, server };
}

async function quiet(t, rt) {
  t.ok(await settled(rt, () => rt.stats().handles === 0 && slabsLent(rt) === 0), 'nothing left open or in flight');
}

await eachDriver(t, 'addresses, readyState, options and counters', async (t, rt) => {
  const l = await rt.listen({ host: '127.0.0.1', port: 0 });
  const port = l.address().port;
  const accepted = l.accept();
  const client = connect({ host: '127.0.0.1', port, runtime: rt, noDelay: true, keepAlive: true });
  t.ok(client instanceof RentioSocket, 'a RentioSocket');
  t.equal(client.readyState, 'opening');
  t.ok(client.connecting && client.pending);
  t.equal(client.remoteAddress, undefined, 'no peer address while connecting');
  t.equal(client.setNoDelay(true), client, 'setNoDelay before connect returns this');
  t.equal(client.setKeepAlive(true, 1000), client, 'setKeepAlive before connect returns this');
  const events = [];
  client.on('connect', () => events.push('connect')).on('ready', () => events.push('ready'));
  const server = toDuplex(await accepted);
  await once(client, 'ready');
  t.same(events, ['connect', 'ready'], "'connect' then 'ready'");
  t.equal(client.readyState, 'open');
  t.notOk(client.connecting || client.pending);
  t.equal(client.remoteAddress, '127.0.0.1');
  t.equal(client.remotePort, port);
  t.equal(client.remoteFamily, 'IPv4');
  t.equal(client.localAddress, '127.0.0.1');
  t.equal(client.localPort, server.remotePort, "client's local port is the server's remote port");
  t.same(client.address(), { address: '127.0.0.1', family: 'IPv4', port: client.localPort });
  t.equal(server.localPort, port);
  t.equal(client.setNoDelay(false), client);
  t.equal(client.setKeepAlive(false), client);
  t.equal(client.unref(), client, 'unref returns this');
  t.equal(client.ref(), client, 'ref returns this');

  client.write('hello ');
  client.end('world');
  let got = '';
  server.setEncoding('utf8');
  for await (const s of server) got += s;
  t.equal(got, 'hello world');
  t.equal(server.bytesRead, 11);
  t.equal(client.bytesWritten, 11);
  client.resume();
  await Promise.all([closed(client), closed(server)]);
  t.equal(client.readyState, 'closed');
  await l.close();
  await quiet(t, rt);
});

await eachDriver(t, "peer's FIN: 'end' then 'close', and allowHalfOpen keeps the writable side", async (t, rt) => {
  {
    const { client, server } = await pair(rt);
    const order = [];
    for (const e of ['end', 'finish', 'close']) client.on(e, () => order.push(e));
    client.resume();
    server.end();
    await closed(client);
    t.same(order, ['end', 'finish', 'close'], "allowHalfOpen false: 'end', the automatic end()'s 'finish', then 'close'");
    server.resume();
    await closed(server);
  }
  {
    const { client, server } = await pair(rt, { allowHalfOpen: true });
    client.resume();
    server.end();
    await once(client, 'end');
    t.ok(client.writable, 'allowHalfOpen: still writable after the peer ended');
    client.end('after end');
    let got = '';
    server.setEncoding('utf8');
    server.on('data', (d) => (got += d));
    await Promise.all([closed(client), closed(server)]);
    t.equal(got, 'after end', 'the peer received bytes written after its FIN');
  }
  await quiet(t, rt);
});

await eachDriver(t, "setTimeout emits 'timeout' when idle, without closing", async (t, rt) => {
  const { client, server } = await pair(rt);
  let fired = 0;
  t.equal(
    client.setTimeout(20, () => fired++),
    client,
  );
  t.equal(client.timeout, 20);
  await once(client, 'timeout');
  t.equal(fired, 1, 'the callback ran once');
  t.notOk(client.destroyed, 'a timeout does not destroy the socket');
  client.setTimeout(0);
  t.equal(client.timeout, 0);
  t.throws(() => client.setTimeout(-1), { code: 'ERR_OUT_OF_RANGE' });
  client.destroy();
  server.destroy();
  await Promise.all([closed(client), closed(server)]);
  await quiet(t, rt);
});

await eachDriver(t, 'back-pressure follows highWaterMark; queued writes are gathered into one op', async (t, rt) => {
  // pauseOnCreate: no read op, so the ops counted below are the writes.
  const { client, server } = await pair(rt, { pauseOnCreate: true, writableHighWaterMark: 1024 }, { pauseOnCreate: true });
  t.equal(client.writableHighWaterMark, 1024);
  t.equal(client.write(Buffer.alloc(1000)), true, 'below highWaterMark: write() returns true');
  t.equal(client.write(Buffer.alloc(1000)), false, 'at highWaterMark: write() returns false');
  await once(client, 'drain');
  t.pass("'drain' once written");

  const before = rt.stats().submitted;
  client.cork();
  for (let i = 0; i < 100; i++) client.write(Buffer.from(`line ${i}\n`));
  const acked = new Promise((resolve) => client.write('last\n', resolve));
  client.uncork();
  await acked;
  t.equal(rt.stats().submitted - before, 1, '101 corked writes went to the kernel as one write op');

  client.end();
  let got = '';
  server.setEncoding('utf8');
  // Created paused (as net.Server's pauseOnConnect): a 'data' listener alone does not start the flow.
  server.on('data', (d) => (got += d)).resume();
  await once(server, 'end');
  t.equal(got.length, 2000 + Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join('').length + 5);
  server.destroy();
  client.destroy();
  await Promise.all([closed(client), closed(server)]);
  await quiet(t, rt);
});

await eachDriver(t, 'connect errors: Node codes, the callback shape, destroy while connecting', async (t, rt) => {
  const probe = net.createServer();
  await new Promise((r) => probe.listen(0, '127.0.0.1', r));
  const port = probe.address().port;
  await new Promise((r) => probe.close(r));

  const a = connect({ host: '127.0.0.1', port, runtime: rt });
  const [err] = await once(a, 'error').catch((e) => [e]);
  t.equal(err.code, 'ECONNREFUSED');
  t.equal(err.syscall, 'connect');
  t.equal(err.address, '127.0.0.1');
  t.equal(err.port, port);
  await closed(a);
  t.ok(a.destroyed);

  // With a callback taking the error and no 'error' listener: reported once, never thrown.
  const cbErr = await new Promise((resolve) => createConnection({ host: '127.0.0.1', port, runtime: rt }, (e, s) => resolve([e, s])));
  t.equal(cbErr[0].code, 'ECONNREFUSED', 'cb(err)');
  t.equal(cbErr[1], undefined);

  t.throws(() => connect({ port: 70000, runtime: rt }), { code: 'ERR_SOCKET_BAD_PORT' });
  t.throws(() => connect({ port: 'http', runtime: rt }), { code: 'ERR_SOCKET_BAD_PORT' });
  t.throws(() => toDuplex({}), { code: 'ERR_INVALID_ARG_TYPE' });

  // Destroyed while connecting (to a listener that never accepts): no 'connect', no fd left.
  const l = await rt.listen({ host: '127.0.0.1', port: 0 });
  const fds = fdCount();
  for (let i = 0; i < 50; i++) {
    const c = connect({ host: '127.0.0.1', port: l.address().port, runtime: rt });
    c.on('connect', () => t.fail('connect after destroy'));
    c.write('queued while connecting');
    c.destroy();
    await closed(c);
  }
  await l.close();
  t.ok(fdCount() <= fds, 'no fd left by sockets destroyed while connecting');
  await quiet(t, rt);
});

await eachDriver(t, 'destroy(err) emits the error then close(hadError)', async (t, rt) => {
  const { client, server } = await pair(rt);
  const order = [];
  client.on('error', (e) => order.push(`error ${e.message}`));
  client.on('close', (hadError) => order.push(`close ${hadError}`));
  client.destroy(new Error('boom'));
  await closed(client);
  await new Promise((r) => setImmediate(r));
  t.same(order, ['error boom', 'close true']);
  server.resume();
  await closed(server);
  await quiet(t, rt);
});

await eachDriver(t, 'an idle connection holds no read buffer, a bulk transfer reads 64 KiB at a time', async (t, rt) => {
  t.equal(rt.stats().compatPoolLentBytes ?? 0, 0, 'nothing lent before');
  const pairs = [];
  for (let i = 0; i < 50; i++) pairs.push(await pair(rt));
  // Each of the 100 sockets has one read pending, through the runtime's buffer pool: no buffer
  // is taken until bytes arrive.
  t.ok(rt.stats().inFlight >= 100, `100 reads pending (${rt.stats().inFlight} ops in flight)`);
  const lent = rt.stats().compatPoolLentBytes;
  t.equal(lent, 0, `100 idle sockets hold ${lent} bytes of read buffers`);
  const { client, server } = pairs[0];
  const sizes = [];
  server.on('data', (c) => sizes.push(c.length));
  client.end(Buffer.alloc(8 * 1024 * 1024, 1));
  await once(server, 'end');
  t.ok(Math.max(...sizes) === 65536, 'reads grew to 64 KiB during the transfer');
  for (const p of pairs) {
    p.client.destroy();
    p.server.destroy();
  }
  await Promise.all(pairs.flatMap((p) => [closed(p.client), closed(p.server)]));
  await quiet(t, rt);
});

await eachDriver(t, "a throwing 'connect', 'data' or write-callback listener is an uncaught exception, as in Node", async (t, rt, driver) => {
  // In a child process: tap claims uncaught exceptions raised inside a test.
  const child = spawnSync(process.execPath, [fileURLToPath(new URL('./fixtures/throwing-listeners.mjs', import.meta.url)), driver], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(child.status, 0, `child exited cleanly ${child.stderr}`);
  const report = JSON.parse(child.stdout.trim().split('\n').pop());
  t.same(report.uncaught.sort(), ['connect listener', 'data listener', 'write callback'], 'each throw surfaced as an uncaught exception');
  t.same(report.unhandled, [], 'no unhandled rejection');
  t.match(report.got, /written before connect.*x$/, 'the stream kept working: the held write went out after the throwing connect listener');
  t.equal(report.inFlight, 0, 'nothing left in flight');
});
