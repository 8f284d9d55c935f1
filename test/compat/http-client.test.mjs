// Clients over compat talking to a plain node:http server: node:http through
// `createConnection` (per request and as an http.Agent's), and undici through `connect`.
import http from 'node:http';
import t from 'tap';
import { Pool } from 'undici';
import { createConnection, RentioSocket } from '@rentio/compat';
import { eachDriver } from '../helpers/drivers.mjs';
import { bigData, bigUploadStream, handler, httpRequest, httpWorkload, settled, slabsLent } from './_helpers.mjs';

async function plainServer(t) {
  const server = http.createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  return { port: server.address().port, connections: () => connections, server };
}

await eachDriver(t, 'node:http client via an http.Agent whose createConnection is compat', async (t, rt) => {
  const { port, connections, server } = await plainServer(t);
  class RentioAgent extends http.Agent {
    createConnection(options, cb) {
      return createConnection({ ...options, runtime: rt }, cb);
    }
  }
  const agent = new RentioAgent({ keepAlive: true, maxSockets: 8 });
  const sockets = new Set();
  agent.on('free', (s) => sockets.add(s));
  const send = ({ method, path, body }) =>
    httpRequest({ host: '127.0.0.1', port, method, path, agent }, body === 'upload' ? bigUploadStream() : body);
  await httpWorkload(t, send);
  t.ok(connections() <= 8, `keep-alive reused connections (${connections()} for 1,002 requests)`);
  t.ok(
    [...sockets].every((s) => s instanceof RentioSocket),
    'every request ran over a RentioSocket',
  );
  agent.destroy();
  server.closeAllConnections();
  t.ok(await settled(rt, () => slabsLent(rt) === 0 && rt.stats().handles === 0), 'all closed, nothing in flight, slabs back');
});

await eachDriver(t, 'http.request({ createConnection }) without an agent', async (t, rt) => {
  const { port } = await plainServer(t);
  let made = 0;
  const cc = (o, cb) => {
    made++;
    return createConnection({ ...o, runtime: rt }, cb);
  };
  for (let id = 0; id < 20; id++) {
    const r = await httpRequest({ host: '127.0.0.1', port, path: `/chunked/${id}/5000`, createConnection: cc });
    t.equal(r.body.length, 5000);
  }
  t.equal(made, 20, 'one connection per request');
  const up = await httpRequest({ host: '127.0.0.1', port, path: '/upload', method: 'POST', createConnection: cc }, bigUploadStream());
  t.equal(up.body.toString().split(' ')[0], bigData().sha, 'upload over a one-off connection');
  t.ok(await settled(rt, () => slabsLent(rt) === 0 && rt.stats().handles === 0), 'sockets closed after their response');
});

await eachDriver(t, 'http.request over compat: connection refused is an error with Node codes', async (t, rt) => {
  const { port, server } = await plainServer(t);
  await new Promise((resolve) => server.close(resolve));
  const err = await httpRequest({
    host: '127.0.0.1',
    port,
    path: '/',
    createConnection: (o, cb) => createConnection({ ...o, runtime: rt }, cb),
  }).catch((e) => e);
  t.equal(err.code, 'ECONNREFUSED');
  t.equal(err.syscall, 'connect');
  t.equal(err.port, port);
  t.ok(await settled(rt, () => rt.stats().handles === 0));
});

await eachDriver(t, 'undici through connect: keep-alive, chunked, 32 MiB both ways', async (t, rt) => {
  const { port, connections } = await plainServer(t);
  const pool = new Pool(`http://127.0.0.1:${port}`, {
    connections: 8,
    connect: (opts, cb) => createConnection({ ...opts, runtime: rt }, cb),
  });
  const send = async ({ method, path, body }) => {
    const r = await pool.request({ method, path, body: body === 'upload' ? bigUploadStream() : body });
    return { status: r.statusCode, headers: r.headers, body: Buffer.from(await r.body.arrayBuffer()) };
  };
  await httpWorkload(t, send);
  t.ok(connections() <= 8, `undici reused connections (${connections()} for 1,002 requests)`);
  await pool.close();
  t.ok(await settled(rt, () => slabsLent(rt) === 0 && rt.stats().handles === 0), 'all closed, nothing in flight, slabs back');
});

await eachDriver(t, 'undici through connect: a refused connect reaches the request as ECONNREFUSED', async (t, rt) => {
  const { port, server } = await plainServer(t);
  await new Promise((resolve) => server.close(resolve));
  const pool = new Pool(`http://127.0.0.1:${port}`, { connect: (opts, cb) => createConnection({ ...opts, runtime: rt }, cb) });
  const err = await pool.request({ method: 'GET', path: '/' }).catch((e) => e);
  t.equal(err.code, 'ECONNREFUSED');
  await pool.close();
  t.ok(await settled(rt, () => rt.stats().handles === 0));
});
