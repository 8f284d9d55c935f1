// compat over Unix domain sockets: serve() on a path and connect()/createConnection() to one,
// with node:http (socketPath, an Agent), node:net peers, abstract names and node:net's errors.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { connect, createConnection, RentioSocket, serve } from '@rentio/compat';
import { eachDriver } from '../helpers/drivers.mjs';
import { closed, httpRequest, once, settled, sha256, slabsLent } from './_helpers.mjs';

const dir = mkdtempSync(join(tmpdir(), 'rentio-compat-unix-'));
let seq = 0;
const freshPath = () => join(dir, `s${seq++}.sock`);
const abstractName = () => `\0rentio-compat-${process.pid}-${seq++}`;

async function quiet(t, rt) {
  t.ok(await settled(rt, () => rt.stats().handles === 0 && slabsLent(rt) === 0), 'no socket, op or staging slab left');
}

/** An echo net.Server (what it reads, it writes back; ends when the client ends). */
const echoServer = () => net.createServer((c) => c.pipe(c));

await eachDriver(t, 'http.Server served on a path answers http.request({ socketPath }) through compat', async (t, rt) => {
  const path = freshPath();
  const server = http.createServer((req, res) => res.end(`${req.method} ${req.url}`));
  const served = await serve(server, { path, runtime: rt, readableAll: true, writableAll: true });
  t.equal(served.address(), path, 'served.address() is the path');
  t.equal(server.address(), path, 'server.address() is the path, as for a listen()ed pipe');
  t.equal(served.port, -1, 'no port');
  t.equal(statSync(path).mode & 0o666, 0o666, 'readableAll + writableAll: the socket file is rw for all');
  t.ok(statSync(path).isSocket(), 'a socket file');

  const cc = (opts, cb) => createConnection({ ...opts, runtime: rt }, cb);
  const r1 = await httpRequest({ socketPath: path, path: '/one', createConnection: cc });
  t.equal(r1.status, 200);
  t.equal(r1.body.toString(), 'GET /one', 'http.request({ socketPath, createConnection }) reaches the server');

  // A keep-alive Agent whose connections are compat's: several requests over one connection.
  class RentioAgent extends http.Agent {
    createConnection(opts, cb) {
      return createConnection({ ...opts, runtime: rt }, cb);
    }
  }
  const agent = new RentioAgent({ keepAlive: true, maxSockets: 1 });
  const bodies = [];
  for (let i = 0; i < 5; i++) bodies.push((await httpRequest({ socketPath: path, path: `/k${i}`, agent, method: 'POST' }, 'x')).body.toString());
  t.same(bodies, ['POST /k0', 'POST /k1', 'POST /k2', 'POST /k3', 'POST /k4'], 'an Agent with socketPath, keep-alive');
  agent.destroy();

  // node:http's own client (node:net underneath) against the compat-served path.
  const r2 = await httpRequest({ socketPath: path, path: '/node' });
  t.equal(r2.body.toString(), 'GET /node', "node:http's own client reaches it too");

  await served.close();
  t.notOk(existsSync(path), 'closing removes the socket file');
  await quiet(t, rt);
});

await eachDriver(t, 'compat client to a node:http server listening on a path', async (t, rt) => {
  const path = freshPath();
  const server = http.createServer((req, res) => res.end('from node'));
  await new Promise((resolve) => server.listen(path, resolve));
  const r = await httpRequest({ socketPath: path, path: '/', createConnection: (o, cb) => createConnection({ ...o, runtime: rt }, cb) });
  t.equal(r.body.toString(), 'from node');
  await new Promise((resolve) => server.close(resolve));
  await quiet(t, rt);
});

await eachDriver(t, 'net-style echo over an abstract name, and a net.Socket-like surface on a pipe', async (t, rt) => {
  const name = abstractName();
  const served = await serve(echoServer(), { path: name, runtime: rt });
  t.equal(served.address(), name, "an abstract name is reported with its leading '\\0'");

  const sock = connect({ path: name, runtime: rt });
  t.ok(sock instanceof RentioSocket);
  t.ok(sock.connecting, 'connecting');
  await once(sock, 'connect');
  t.same(sock.address(), {}, 'address() is {} on a pipe, as net.Socket');
  t.equal(sock.remoteAddress, undefined, 'no remoteAddress on a pipe');
  t.equal(sock.remotePort, undefined, 'no remotePort on a pipe');
  t.equal(sock.setNoDelay(true), sock, 'setNoDelay is a no-op on a pipe');
  t.equal(sock.setKeepAlive(true), sock, 'setKeepAlive is a no-op on a pipe');

  const data = randomBytes(4 * 1024 * 1024 + 17);
  const chunks = [];
  sock.on('data', (c) => chunks.push(c));
  const ended = once(sock, 'end');
  for (let o = 0; o < data.length; o += 100_000) {
    const piece = Buffer.from(data.subarray(o, o + 100_000));
    sock.write(piece);
    piece.fill(0); // reusable at once
  }
  sock.end();
  await ended;
  const back = Buffer.concat(chunks);
  t.equal(back.length, data.length, '4 MiB echoed: length');
  t.equal(sha256(back), sha256(data), '4 MiB echoed: sha256');
  await closed(sock);

  // The other call shapes: connect(path, cb) and createConnection(path).
  const a = connect(name, (err, s) => s?.end('ping'));
  a.setEncoding('utf8');
  let got = '';
  for await (const s of a) got += s;
  t.equal(got, 'ping', 'connect(path, cb) — a string that is not a port is a path, as net.connect');
  await closed(a);

  // new RentioSocket().connect(path, listener), as new net.Socket().connect(path).
  const b = new RentioSocket({ runtime: rt });
  b.connect(name, () => b.end('pong'));
  b.setEncoding('utf8');
  got = '';
  for await (const s of b) got += s;
  t.equal(got, 'pong', 'new RentioSocket().connect(path, listener)');
  await closed(b);
  await served.close();
  await quiet(t, rt);
});

await eachDriver(t, "node:net's errors: EADDRINUSE on an existing path, ENOENT and ECONNREFUSED on connect", async (t, rt) => {
  const path = freshPath();
  writeFileSync(path, 'not a socket');
  const theirs = await new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', resolve);
    s.listen(path);
  });
  const err = await serve(echoServer(), { path, runtime: rt }).then(
    () => null,
    (e) => e,
  );
  t.equal(err?.code, 'EADDRINUSE');
  t.equal(err.message, `listen EADDRINUSE: address already in use ${path}`, "node:net's message");
  t.match(err, { code: theirs.code, syscall: theirs.syscall, address: theirs.address }, 'the fields node:net gives');
  t.ok(existsSync(path), 'the existing file is not unlinked');

  const missing = join(dir, 'missing.sock');
  const c1 = connect({ path: missing, runtime: rt });
  const [e1] = await once(c1, 'error');
  const n1 = net.connect(missing);
  const [w1] = await once(n1, 'error');
  t.equal(e1.message, w1.message, `connect ENOENT: "${w1.message}"`);
  t.match(e1, { code: w1.code, syscall: w1.syscall, address: w1.address }, 'ENOENT fields as node:net');

  const c2 = connect({ path, runtime: rt }); // a regular file: nobody listening
  const [e2] = await once(c2, 'error');
  t.equal(e2.code, 'ECONNREFUSED');
  t.equal(e2.message, `connect ECONNREFUSED ${path}`, "node:net's message");

  // createConnection's callback takes the error.
  const viaCb = await new Promise((resolve) => createConnection({ path: missing, runtime: rt }, (e) => resolve(e)));
  t.equal(viaCb.code, 'ENOENT', 'createConnection(opts, cb): cb(err)');
  await Promise.all([closed(c1), closed(c2)]);
  await quiet(t, rt);
});

rmSync(dir, { recursive: true, force: true });
