// Unix domain stream sockets: echo over a filesystem path and an abstract name, node:net's
// errors (EADDRINUSE without unlinking, ENOENT, ECONNREFUSED on a stale socket file), half-close,
// 8 MiB both ways byte-verified, sun_path limits checked before any syscall, readableAll /
// writableAll mode bits, the socket file removed on close, and interop with node:net.
import { existsSync, linkSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { alloc, own } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { echoUntilEof, random, readExactly, readToEnd, sha256, tmpDir } from '../helpers/util.mjs';

let seq = 0;
const abstractName = (driver) => `\0rentio-test-${process.pid}-${driver}-${seq++}`;

/** The error node:net reports for `fn(onError)`, as plain fields. */
function nodeError(start) {
  return new Promise((resolve) => {
    const emitter = start();
    emitter.once('error', (e) => {
      emitter.close?.();
      emitter.destroy?.();
      resolve({ code: e.code, errno: e.errno, syscall: e.syscall, message: e.message, address: e.address, port: e.port });
    });
  });
}
const fields = (e) => ({ code: e.code, errno: e.errno, syscall: e.syscall, message: e.message, address: e.address, port: e.port });

async function echoOver(t, rt, path) {
  const l = await rt.listen({ path });
  t.equal(l.address(), path, 'address() is the path, as net.Server#address() for a pipe');
  const served = (async () => {
    for await (const s of l) {
      await echoUntilEof(s);
      await s.shutdown();
      await s.close();
    }
  })();
  const c = await rt.connect({ path });
  t.equal(c.remotePath, path, 'remotePath names the listener');
  t.equal(c.localPath, '', 'a connecting client is unnamed');
  const data = random(1024 * 1024 + 13);
  const [, got] = await Promise.all([c.writeAll(own(data)).then(() => c.shutdown()), readToEnd(c)]);
  t.equal(sha256(got), sha256(data), 'echoed byte-exact');
  await c.close();
  await l.close();
  await served;
}

await eachDriver(t, 'echo over a filesystem path', async (t, rt) => {
  const path = join(tmpDir(t), 'echo.sock');
  await echoOver(t, rt, path);
  t.notOk(existsSync(path), 'closing the listener removed its socket file');
});

await eachDriver(t, 'echo over an abstract name (leading NUL, exact length)', async (t, rt, driver) => {
  const name = abstractName(driver);
  await echoOver(t, rt, name);
  // The name is exact: the same bytes plus a trailing NUL name a different socket.
  const l = await rt.listen({ path: name });
  const other = await rt.listen({ path: `${name}\0` });
  t.equal(other.address(), `${name}\0`);
  await Promise.all([l.close(), other.close()]);
  // Gone with the socket: nothing listens there any more.
  await t.rejects(rt.connect({ path: name }), { code: 'ECONNREFUSED', syscall: 'connect' });
});

await eachDriver(t, 'EADDRINUSE on an existing path, as node:net reports it, and nothing unlinked', async (t, rt) => {
  const dir = tmpDir(t);
  const live = join(dir, 'live.sock');
  const l = await rt.listen({ path: live });
  const err = await rt.listen({ path: live }).catch((e) => e);
  const expected = await nodeError(() => net.createServer().listen(live));
  t.same(fields(err), expected, 'same code, errno, syscall, message, address and port as node:net');
  t.equal(err.message, `listen EADDRINUSE: address already in use ${live}`);
  // Still served: the failed listen removed nothing.
  const c = await rt.connect({ path: live });
  await c.close();
  await l.close();

  const file = join(dir, 'regular-file');
  writeFileSync(file, 'keep me');
  const err2 = await rt.listen({ path: file }).catch((e) => e);
  t.same(fields(err2), await nodeError(() => net.createServer().listen(file)));
  t.equal(readFileSync(file, 'utf8'), 'keep me', 'the existing file is untouched');
});

await eachDriver(t, 'connect: ENOENT, and ECONNREFUSED on a stale socket file, as node:net', async (t, rt) => {
  const dir = tmpDir(t);
  const missing = join(dir, 'missing.sock');
  const err = await rt.connect({ path: missing }).catch((e) => e);
  t.same(fields(err), await nodeError(() => net.connect(missing)));
  t.equal(err.message, `connect ENOENT ${missing}`);

  // A second name for a listener's socket file outlives the listener: a socket file with no one
  // listening behind it.
  const path = join(dir, 'l.sock');
  const stale = join(dir, 'stale.sock');
  const l = await rt.listen({ path });
  linkSync(path, stale);
  await l.close();
  t.ok(statSync(stale).isSocket(), 'the stale socket file is there');
  const err2 = await rt.connect({ path: stale }).catch((e) => e);
  t.same(fields(err2), await nodeError(() => net.connect(stale)));
  t.equal(err2.code, 'ECONNREFUSED');
});

await eachDriver(t, 'half-close: the peer reads EOF and still writes back', async (t, rt) => {
  const path = join(tmpDir(t), 'half.sock');
  const l = await rt.listen({ path });
  const [c, s] = await Promise.all([rt.connect({ path }), l.accept()]);
  await c.writeAll(own('last words'));
  await c.shutdown();
  t.equal((await readToEnd(s)).toString(), 'last words', 'server reads up to EOF');
  await s.writeAll(own('reply after EOF'));
  await s.shutdown();
  t.equal((await readToEnd(c)).toString(), 'reply after EOF', 'client reads after its own shutdown');
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, '8 MiB both ways at once, byte-verified', async (t, rt) => {
  const path = join(tmpDir(t), 'big.sock');
  const l = await rt.listen({ path });
  const [c, s] = await Promise.all([rt.connect({ path }), l.accept()]);
  const up = random(8 * 1024 * 1024);
  const down = random(8 * 1024 * 1024);
  const [, , gotUp, gotDown] = await Promise.all([
    c.writeAll(own(up)).then(() => c.shutdown()),
    s.writeAll(own(down)).then(() => s.shutdown()),
    readToEnd(s),
    readToEnd(c),
  ]);
  t.equal(sha256(gotUp), sha256(up), 'client → server intact');
  t.equal(sha256(gotDown), sha256(down), 'server → client intact');
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'sun_path limits: refused before any syscall, exact at the boundary', async (t, rt, driver) => {
  const base = `/tmp/rentio-${process.pid}-${driver[0]}-`;
  const exact = base + 'p'.repeat(107 - base.length); // 107 bytes + NUL = sun_path
  const long = exact + 'p';
  const before = rt.stats().submitted;
  const e1 = await rt.listen({ path: long }).catch((e) => e);
  t.match(e1, { code: 'ENAMETOOLONG', errno: -36, syscall: 'listen', address: long });
  t.match(e1.message, /^listen ENAMETOOLONG: name too long \/tmp\/.* \(109 bytes; sun_path holds 108 including the NUL\)$/);
  await t.rejects(rt.connect({ path: long }), { code: 'ENAMETOOLONG', syscall: 'connect', address: long });
  await t.rejects(rt.connect({ path: `\0${'a'.repeat(108)}` }), { code: 'ENAMETOOLONG' });
  t.equal(rt.stats().submitted, before, 'no op reached the driver');
  t.notOk(existsSync(long.slice(0, 107)), 'nothing was bound under a truncated name');

  const l = await rt.listen({ path: exact });
  t.teardown(() => l.close());
  t.equal(l.address(), exact);
  const c = await rt.connect({ path: exact });
  t.equal(c.remotePath, exact, '107-byte path round-trips');
  await c.close();
  const abs = `\0rentio-${process.pid}-${driver}-${seq++}-`.padEnd(108, 'a');
  t.equal(Buffer.byteLength(abs), 108);
  const la = await rt.listen({ path: abs });
  const ca = await rt.connect({ path: abs });
  t.equal(ca.remotePath, abs, 'abstract name of 107 bytes round-trips');
  await Promise.all([ca.close(), la.close()]);
});

await eachDriver(t, 'readableAll / writableAll set the mode bits node:net sets', async (t, rt) => {
  const dir = tmpDir(t);
  for (const opts of [{ readableAll: true }, { writableAll: true }, { readableAll: true, writableAll: true }]) {
    const mine = join(dir, `r-${Object.keys(opts).join('-')}.sock`);
    const theirs = join(dir, `n-${Object.keys(opts).join('-')}.sock`);
    const l = await rt.listen({ path: mine, ...opts });
    const srv = net.createServer();
    await new Promise((resolve) => srv.listen({ path: theirs, ...opts }, resolve));
    const mode = statSync(mine).mode & 0o777;
    const want = (opts.readableAll ? 0o444 : 0) | (opts.writableAll ? 0o222 : 0);
    t.equal(mode, want, `${JSON.stringify(opts)}: exactly the requested bits, as libuv >= 1.46 sets them (${mode.toString(8)})`);
    // Node 20's older libuv added the bits to the current mode instead; 22 and 24 set them exactly.
    if (Number(process.versions.node.split('.')[0]) >= 22) t.equal(mode, statSync(theirs).mode & 0o777, 'same mode as node:net');
    if (opts.readableAll) t.equal(mode & 0o444, 0o444, 'readable by all');
    if (opts.writableAll) t.equal(mode & 0o222, 0o222, 'writable by all');
    await new Promise((resolve) => srv.close(resolve));
    await l.close();
  }
  await t.rejects(rt.listen({ path: '\0abstract', readableAll: true }), { code: 'ERR_RENTIO_INVALID_ARG_VALUE' }, 'abstract names have no mode');
});

await eachDriver(t, 'misuse: bad paths and mixed options, refused before any syscall', async (t, rt) => {
  const before = rt.stats().submitted;
  await t.rejects(rt.listen({ path: '/tmp/x.sock', port: 80 }), { code: 'ERR_RENTIO_INVALID_ARG_VALUE' });
  await t.rejects(rt.connect({ path: '/tmp/x.sock', host: 'localhost', port: 80 }), { code: 'ERR_RENTIO_INVALID_ARG_VALUE' });
  await t.rejects(rt.listen({ path: '' }), { code: 'ERR_RENTIO_INVALID_ARG_VALUE' });
  await t.rejects(rt.listen({ path: '/tmp/a\0b' }), { code: 'ERR_RENTIO_INVALID_ARG_VALUE' });
  await t.rejects(rt.connect({ path: 42 }), { code: 'ERR_RENTIO_INVALID_ARG_TYPE' });
  await t.rejects(rt.listen({ path: '/tmp/x.sock', backlog: -1 }), { code: 'ERR_RENTIO_OUT_OF_RANGE' });
  const ac = new AbortController();
  ac.abort();
  await t.rejects(rt.connect({ path: '/tmp/x.sock', signal: ac.signal }), { name: 'AbortError' });
  t.equal(rt.stats().submitted, before, 'no op reached the driver');
});

await eachDriver(t, 'abort a pending read: AbortError with the buffer, the stream still works', async (t, rt) => {
  const path = join(tmpDir(t), 'abort.sock');
  const l = await rt.listen({ path });
  const [c, s] = await Promise.all([rt.connect({ path }), l.accept()]);
  const ac = new AbortController();
  const pending = s.read(alloc(4096), { signal: ac.signal });
  setImmediate(() => ac.abort());
  const err = await pending.catch((e) => e);
  t.equal(err.name, 'AbortError');
  t.equal(err.buf.byteLength, 4096, 'the buffer is handed back');
  await c.writeAll(own('after abort'));
  t.equal((await readExactly(s, 11)).toString(), 'after abort');
  const acc = new AbortController();
  const accepting = l.accept({ signal: acc.signal });
  acc.abort();
  await t.rejects(accepting, { name: 'AbortError' }, 'a pending accept aborts too');
  await Promise.all([c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'interop with node:net on a path, both directions', async (t, rt) => {
  const dir = tmpDir(t);
  // node:net client → rentio listener
  const path = join(dir, 'r.sock');
  const l = await rt.listen({ path });
  const served = (async () => {
    const s = await l.accept();
    await echoUntilEof(s);
    await s.shutdown();
    await s.close();
  })();
  const data = random(300_000);
  const echoed = await new Promise((resolve, reject) => {
    const chunks = [];
    const sock = net.connect(path, () => sock.end(data));
    sock
      .on('data', (d) => chunks.push(d))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
  t.equal(sha256(echoed), sha256(data), 'node:net client got its bytes back');
  await served;
  await l.close();
  // rentio client → node:net server
  const npath = join(dir, 'n.sock');
  const srv = net.createServer((sock) => sock.pipe(sock));
  await new Promise((resolve) => srv.listen(npath, resolve));
  const c = await rt.connect({ path: npath });
  const [, got] = await Promise.all([c.writeAll(own(data)).then(() => c.shutdown()), readToEnd(c)]);
  t.equal(sha256(got), sha256(data), 'rentio client got its bytes back from node:net');
  await c.close();
  await new Promise((resolve) => srv.close(resolve));
});

await eachDriver(t, 'runtime close removes a listening socket file, and an accept pending on it ends', async (t, _rt, driver) => {
  const { createRuntime } = await import('@rentio/core');
  const rt = await createRuntime({ driver });
  const path = join(tmpDir(t), 'rt-close.sock');
  const l = await rt.listen({ path });
  const accepting = l.accept().catch((e) => e);
  t.ok(existsSync(path));
  await rt.close();
  t.match(await accepting, { code: 'ERR_RENTIO_RUNTIME_CLOSED' }, 'the pending accept ends');
  t.notOk(existsSync(path), 'the socket file is gone with the runtime');
});
