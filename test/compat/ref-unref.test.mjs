// ref() / unref(): a handle whose only pending op waits for the peer (a read, an accept, a
// datagram receive) lets the process exit once unref'd, and keeps it alive while ref'd until the
// peer acts — on core handles, compat sockets, served servers and compat dgram sockets, over each
// driver, and on node:net / node:dgram as the baseline (the same assertions).
//
// Each case runs in a child (fixtures/ref-child.mjs), which prints 'ready' once its op is pending,
// 'idle' once a timer fired after that (nothing else left to keep its loop alive), 'data' when
// the peer acted and 'beforeExit' when its loop found nothing left to run.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { alloc } from '@rentio/core';
import { DRIVERS, eachDriver, unavailable } from '../helpers/drivers.mjs';

// About 30 children, each loading a runtime: on a loaded 2-core machine that outlasts tap's
// default per-file limit.
t.setTimeout(600_000);

const CHILD = fileURLToPath(new URL('./fixtures/ref-child.mjs', import.meta.url));
// A guard against a child that never exits (the failure under test), not a measurement.
const GUARD_MS = 30_000;

/** The peer of each kind: what the parent does to make the child's pending op complete. */
const PEERS = {
  stream: async () => {
    const conns = [];
    const server = net.createServer((c) => conns.push(c.on('error', () => {})));
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    return {
      port: server.address().port,
      act: () => conns.forEach((c) => c.write('x')),
      close: () => (conns.forEach((c) => c.destroy()), new Promise((r) => server.close(r))),
    };
  },
  listener: async () => ({
    port: undefined,
    act: (port) =>
      net
        .connect(port, '127.0.0.1')
        .on('error', () => {})
        .end('x'),
    close: async () => {},
  }),
  http: async () => {
    const server = http.createServer((req, res) => res.end('ok'));
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    return {
      port: server.address().port,
      act: () => {},
      close: () => (server.closeAllConnections(), new Promise((r) => server.close(r))),
    };
  },
  udp: async () => {
    const u = dgram.createSocket('udp4');
    return {
      port: undefined,
      act: (port) => u.send('x', port, '127.0.0.1'),
      close: () => new Promise((r) => u.close(r)),
    };
  },
};

/**
 * Run the child; in `ref` mode act as the peer once it says 'idle'. Resolves its exit code and
 * the lines it printed.
 */
async function run(driver, kind, peerKind, mode) {
  const peer = await PEERS[peerKind]();
  const args = [CHILD, driver, kind, mode, ...(peer.port ? [String(peer.port)] : [])];
  const lines = [];
  let childPort;
  const code = await new Promise((resolve) => {
    const child = execFile(process.execPath, args, { timeout: GUARD_MS }, (err, _out, stderr) => {
      if (stderr) lines.push(`stderr: ${stderr.trim()}`);
      resolve(err ? (err.code ?? err.signal) : 0);
    });
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const [word, p] = line.split(' ');
        lines.push(word);
        if (word === 'ready') childPort = Number(p);
        if (word === 'ready' && peerKind === 'http') lines.push(`free sockets: ${p}`);
        if (word === 'idle' && mode === 'ref') peer.act(childPort);
      }
    });
  });
  await peer.close();
  return { code, lines };
}

const CASES = [
  ['a core TcpStream with a read pending', 'core-stream', 'stream'],
  ['a core TcpListener with an accept pending', 'core-listener', 'listener'],
  ['a core UdpSocket with a recv pending', 'core-udp', 'udp'],
  ['a compat socket (unref() while connecting)', 'compat-socket', 'stream'],
  ['a served net.Server', 'compat-server', 'listener'],
  ['a compat dgram socket (unref() while binding)', 'compat-dgram', 'udp'],
];
const BASELINE = { 'compat-socket': 'node-socket', 'compat-server': 'node-server', 'compat-dgram': 'node-dgram' };

async function check(t, driver, kind, peerKind) {
  // Both children at once: each has its own peer, and the file's time stays within tap's limit.
  const [un, re] = await Promise.all([run(driver, kind, peerKind, 'unref'), run(driver, kind, peerKind, 'ref')]);
  t.same(un, { code: 0, lines: ['ready', 'idle', 'beforeExit'] }, 'unref: the process exits by itself with the op pending');
  t.same(re, { code: 0, lines: ['ready', 'idle', 'data', 'beforeExit'] }, 'ref: the process lives until the peer acts, then exits');
}

for (const [name, kind, peerKind] of CASES) {
  if (BASELINE[kind]) await t.test(`${name} [node]`, (t) => check(t, 'node', BASELINE[kind], peerKind));
  await eachDriver(t, name, (t, _rt, driver) => check(t, driver, kind, peerKind));
}

await eachDriver(t, 'core: hasRef(), and ref() / unref() on a handle with ops in flight', async (t, rt) => {
  const server = net.createServer((c) => c.on('error', () => {}).end('hi'));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const s = await rt.connect({ host: '127.0.0.1', port: server.address().port });
  t.equal(s.hasRef(), true, 'ref by default');
  const pending = s.read(alloc(16));
  t.equal(s.unref(), s, 'unref() returns the handle');
  t.equal(s.hasRef(), false);
  t.equal(s.unref().hasRef(), false, 'unref() twice');
  t.equal(s.ref(), s, 'ref() returns the handle');
  t.equal(s.hasRef(), true);
  s.unref();
  const [n] = await pending;
  t.equal(n, 2, 'the read of an unref’d handle still completes while the process lives');
  await s.close();
  t.equal(rt.stats().inFlight, 0);
  await new Promise((r) => server.close(r));
});

for (const [driver, kind] of [['node', 'node-agent'], ...DRIVERS.map((d) => [d, 'compat-agent'])]) {
  await t.test(`a keep-alive http.Agent's idle socket lets the process exit [${driver}]`, async (t) => {
    if (driver !== 'node' && (await unavailable(driver))) return t.skip(await unavailable(driver));
    const r = await run(driver, kind, 'http', 'unref');
    t.same(r, { code: 0, lines: ['ready', 'free sockets: 1', 'idle', 'beforeExit'] }, "the agent keeps the socket, unref'd: the process exits");
  });
}
