// serve() admits connections as net.Server's accept path does: `maxConnections = 0` refuses
// every connection (with 'drop'), and the server's `blockList` closes a blocked peer at once
// without a 'connection'. Found by Node's own test-net-server-drop-connections.js and
// test-net-server-blocklist.js run over compat.
import http from 'node:http';
import net from 'node:net';
import t from 'tap';
import { serve } from '@rentio/compat';
import { eachDriver } from '../helpers/drivers.mjs';

/** Connect with node:net and resolve with how the connection ended: 'closed' by the server, or data. */
function probe(port) {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    let got = '';
    c.on('data', (d) => (got += d));
    c.on('error', (e) => (e.code === 'ECONNRESET' ? resolve('closed') : reject(e)));
    c.on('close', () => resolve(got === '' ? 'closed' : got));
  });
}

void eachDriver(t, 'maxConnections = 0 drops every connection with its addresses', async (t, runtime) => {
  const server = net.createServer((s) => s.end('hello'));
  server.maxConnections = 0;
  const drops = [];
  server.on('drop', (d) => drops.push(d));
  const served = await serve(server, { port: 0, host: '127.0.0.1', runtime });
  t.teardown(() => served.close());
  t.equal(await probe(served.port), 'closed');
  t.equal(drops.length, 1);
  t.equal(drops[0].localPort, served.port);
  t.equal(drops[0].remoteAddress, '127.0.0.1');
  server.maxConnections = 1;
  t.equal(await probe(served.port), 'hello', 'raising the cap admits again');
});

void eachDriver(t, 'a blockList blocks a peer before any connection event', async (t, runtime) => {
  const blockList = new net.BlockList();
  blockList.addAddress('127.0.0.1');
  const server = net.createServer({ blockList }, (s) => s.end('hello'));
  // Node 20's net.Server has no blockList option yet; serve() reads the field either way.
  server.blockList = blockList;
  let connections = 0;
  server.on('connection', () => connections++);
  const served = await serve(server, { port: 0, host: '127.0.0.1', runtime });
  t.teardown(() => served.close());
  t.equal(await probe(served.port), 'closed');
  t.equal(connections, 0);
  server.blockList = new net.BlockList();
  t.equal(await probe(served.port), 'hello', 'an address the list does not block is served');
});

void eachDriver(t, "a served connection carries no 'close' listener of serve's, and is still counted out", async (t, runtime) => {
  // http's CONNECT / upgrade hand-off expects a detached socket with no 'close' listener left
  // (net.Server counts its connections inside Socket#_destroy, not with a listener).
  let listeners = -1;
  const server = net.createServer((s) => {
    listeners = s.listenerCount('close');
    s.end('bye');
  });
  const served = await serve(server, { port: 0, host: '127.0.0.1', runtime });
  t.teardown(() => served.close());
  t.equal(await probe(served.port), 'bye');
  t.equal(listeners, 0);
  for (let i = 0; i < 200 && served.connections > 0; i++) await new Promise((r) => setTimeout(r, 5));
  t.equal(served.connections, 0, 'the closed connection left the count');
  t.equal(server._connections, 0);
});

void eachDriver(t, 'close() runs http.Server#close at once: a connection still answering stays open after its response', async (t, runtime) => {
  // Node's test-http-server-unconsume: the server closes inside the handler, the response ends,
  // and the client then writes more on the same connection, which must still reach the server.
  let serverClosed = false;
  let received = '';
  const server = http.createServer((req, res) => {
    res.end('ok');
    req.socket.on('data', (d) => (received += d));
    server.close(() => (serverClosed = true));
  });
  const served = await serve(server, { port: 0, host: '127.0.0.1', runtime });
  const client = net.connect(served.port, '127.0.0.1');
  client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise((resolve) => client.once('data', resolve));
  client.end('hello world');
  await new Promise((resolve) => client.on('close', resolve));
  await served.close();
  t.equal(received, 'hello world', 'the bytes after the response reached the socket');
  t.ok(serverClosed, "the server emitted 'close' once the connection was gone");
});
