// A node:http server running unmodified over compat's serve(), answering a real node:http
// client (plain node:net sockets underneath).
import http from 'node:http';
import net from 'node:net';
import t from 'tap';
import { serve } from '@rentio/compat';
import { eachDriver } from '../helpers/drivers.mjs';
import { bigUploadStream, handler, httpRequest, httpWorkload, settled, slabsLent, until } from './_helpers.mjs';

await eachDriver(t, 'http.createServer over serve(): keep-alive, chunked, 32 MiB both ways', async (t, rt) => {
  const server = http.createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  const served = await serve(server, { port: 0, host: '127.0.0.1', runtime: rt });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const send = ({ method, path, body }) =>
    httpRequest({ host: '127.0.0.1', port: served.port, method, path, agent }, body === 'upload' ? bigUploadStream() : body);
  await httpWorkload(t, send);
  t.ok(connections <= 8, `keep-alive reused connections (${connections} for 1,002 requests)`);
  agent.destroy();
  await served.close();
  t.equal(served.connections, 0, 'close() waited for every connection');
  t.ok(await settled(rt, () => slabsLent(rt) === 0), 'nothing in flight, every staging slab back in the pool');
  t.equal(rt.stats().handles, 0, 'no handle left open');
});

await eachDriver(t, 'serve() takes a handler, reports its address, emits close', async (t, rt) => {
  const served = await serve((req, res) => res.end(`hi ${req.socket.remoteAddress} ${req.socket.localPort}`), { host: '127.0.0.1', runtime: rt });
  t.same(served.address(), { address: '127.0.0.1', family: 'IPv4', port: served.port });
  const r = await httpRequest({ host: '127.0.0.1', port: served.port, path: '/', agent: false });
  t.equal(r.body.toString(), `hi 127.0.0.1 ${served.port}`, 'request socket has net.Socket addresses');
  const closeEvent = new Promise((resolve) => served.server.once('close', resolve));
  await served.close();
  await closeEvent;
  t.pass("server emitted 'close'");
  await served.close();
  t.pass('close() is idempotent');
});

await eachDriver(t, 'serve() closes idle keep-alive connections on close()', async (t, rt) => {
  const served = await serve(http.createServer(handler), { host: '127.0.0.1', runtime: rt });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  await Promise.all([1, 2].map((id) => httpRequest({ host: '127.0.0.1', port: served.port, path: `/cl/${id}/10`, agent })));
  t.equal(served.connections, 2, 'two idle keep-alive connections');
  await served.close();
  t.equal(served.connections, 0, 'idle connections were closed');
  agent.destroy();
  t.ok(await settled(rt, () => slabsLent(rt) === 0));
});

await eachDriver(t, 'shutdown code written for listen() works: server.address(), server.close(cb)', async (t, rt) => {
  const server = http.createServer(handler);
  const served = await serve(server, { host: '127.0.0.1', runtime: rt });
  t.same(server.address(), served.address(), 'server.address() reports the rentio listener');
  const agent = new http.Agent({ keepAlive: true });
  const r = await httpRequest({ host: '127.0.0.1', port: server.address().port, path: '/cl/1/10', agent });
  t.equal(r.status, 200);
  const err = await new Promise((resolve) => server.close(resolve));
  t.equal(err, undefined, 'server.close(cb): no ERR_SERVER_NOT_RUNNING');
  t.equal(served.connections, 0, 'the idle keep-alive connection was closed');
  t.equal(server.address(), null, 'after close, server.address() is null again');
  const refused = await httpRequest({ host: '127.0.0.1', port: served.port, path: '/', agent: false }).catch((e) => e);
  t.equal(refused.code, 'ECONNREFUSED', 'the rentio listener stopped accepting');
  agent.destroy();
  t.ok(await settled(rt, () => slabsLent(rt) === 0 && rt.stats().handles === 0));
});

await eachDriver(t, "keepAliveTimeout closes an idle compat connection (socket 'timeout')", async (t, rt) => {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 30;
  const served = await serve(server, { host: '127.0.0.1', runtime: rt });
  // A raw client that keeps the connection open: only the server can close it.
  const c = net.connect(served.port, '127.0.0.1');
  c.write('GET /cl/2/10 HTTP/1.1\r\nHost: x\r\n\r\n');
  let got = '';
  c.setEncoding('utf8').on('data', (d) => (got += d));
  await new Promise((resolve) => c.once('end', resolve));
  t.match(got, /^HTTP\/1.1 200 OK\r\n[^]*\r\n\r\n2:cccccccc$/, 'answered, then the server ended the idle connection');
  c.destroy();
  t.ok(await until(() => served.connections === 0), 'the server side closed');
  await served.close();
  t.ok(await settled(rt, () => slabsLent(rt) === 0 && rt.stats().handles === 0));
});

await eachDriver(t, "a throwing 'connection' listener is an uncaught exception and serving goes on", async (t, rt) => {
  const server = http.createServer(handler);
  let thrown = 0;
  server.prependListener('connection', () => {
    if (thrown++ === 0) throw new Error('listener bug');
  });
  const seen = [];
  const onUncaught = (e) => seen.push(e.message);
  const tapHandlers = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onUncaught);
  try {
    const served = await serve(server, { host: '127.0.0.1', runtime: rt });
    // The first connection meets the throwing listener (http never sees it, as with Node).
    const first = net.connect(served.port, '127.0.0.1');
    t.ok(await until(() => seen.length === 1), 'the throw surfaced');
    first.destroy();
    const r = await httpRequest({ host: '127.0.0.1', port: served.port, path: '/cl/2/10', agent: false });
    t.equal(r.status, 200, 'the next connection is served');
    t.same(seen, ['listener bug'], 'the error surfaced as an uncaught exception');
    served.closeAllConnections();
    await served.close();
  } finally {
    process.off('uncaughtException', onUncaught);
    for (const h of tapHandlers) process.on('uncaughtException', h);
  }
  t.ok(await settled(rt, () => slabsLent(rt) === 0 && rt.stats().handles === 0));
});
