// A node:http server running unmodified over compat's serve(), answering a real node:http
// client (plain node:net sockets underneath).
import http from 'node:http';
import t from 'tap';
import { serve } from '@rentio/compat';
import { eachDriver } from '../helpers/drivers.mjs';
import { bigUploadStream, handler, httpRequest, httpWorkload, settled, slabsLent } from './_helpers.mjs';

await eachDriver(t, 'http.createServer over serve(): keep-alive, chunked, 32 MiB both ways', async (t, rt) => {
  const server = http.createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  const served = await serve(server, { port: 0, host: '127.0.0.1', runtime: rt });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const send = ({ method, path, body }) => httpRequest(
    { host: '127.0.0.1', port: served.port, method, path, agent },
    body === 'upload' ? bigUploadStream() : body,
  );
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
