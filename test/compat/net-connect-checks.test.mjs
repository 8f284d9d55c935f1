// connect()'s option checks, lookup answers, blockList, byte counters and keep-alive reuse, as
// Node's own net/http tests found them: each case runs on a plain node:net socket and on compat
// over each driver (eachTransport) with the same assertions, so every expectation is Node's own.
import dns from 'node:dns';
import http from 'node:http';
import net from 'node:net';
import t from 'tap';
const NODE_HAS_BLOCKLIST = Number(process.versions.node.split('.')[0]) >= 22;
import { RentioSocket } from '@rentio/compat';
import { closed, eachTransport, once, settled, slabsLent, until } from './_helpers.mjs';

/** A plain node:net server running `onConn(socket)` on 127.0.0.1. */
async function netServer(onConn) {
  const server = net.createServer(onConn);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, server, close: () => new Promise((r) => server.close(r)) };
}

async function quiet(t, T) {
  if (T.rt) t.ok(await settled(T.rt, () => T.rt.stats().handles === 0 && slabsLent(T.rt) === 0), 'nothing left open or in flight');
}

await eachTransport(t, 'connect() refuses object mode, a bad hints, a lookup that is not a function, before returning', async (t, T) => {
  for (const key of ['objectMode', 'readableObjectMode', 'writableObjectMode']) {
    t.throws(() => T.Socket({ [key]: true }), {
      code: 'ERR_INVALID_ARG_VALUE',
      message: `The property 'options.${key}' is not supported. Received true`,
    });
  }
  // net.Socket's blockList option came in Node 22; compat has it on every Node.
  if (T.name !== 'node:net' || NODE_HAS_BLOCKLIST)
    t.throws(() => T.Socket({ blockList: 5 }), { code: 'ERR_INVALID_ARG_TYPE' }, 'a blockList that is not a net.BlockList');
  const hints = (dns.ADDRCONFIG | dns.V4MAPPED | dns.ALL) + 42;
  t.throws(() => T.Socket().connect({ port: 42, hints }), {
    code: 'ERR_INVALID_ARG_VALUE',
    message: /The argument 'hints' is invalid\. Received \d+/,
  });
  for (const lookup of ['foobar', 1, {}, []]) {
    t.throws(() => T.Socket().connect({ host: 'localhost', port: 0, lookup }), { code: 'ERR_INVALID_ARG_TYPE' }, `lookup ${JSON.stringify(lookup)}`);
  }
  await quiet(t, T);
});

await eachTransport(t, 'a custom lookup is called inside connect(); an answer of an unknown family fails', async (t, T) => {
  let called = false;
  const s = T.Socket();
  s.connect({
    host: 'localhost',
    port: 0,
    lookup: (host, opts, cb) => {
      called = true;
      process.nextTick(() => (opts.all ? cb(null, [{ address: '127.0.0.1', family: 100 }]) : cb(null, '127.0.0.1', 100)));
    },
  });
  t.ok(called, 'lookup was called before connect() returned');
  const [err] = await once(s, 'error').catch((e) => [e]);
  t.match(err, { code: 'ERR_INVALID_ADDRESS_FAMILY', host: 'localhost', port: 0, message: 'Invalid address family: 100 localhost:0' });
  await closed(s);
  await quiet(t, T);
});

await eachTransport(t, 'blockList: a blocked address is never connected to (ERR_IP_BLOCKED)', async (t, T) => {
  if (T.name === 'node:net' && !NODE_HAS_BLOCKLIST) return t.skip(`node:net ${process.version} has no blockList option (Node 22+)`);
  const srv = await netServer((c) => c.destroy());
  const blockList = new net.BlockList();
  blockList.addAddress('127.0.0.1');
  const direct = T.Socket({ blockList });
  t.equal(direct.blockList, blockList, 'kept as socket.blockList');
  const errors = [];
  direct.on('error', (e) => errors.push(e.code)).connect({ port: srv.port, host: '127.0.0.1' });
  const looked = T.Socket({ blockList })
    .on('error', (e) => errors.push(e.code))
    .connect({ port: srv.port, host: 'localhost', lookup: (h, o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]) });
  await closed(direct);
  await closed(looked);
  t.same(errors, ['ERR_IP_BLOCKED', 'ERR_IP_BLOCKED']);
  t.equal(srv.server.connections ?? 0, 0);
  await srv.close();
  await quiet(t, T);
});

await eachTransport(t, '_connecting, byte counters per connection, bytesWritten read on the prototype', async (t, T) => {
  const srv = await netServer((c) => c.resume().on('end', () => c.end()));
  const s = T.Socket();
  s.connect(srv.port, '127.0.0.1');
  t.equal(s._connecting, true, '_connecting while connecting');
  await once(s, 'connect');
  t.equal(s._connecting, false);
  s.end('foobar');
  s.resume();
  await closed(s);
  t.equal(s.bytesWritten, 6);
  // A reconnect starts the counters again, as node:net's new handle does.
  s.connect(srv.port, '127.0.0.1');
  await once(s, 'connect');
  s.end('foo');
  await closed(s);
  t.equal(s.bytesWritten, 3, 'bytesWritten of the second connection only');
  const proto = Object.getPrototypeOf(s);
  t.equal(proto.bytesWritten, undefined, 'bytesWritten on the prototype is undefined');
  t.equal(proto.bytesRead, undefined, 'bytesRead on the prototype is undefined');
  await srv.close();
  await quiet(t, T);
});

await eachTransport(t, "connect() takes net.connect's normalized [options, cb] array", async (t, T) => {
  const srv = await netServer((c) => c.end());
  // The array as node:net makes it (its normalizeArgs marks it): what net.connect() passes to a
  // wrapped net.Socket.prototype.connect.
  let normalized;
  const nodeConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (args) {
    normalized = args;
    return this;
  };
  let cbCalled = false;
  try {
    net.connect({ port: srv.port, host: '127.0.0.1' }, () => (cbCalled = true));
  } finally {
    net.Socket.prototype.connect = nodeConnect;
  }
  t.ok(Array.isArray(normalized));
  const s = T.Socket();
  s.connect(normalized);
  await once(s, 'connect');
  t.ok(cbCalled, 'the array’s callback is the connect listener');
  s.resume();
  await closed(s);
  await srv.close();
  await quiet(t, T);
});

await eachTransport(t, 'a keep-alive socket the server ends right after its response is still freed to the agent first', async (t, T) => {
  // The server ends the connection a moment after the response: the FIN arrives with or just
  // after it. http's agent frees the socket in a tick the response's 'end' scheduled; the peer's
  // EOF must not be acted on (ending our side) before that tick, or the agent destroys the socket.
  const server = http.createServer((req, res) => {
    const sock = req.socket;
    setImmediate(() => sock.end());
    res.end('hello world');
  });
  const served = await T.serve(server);
  const agent = new http.Agent({ keepAlive: true });
  agent.createConnection = (opts, cb) => T.createConnection({ port: opts.port, host: '127.0.0.1' }, cb);
  const res = await new Promise((resolve) => http.get({ port: served.port, agent }, resolve));
  const name = agent.getName({ port: served.port });
  res.resume();
  await once(res, 'end');
  await new Promise((r) => process.nextTick(r));
  t.equal(agent.freeSockets[name]?.length, 1, 'in the free list on the next tick');
  t.equal(agent.sockets[name], undefined);
  // Then the server's FIN closes it and the agent forgets it.
  t.ok(await until(() => agent.totalSocketCount === 0), 'gone once the server closed it');
  agent.destroy();
  await served.close();
  await quiet(t, T);
});

t.test('RentioSocket is what net.Socket reads its prototype getters on', async (t) => {
  t.equal(RentioSocket.prototype.bytesWritten, undefined);
  t.equal(net.Socket.prototype.bytesWritten, undefined);
});

await eachTransport(t, "onread: reads land in the caller's buffer, a callback per read, no 'data'; false pauses", async (t, T) => {
  const message = Buffer.from('hello world');
  const srv = await netServer((c) => c.end(message));
  // A buffer function: asked once before the first read and once after each callback.
  const pool = [Buffer.alloc(2), Buffer.alloc(2), Buffer.alloc(2)];
  let asked = 0;
  let current = -1;
  const pieces = [];
  const s = T.Socket({
    onread: {
      buffer: () => {
        asked++;
        current = (current + 1) % pool.length;
        return pool[current];
      },
      callback(nread, buf) {
        t.equal(buf, pool[current], 'the buffer the function gave');
        t.equal(this, s, 'called with the socket as this');
        pieces.push(Buffer.from(buf.subarray(0, nread)));
      },
    },
  });
  s.on('data', () => t.fail("no 'data' with onread"));
  s.connect(srv.port, '127.0.0.1');
  await once(s, 'end');
  t.same(Buffer.concat(pieces), message);
  t.same(
    pieces.map((p) => p.length),
    [2, 2, 2, 2, 2, 1],
    'at most buffer.length bytes a callback',
  );
  t.equal(asked, 7);
  t.equal(s.bytesRead, message.length);
  await closed(s);

  // Returning false stops reading until resume().
  const fixed = Buffer.alloc(4);
  const got = [];
  let paused = false;
  const p = T.Socket({
    onread: {
      buffer: fixed,
      callback(nread, buf) {
        t.notOk(paused, 'no callback while paused');
        got.push(Buffer.from(buf.subarray(0, nread)));
        paused = true;
        setTimeout(() => {
          paused = false;
          this.resume();
        }, 5);
        return false;
      },
    },
  });
  p.on('data', () => t.fail("no 'data' with onread"));
  p.connect(srv.port, '127.0.0.1');
  await once(p, 'end');
  t.same(Buffer.concat(got), message);
  t.ok(got.length >= 3, 'one callback per resume');
  await closed(p);
  await srv.close();
  await quiet(t, T);
});

await eachTransport(t, "a served request whose last bytes come with the client's FIN is still answered", async (t, T) => {
  // Each client sends a whole chunked request and its FIN at once. http.Server answers on the
  // request's 'end' (or at once with 413 for a chunk extension over its limit); the FIN must be
  // acted on after the ticks the bytes before it scheduled (libuv reports EOF in a read of its
  // own), or the connection is torn down before the answer.
  const handler = (req, res) => {
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain', connection: 'close', date: 'now' });
      res.end('bye');
    });
    req.resume();
  };
  const ask = (port, body) =>
    new Promise((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      let data = '';
      sock.on('data', (d) => (data += d));
      sock.on('end', () => resolve(data));
      sock.end(`GET / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n${body}0\r\n\r\n`);
    });
  const servers = await Promise.all([T.serve(http.createServer(handler)), T.serve(http.createServer(handler))]);
  const chunk = `2;${'A'.repeat(10000)}=bar\r\nAA\r\n`;
  const [tooLong, ok] = await Promise.all([ask(servers[0].port, `2;${'a'.repeat(17000)}\r\nAA\r\n`), ask(servers[1].port, chunk + chunk + chunk)]);
  t.equal(tooLong, 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n');
  t.equal(
    ok,
    'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\ndate: now\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nbye\r\n0\r\n\r\n',
  );
  for (const s of servers) await s.close();
  await quiet(t, T);
});

await eachTransport(t, "a write after the peer's FIN and our reply to it fails through its callback, with no 'error'", async (t, T) => {
  // The client ends; the server's socket (allowHalfOpen false) ends in reply. Once the client saw
  // that FIN, node:net's server socket has already finished and closed itself, so a write fails
  // with EPIPE through its callback only. Over a completion driver the FIN can reach the peer
  // before the shutdown's completion is seen: the same must hold. Many rounds, to meet that race.
  let errors = 0;
  const failures = [];
  let next;
  const server = net.createServer((socket) => {
    socket.resume();
    socket.on('error', () => errors++);
    next(socket);
  });
  const served = await T.serve(server);
  for (let i = 0; i < 20; i++) {
    const accepted = new Promise((r) => (next = r));
    const client = net.connect(served.port, '127.0.0.1');
    await once(client, 'connect');
    const serverSocket = await accepted;
    // Written inside the client's 'end' listener, as soon as our FIN is seen.
    const wrote = new Promise((r) => client.once('end', () => serverSocket.write('test', (...a) => r(a))));
    client.end();
    const [err] = await wrote;
    if (err?.code !== 'EPIPE') failures.push(err);
    await closed(serverSocket);
    await closed(client);
  }
  t.same(failures, [], 'each write failed with EPIPE');
  t.equal(errors, 0, "no 'error' on the server's sockets");
  await served.close();
  await quiet(t, T);
});
