// net.Socket behaviours libraries rely on, asserted identically on a plain node:net socket and on
// compat over each driver (eachTransport), so every expectation here is Node's own.
import http from 'node:http';
import net from 'node:net';
import { finished } from 'node:stream/promises';
import t from 'tap';
import { eachDriver } from '../helpers/drivers.mjs';
import { closed as closedNow, eachTransport, once, settled, slabsLent } from './_helpers.mjs';

// node:net emits 'close' itself (its closeEmitted flag stays unset), so a socket's 'close' is
// awaited through a promise made when the socket is: track(s) before anything can close it.
const closes = new WeakMap();
function track(s) {
  closes.set(s, new Promise((r) => s.once('close', r)));
  return s;
}
const closed = (s) => closes.get(s) ?? closedNow(s);

/** A plain node:net server running `onConn(socket)` on 127.0.0.1; resolves { port, server }. */
async function netServer(onConn) {
  const server = net.createServer(onConn);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, server, close: () => new Promise((r) => server.close(r)) };
}

/** An echo server: echoes, then ends when the client ends. */
const echo = (s) => s.on('error', () => {}).pipe(s);

async function quiet(t, T) {
  if (T.rt) t.ok(await settled(T.rt, () => T.rt.stats().handles === 0 && slabsLent(T.rt) === 0), 'nothing left open or in flight');
}

await eachTransport(t, 'an unconnected socket connects: states and event order', async (t, T) => {
  const srv = await netServer(echo);
  const s = track(T.Socket());
  const state = () => [s.connecting, s.pending, s.readyState];
  t.same(state(), [false, true, 'open'], 'new: not connecting, pending, readyState open');
  const events = [];
  for (const e of ['lookup', 'connect', 'ready', 'end', 'finish', 'close']) s.on(e, (...a) => events.push(e === 'lookup' ? [e, ...a] : e));
  let inCb;
  t.equal(
    s.connect({ port: srv.port, host: 'localhost', family: 4 }, () => (inCb = state())),
    s,
    'connect() returns the socket',
  );
  t.same(state(), [true, true, 'opening'], 'connecting: connecting, pending, opening');
  await once(s, 'ready');
  t.same(inCb, [false, false, 'open'], 'in the listener: connected');
  t.same(events, [['lookup', null, '127.0.0.1', 4, 'localhost'], 'connect', 'ready'], "'lookup', 'connect', 'ready'");
  t.equal(s.remotePort, srv.port);
  t.same(s.address(), { address: '127.0.0.1', family: 'IPv4', port: s.localPort }, "address() with family 'IPv4'");
  s.end('ping');
  let got = '';
  s.setEncoding('utf8').on('data', (d) => (got += d));
  await closed(s);
  t.equal(got, 'ping');
  t.same(state(), [false, true, 'closed'], 'closed: pending again, readyState closed');
  t.equal(s.bytesRead, 4);
  t.equal(s.bytesWritten, 4);

  // A closed socket connects again (the IP form: no lookup).
  events.length = 0;
  track(s).connect(srv.port, '127.0.0.1');
  t.same(state(), [true, true, 'opening'], 'reconnecting');
  await once(s, 'connect');
  t.same(state(), [false, false, 'open'], 'connected again');
  t.notOk(
    events.some((e) => Array.isArray(e)),
    "an IP address: no 'lookup'",
  );
  s.end('again');
  got = '';
  await closed(s);
  t.equal(got, 'again', 'the second connection carries data');
  await srv.close();
  await quiet(t, T);
});

await eachTransport(t, "a database driver's pattern: new Socket(); connect(port, host); on('connect')", async (t, T) => {
  const srv = await netServer(echo);
  // As pg's Connection does with its `stream` option.
  const stream = track(T.Socket());
  stream.setNoDelay(true);
  stream.connect(srv.port, '127.0.0.1');
  stream.on('connect', () => {
    stream.setKeepAlive(true);
    stream.write(Buffer.from('startup\0'));
  });
  const [chunk] = await once(stream, 'data');
  t.equal(chunk.toString(), 'startup\0', 'the write made in the connect listener comes back');
  stream.end();
  await finished(stream);
  await srv.close();
  await quiet(t, T);
});

await eachTransport(t, 'the lookup option and lookup errors', async (t, T) => {
  const srv = await netServer(echo);
  const asked = [];
  const lookup = (host, opts, cb) => {
    asked.push([host, opts.family]);
    // Answer later, as dns.lookup does (node:net calls lookup inside connect()). Node 20+ may ask
    // for all addresses (autoSelectFamily); compat asks for one.
    setImmediate(() => (opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)));
  };
  const s = track(T.connect({ host: 'db.example', port: srv.port, lookup, family: 4 }));
  const [err, address, family, host] = await once(s, 'lookup');
  t.same([err, address, family, host], [null, '127.0.0.1', 4, 'db.example'], "'lookup' reports the custom lookup's answer");
  t.same(asked, [['db.example', 4]], 'the custom lookup was asked, with the family');
  await once(s, 'connect');
  s.destroy();
  await closed(s);

  // A name that does not resolve: the error node:net gives for it (ENOTFOUND, or EAI_AGAIN on a
  // machine without a resolver) is the one expected, field by field.
  const want = await new Promise((r) => net.connect(srv.port, 'no-such-host.invalid').on('error', r));
  const bad = track(T.connect({ host: 'no-such-host.invalid', port: srv.port }));
  const [e] = await once(bad, 'error').catch((x) => [x]);
  t.ok(['ENOTFOUND', 'EAI_AGAIN'].includes(e.code), `a lookup error (${e.code})`);
  t.same(
    [e.code, e.errno, e.syscall, e.hostname, e.message],
    [want.code, want.errno, want.syscall, want.hostname, want.message],
    "code, errno, syscall, hostname and message as node:net's",
  );
  await closed(bad);
  await srv.close();
  await quiet(t, T);
});

await eachTransport(t, "EOF with nobody reading ends the socket: 'end', 'close', finished() resolves", async (t, T) => {
  const srv = await netServer((s) =>
    s
      .on('error', () => {})
      .resume()
      .on('end', () => s.end()),
  );
  const s = track(T.connect({ port: srv.port, host: '127.0.0.1' }));
  const events = [];
  for (const e of ['end', 'finish', 'close']) s.on(e, () => events.push(e));
  s.write('abc');
  s.end();
  await finished(s);
  await closed(s);
  t.same([...events].sort(), ['close', 'end', 'finish'], "'end', 'finish' and 'close', without a reader");
  t.equal(s.readyState, 'closed');
  await srv.close();
  await quiet(t, T);
});

await eachTransport(t, 'write errors: before connecting, on a socket never connected, after the peer ended', async (t, T) => {
  const srv = await netServer((s) =>
    s
      .on('error', () => {})
      .resume()
      .end(),
  );
  const c = track(T.connect({ port: srv.port, host: '127.0.0.1' }));
  c.on('error', () => {});
  const held = new Promise((r) => c.write('x', r));
  c.destroy();
  t.equal((await held)?.code, 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION', 'a write held while connecting');
  await closed(c);

  const u = track(T.Socket());
  const uErr = once(u, 'error').catch((e) => [e]);
  const uCb = new Promise((r) => u.write('x', r));
  t.equal((await uCb)?.code, 'ERR_SOCKET_CLOSED', 'a socket never connected: the callback');
  t.equal((await uErr)[0]?.code, 'ERR_SOCKET_CLOSED', "and 'error'");

  // The peer ended; without allowHalfOpen our side ends on the next tick, so a write from the
  // 'end' listener still goes through.
  const f = track(T.connect({ port: srv.port, host: '127.0.0.1' }));
  const late = new Promise((resolve) => f.on('end', () => f.write('late', resolve)));
  f.resume();
  t.equal(await late, null, "a write in the 'end' listener succeeds");
  await closed(f);

  // Once our side ended in reply to the peer's FIN, a write is EPIPE (and destroys the socket).
  // ('error' too, if the socket has not closed yet: a matter of timing, so not asserted.)
  const g = track(T.connect({ port: srv.port, host: '127.0.0.1' }));
  g.on('error', () => {});
  await once(g.resume(), 'end');
  await new Promise((r) => process.nextTick(r));
  t.equal(g.writableEnded, true, "our side ended on the tick after 'end'");
  const gCb = await new Promise((r) => g.write('x', r));
  t.equal(gCb?.code, 'EPIPE', 'a write after that: EPIPE');
  t.equal(gCb?.message, 'This socket has been ended by the other party');
  await closed(g);

  const w = track(T.connect({ port: srv.port, host: '127.0.0.1' }));
  w.on('error', () => {});
  w.end();
  const after = await new Promise((r) => w.write('x', r));
  t.equal(after?.code, 'ERR_STREAM_WRITE_AFTER_END', 'write after end()');
  await closed(w);
  await srv.close();
  await quiet(t, T);
});

await eachTransport(t, 'setTimeout, allowHalfOpen, counters', async (t, T) => {
  let accepted;
  const serverSideP = new Promise((r) => (accepted = r));
  const srv = await netServer((s) => accepted(s.on('error', () => {})));
  const s = track(T.connect({ port: srv.port, host: '127.0.0.1', allowHalfOpen: true }));
  await once(s, 'connect');
  const serverSide = await serverSideP;
  t.equal(s.setTimeout(20), s);
  t.equal(s.timeout, 20);
  await once(s, 'timeout');
  t.pass("'timeout' after inactivity");
  s.setTimeout(0);
  // The peer ends; with allowHalfOpen we may still write, and then end.
  serverSide.end('bye');
  let got = '';
  s.setEncoding('utf8').on('data', (d) => (got += d));
  await once(s, 'end');
  t.equal(got, 'bye');
  t.equal(s.readyState, 'writeOnly', 'half-open: writeOnly');
  let back = '';
  serverSide.setEncoding('utf8').on('data', (d) => (back += d));
  const serverEnd = once(serverSide, 'end');
  s.end('still here');
  await closed(s);
  await serverEnd;
  t.equal(back, 'still here', 'written after the peer ended');
  t.equal(s.bytesRead, 3);
  t.equal(s.bytesWritten, 10);
  await srv.close();
  await quiet(t, T);
});

await eachTransport(t, 'a write then destroy() in the same tick is delivered by a served socket', async (t, T) => {
  const server = net.createServer((s) => {
    s.once('data', () => {
      // Mid-exchange: after a read.
      s.write('second');
      s.destroy();
    });
    s.write('first');
    s.on('error', () => {});
  });
  const first = net.createServer((s) => {
    // The connection's very first write.
    s.write(Buffer.alloc(1000, 'x'));
    s.destroy();
  });
  const a = await T.serve(server);
  const b = await T.serve(first);
  let okMid = 0;
  let okFirst = 0;
  for (let i = 0; i < 20; i++) {
    const c = track(net.connect(a.port, '127.0.0.1'));
    let got = '';
    c.setEncoding('utf8').on('data', (d) => {
      got += d;
      if (got === 'first') c.write('go');
    });
    await closed(c);
    if (got === 'firstsecond') okMid++;
    const d = track(net.connect(b.port, '127.0.0.1'));
    let n = 0;
    d.on('data', (x) => (n += x.length));
    await closed(d);
    if (n === 1000) okFirst++;
  }
  t.equal(okFirst, 20, "the connection's first write, then destroy(): 20 of 20 delivered");
  t.equal(okMid, 20, 'a write mid-exchange, then destroy(): 20 of 20 delivered');
  await a.close();
  await b.close();
  await quiet(t, T);
});

await eachTransport(t, 'http.Server answers a malformed request with 400 Bad Request', async (t, T) => {
  const s = await T.serve(http.createServer((req, res) => res.end('ok')));
  const c = track(net.connect(s.port, '127.0.0.1'));
  c.end('NOT HTTP AT ALL\r\n\r\n');
  let got = '';
  c.setEncoding('utf8').on('data', (d) => (got += d));
  await closed(c);
  t.match(got, /^HTTP\/1\.1 400 Bad Request\r\n/, 'the 400 response arrives before the close');
  await s.close();
  await quiet(t, T);
});

await eachTransport(t, 'a 16 MiB POST to a server that answers at once without reading gets the response', async (t, T) => {
  const server = http.createServer((req, res) => res.end('early'));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  const body = Buffer.alloc(16 * 1024 * 1024, 'b');
  let sock;
  const made = (opts, cb) => (sock = T.createConnection(opts, cb));
  const res = await new Promise((resolve, reject) => {
    // No `agent: false`: with it Node never calls createConnection (see the README).
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', createConnection: made }, (res) => {
      let data = '';
      res
        .setEncoding('utf8')
        .on('data', (d) => (data += d))
        .on('end', () => resolve({ status: res.statusCode, data }));
    });
    req.on('error', reject);
    req.end(body);
  });
  t.same(res, { status: 200, data: 'early' }, 'the 200 and its body, not EPIPE');
  t.equal(sock.constructor.name, T.name === 'compat' ? 'RentioSocket' : 'Socket', "the request went over the transport's socket");
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await quiet(t, T);
});

await eachTransport(t, 'a served net.Server is a server: listening, no spurious close, pauseOnConnect, asyncDispose', async (t, T) => {
  const sockets = [];
  const server = net.createServer({ pauseOnConnect: true }, (s) => sockets.push(track(s)));
  let closes = 0;
  server.on('close', () => closes++);
  const s = await T.serve(server);
  t.equal(server.listening, true, 'listening while served');
  const c = track(net.connect(s.port, '127.0.0.1'));
  await once(c, 'connect');
  c.write('hello');
  await new Promise((r) => (sockets.length ? r() : server.once('connection', r)));
  const conn = sockets[0];
  let data = '';
  conn.on('data', (d) => (data += d));
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  t.equal(data, '', "pauseOnConnect: a 'data' listener does not start the flow");
  t.equal(conn.isPaused(), true);
  conn.resume();
  await once(conn, 'data');
  t.equal(data, 'hello', 'resume() does');
  c.destroy();
  await closed(conn);
  t.equal(closes, 0, "no 'close' when the last connection goes while still serving");
  t.equal(server.listening, true, 'still listening');
  await server[Symbol.asyncDispose]();
  t.equal(server.listening, false, 'server[Symbol.asyncDispose]() closed it');
  if (closes === 0) await once(server, 'close');
  t.equal(closes, 1, "one 'close'");
  if (T.name === 'compat') await s.served.close();
  await quiet(t, T);
});

await eachTransport(t, 'a listen error says syscall listen, as net.Server does', async (t, T) => {
  const taken = await netServer(() => {});
  const [err] = await T.serve(net.createServer(), { port: taken.port }).then(
    () => [null],
    (e) => [e],
  );
  t.equal(err?.code, 'EADDRINUSE');
  t.equal(err?.syscall, 'listen');
  t.equal(err?.message, `listen EADDRINUSE: address already in use 127.0.0.1:${taken.port}`);
  t.equal(err?.port, taken.port);
  await taken.close();
  await quiet(t, T);
});

await eachTransport(t, 'connect to port 0 is allowed and refused by the kernel, as in Node', async (t, T) => {
  const s = track(T.connect({ port: 0, host: '127.0.0.1' }));
  const [err] = await once(s, 'error').catch((e) => [e]);
  t.equal(err.code, 'ECONNREFUSED', 'ECONNREFUSED');
  t.same(
    [err.message, err.syscall, err.address, 'port' in err],
    ['connect ECONNREFUSED 127.0.0.1', 'connect', '127.0.0.1', false],
    "node:net's shape: no port printed or set for port 0",
  );
  await closed(s);
  await quiet(t, T);
});

await eachDriver(t, 'core: connect to port 0 is refused by the kernel', async (t, rt) => {
  await t.rejects(rt.connect({ host: '127.0.0.1', port: 0 }), { code: 'ECONNREFUSED', syscall: 'connect' });
  t.equal(rt.stats().handles, 0, 'the socket is closed');
});

/** A port nothing listens on now (the kernel picked it, then it was closed). */
async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

await eachTransport(t, 'localAddress / localPort: bind before connect, and bind errors as node:net', async (t, T) => {
  let seen;
  const srv = await netServer((c) => {
    seen = [c.remoteAddress, c.remotePort];
    c.on('error', () => {}).end();
  });
  const s = track(T.connect({ port: srv.port, host: '127.0.0.1', localAddress: '127.0.0.2' }));
  await once(s, 'connect');
  t.equal(s.localAddress, '127.0.0.2', 'bound to localAddress');
  s.resume();
  await closed(s);
  t.equal(seen[0], '127.0.0.2', 'the server sees it');

  const lp = await freePort();
  const p = track(T.connect({ port: srv.port, host: '127.0.0.1', localPort: lp }));
  await once(p, 'connect');
  t.same([p.localAddress, p.localPort], ['127.0.0.1', lp], 'bound to localPort');
  p.resume();
  await closed(p);
  t.same(seen, ['127.0.0.1', lp], 'the server sees it');

  // The port is taken by the listener: bind EADDRINUSE, with the address bound (0.0.0.0 when
  // only a port is given).
  for (const [opts, want] of [
    [{ localAddress: '127.0.0.1', localPort: srv.port }, `bind EADDRINUSE 127.0.0.1:${srv.port}`],
    [{ localPort: srv.port }, `bind EADDRINUSE 0.0.0.0:${srv.port}`],
    [{ localAddress: '::1' }, 'bind EINVAL ::1'],
  ]) {
    const b = track(T.connect({ port: srv.port, host: '127.0.0.1', ...opts }));
    const [err] = await once(b, 'error').catch((e) => [e]);
    t.same([err.message, err.syscall, err.address], [want, 'bind', opts.localAddress ?? '0.0.0.0'], want);
    t.equal(err.port, opts.localPort, 'port as given');
    await closed(b);
  }
  t.throws(() => T.connect({ port: srv.port, localAddress: 'nope' }), { code: 'ERR_INVALID_IP_ADDRESS' }, 'localAddress not an IP');
  t.throws(() => T.connect({ port: srv.port, localPort: '12' }), { code: 'ERR_INVALID_ARG_TYPE' }, 'localPort not a number');
  await srv.close();
  await quiet(t, T);
});

await eachTransport(t, "family 'IPv4' / 'IPv6', as address() gives it", async (t, T) => {
  const srv = await netServer(echo);
  const asked = [];
  const lookup = (host, opts, cb) => {
    asked.push(opts.family);
    setImmediate(() => cb(null, '127.0.0.1', 4));
  };
  const s = track(T.connect({ port: srv.port, host: 'svc.example', family: 'IPv4', lookup }));
  await once(s, 'connect');
  t.same(asked, [4], "'IPv4' asks the lookup for family 4");
  s.destroy();
  await closed(s);
  await srv.close();
  await quiet(t, T);
});

await eachTransport(t, 'autoSelectFamily: every address tried in turn, families alternating', async (t, T) => {
  const srv = await netServer(echo);
  const dead = await freePort();
  // Nobody listens on 127.0.0.2, ::1 or 127.0.0.3 (the server is on 127.0.0.1 only).
  const answer = [
    { address: '127.0.0.2', family: 4 },
    { address: '127.0.0.3', family: 4 },
    { address: '::1', family: 6 },
    { address: '127.0.0.2', family: 4 },
    { address: '127.0.0.1', family: 4 },
  ];
  const asked = [];
  const lookup = (host, opts, cb) => {
    asked.push(opts);
    setImmediate(() => cb(null, opts.all ? answer : answer[0].address, opts.all ? undefined : answer[0].family));
  };
  const record = (s) => {
    const ev = [];
    s.on('lookup', (err, a, f) => ev.push(['lookup', a, f]));
    s.on('connectionAttempt', (a, p, f) => ev.push(['attempt', a, p, f]));
    s.on('connectionAttemptFailed', (a, p, f, e) => ev.push(['failed', a, p, f, e instanceof Error]));
    s.on('connectionAttemptTimeout', (a, p, f) => ev.push(['timeout', a, p, f]));
    s.on('connect', () => ev.push(['connect']));
    return ev;
  };
  const s = track(T.connect({ port: srv.port, host: 'dual.example', lookup, autoSelectFamily: true }));
  const ev = record(s);
  await once(s, 'connect');
  const P = srv.port;
  t.same(asked, [{ hints: 32, all: true, family: undefined }], 'the lookup is asked for all addresses');
  t.same(
    ev,
    [
      ...answer.map((a) => ['lookup', a.address, a.family]),
      ['attempt', '127.0.0.2', P, 4],
      ['failed', '127.0.0.2', P, 4, true],
      ['attempt', '::1', P, 6],
      ['failed', '::1', P, 6, true],
      ['attempt', '127.0.0.3', P, 4],
      ['failed', '127.0.0.3', P, 4, true],
      ['attempt', '127.0.0.1', P, 4],
      ['connect'],
    ],
    "'lookup' per address, then each once, alternating families, until one connects",
  );
  t.same(s.autoSelectFamilyAttemptedAddresses, [`127.0.0.2:${P}`, `::1:${P}`, `127.0.0.3:${P}`, `127.0.0.1:${P}`]);
  t.equal(s.remoteAddress, '127.0.0.1');
  s.destroy();
  await closed(s);

  const f = track(T.connect({ port: dead, host: 'dual.example', lookup, autoSelectFamily: true }));
  const [err] = await once(f, 'error').catch((e) => [e]);
  t.equal(err.constructor.name, 'AggregateError', 'all failing: an AggregateError');
  t.equal(err.code, 'ECONNREFUSED', "its code is the first attempt's");
  t.same(
    err.errors.map((e) => e.message),
    [
      `connect ECONNREFUSED 127.0.0.2:${dead}`,
      `connect ${err.errors[1].code} ::1:${dead}`,
      `connect ECONNREFUSED 127.0.0.3:${dead}`,
      `connect ECONNREFUSED 127.0.0.1:${dead}`,
    ],
    'one error per attempt',
  );
  await closed(f);

  asked.length = 0;
  const off = track(T.connect({ port: srv.port, host: 'dual.example', lookup, autoSelectFamily: false }));
  await once(off, 'connect').catch(() => {});
  t.same(asked, [{ hints: 32, family: undefined }], 'autoSelectFamily: false asks for one address');
  off.destroy();
  await closed(off);
  await srv.close();
  await quiet(t, T);
});

await eachTransport(t, 'resetAndDestroy() sends RST: the peer reads ECONNRESET', async (t, T) => {
  const peerErrors = [];
  let peerClosed;
  const gone = new Promise((r) => (peerClosed = r));
  const srv = await netServer((c) => c.on('error', (e) => peerErrors.push(e.code)).on('close', peerClosed));
  // Called while connecting: applied once connected, as node:net does.
  const s = track(T.connect({ port: srv.port, host: '127.0.0.1' }));
  t.equal(s.resetAndDestroy(), s, 'returns the socket');
  await closed(s);
  await gone;
  t.same(peerErrors, ['ECONNRESET'], "the peer's read: ECONNRESET");

  const u = track(T.Socket());
  const [err] = await once(u.resetAndDestroy(), 'error').catch((e) => [e]);
  t.equal(err.code, 'ERR_SOCKET_CLOSED', 'never connected: ERR_SOCKET_CLOSED');
  await closed(u);
  await srv.close();
  await quiet(t, T);
});

await eachDriver(t, 'core: TcpStream#resetAndClose() sends RST', async (t, rt) => {
  let peerErr;
  const gone = new Promise((r) => (peerErr = r));
  const srv = await netServer((c) => c.on('error', (e) => peerErr(e.code)).on('close', () => peerErr('closed without error')));
  const s = await rt.connect({ host: '127.0.0.1', port: srv.port });
  await s.resetAndClose();
  t.equal(s.closed, true);
  t.equal(await gone, 'ECONNRESET', "the peer's read: ECONNRESET");
  t.equal(rt.stats().handles, 0);
  await srv.close();
});

await eachTransport(t, "destroyed while looking up: no 'lookup'; after destroy the local name is forgotten, the peer's kept", async (t, T) => {
  const srv = await netServer(echo);
  const lookup = (host, opts, cb) => setImmediate(() => (opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)));
  const d = track(T.connect({ port: srv.port, host: 'svc.example', lookup }));
  const events = [];
  for (const e of ['lookup', 'connect', 'error']) d.on(e, () => events.push(e));
  d.destroy();
  await closed(d);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  t.same(events, [], "nothing after destroy(), not even 'lookup'");

  const s = track(T.connect({ port: srv.port, host: '127.0.0.1' }));
  await once(s, 'connect');
  t.same([s.remoteAddress, s.localAddress, typeof s.localPort], ['127.0.0.1', '127.0.0.1', 'number']);
  s.destroy();
  await closed(s);
  t.same([s.remoteAddress, s.remotePort, s.localAddress, s.localPort], ['127.0.0.1', srv.port, undefined, undefined]);
  t.throws(
    () => T.connect({ port: true }),
    { code: 'ERR_INVALID_ARG_TYPE', message: 'The "options.port" property must be one of type number or string. Received type boolean (true)' },
    'a port of the wrong type',
  );
  await srv.close();
  await quiet(t, T);
});
