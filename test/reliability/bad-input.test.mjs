// Bad input on every public function (issue 6, "Bad input"): wrong types, negative / NaN /
// fractional / huge sizes, windows outside the buffer, detached, pooled, subarray and
// SharedArrayBuffer buffers, one buffer lent to two ops, closed handles, invalid flags, NUL bytes in
// paths. Each call throws (or, for the async functions, rejects) with a precise code, takes
// nothing from the caller, and reaches no kernel: rt.stats().submitted does not move.
import t from 'tap';
import { Buffer } from 'node:buffer';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as rentio from '@rentio/core';
import { alloc, createRuntime, own } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { streamPair, tmpDir } from '../helpers/util.mjs';
import { syncThrow } from '../helpers/reliability.mjs';

const TYPE = 'ERR_RENTIO_INVALID_ARG_TYPE';
const VALUE = 'ERR_RENTIO_INVALID_ARG_VALUE';
const RANGE = 'ERR_RENTIO_OUT_OF_RANGE';
const CLASS = { [TYPE]: TypeError, [VALUE]: TypeError, [RANGE]: RangeError };

/** A buffer that is not rentable, and the code that says why. */
function unrentable() {
  const big = alloc(64);
  const detached = alloc(16);
  structuredClone(detached.buffer, { transfer: [detached.buffer] });
  return [
    ['a pooled Buffer', Buffer.from('pooled bytes'), 'ERR_RENTIO_BUFFER_POOLED'],
    ['a subarray', big.subarray(8, 24), 'ERR_RENTIO_BUFFER_VIEW'],
    ['a view at an offset', new Uint8Array(alloc(32).buffer, 4), 'ERR_RENTIO_BUFFER_VIEW'],
    ['a SharedArrayBuffer view', new Uint8Array(new SharedArrayBuffer(16)), 'ERR_RENTIO_BUFFER_SHARED'],
    ['a detached buffer', detached, 'ERR_RENTIO_BUFFER_DETACHED'],
    ['a string', 'bytes', TYPE],
    ['a number', 16, TYPE],
    ['null', null, TYPE],
    ['undefined', undefined, TYPE],
    ['an ArrayBuffer', new ArrayBuffer(16), TYPE],
    ['a Uint16Array', new Uint16Array(8), TYPE],
    ['a DataView', new DataView(new ArrayBuffer(16)), TYPE],
    ['a Uint8ClampedArray', new Uint8ClampedArray(16), TYPE],
    ['a plain object', { byteLength: 16 }, TYPE],
  ];
}

/** Windows and options a 16-byte buffer cannot take. */
const BAD_WINDOWS = [
  ['options not an object', 5, TYPE],
  ['options a string', 'offset', TYPE],
  ['offset a string', { offset: '1' }, TYPE],
  ['offset a bigint', { offset: 1n }, TYPE],
  ['negative offset', { offset: -1 }, RANGE],
  ['fractional offset', { offset: 1.5 }, RANGE],
  ['NaN offset', { offset: NaN }, RANGE],
  ['Infinity offset', { offset: Infinity }, RANGE],
  ['offset past the end', { offset: 17 }, RANGE],
  ['length a string', { length: '4' }, TYPE],
  ['negative length', { length: -1 }, RANGE],
  ['fractional length', { length: 0.5 }, RANGE],
  ['NaN length', { length: NaN }, RANGE],
  ['huge length', { length: 2 ** 53 }, RANGE],
  ['length past the end', { length: 17 }, RANGE],
  ['offset + length past the end', { offset: 8, length: 9 }, RANGE],
  ['offset at the end + 1 byte', { offset: 16, length: 1 }, RANGE],
  ['signal not an AbortSignal', { signal: {} }, TYPE],
  ['signal an AbortController', { signal: new AbortController() }, TYPE],
];

const BAD_POSITIONS = [
  ['negative position', { position: -2 }, RANGE],
  ['negative bigint position', { position: -2n }, RANGE],
  ['fractional position', { position: 1.5 }, RANGE],
  ['NaN position', { position: NaN }, RANGE],
  ['Infinity position', { position: Infinity }, RANGE],
  ['position past 2^53', { position: 2 ** 53 }, RANGE],
  ['bigint position past 2^53', { position: 2n ** 53n }, RANGE],
  ['bigint position 2^64', { position: 2n ** 64n }, RANGE],
  ['position a string', { position: '0' }, TYPE],
  ['position an object', { position: {} }, TYPE],
];

/**
 * Check one call: it throws synchronously (or rejects, `async`) with `code`, of the right class,
 * and the driver saw nothing.
 */
async function refuses(t, rt, what, fn, code, { async = false } = {}) {
  const before = rt.stats().submitted;
  let err;
  if (async) {
    const thrown = syncThrow(() => {
      err = undefined;
      const p = fn();
      return p.then(
        () => {},
        (e) => (err = e),
      );
    });
    if (thrown) err = thrown;
    else await new Promise((r) => setImmediate(r));
    // Promise rejections of async functions settle within a turn or two (name lookups excepted).
    for (let i = 0; i < 50 && err === undefined; i++) await new Promise((r) => setTimeout(r, 2));
  } else {
    err = syncThrow(fn);
  }
  const ok = err?.code === code && (!CLASS[code] || err instanceof CLASS[code]) && rt.stats().submitted === before;
  if (!ok)
    t.fail(
      `${what}: expected ${code}${async ? '' : ' thrown synchronously'}, got ${err?.code ?? (err ? err.message : 'no error')} (${err?.constructor?.name}), submitted moved by ${rt.stats().submitted - before}`,
    );
  return ok;
}

await eachDriver(t, 'buffer ops on files and streams: every unrentable buffer and bad window', async (t, rt) => {
  const path = join(tmpDir(t), 'f');
  writeFileSync(path, 'x'.repeat(64));
  const f = await rt.open(path, 'r+');
  const [c, s, l] = await streamPair(rt);
  const targets = [
    ['file.read', (b, o) => f.read(b, o), true],
    ['file.write', (b, o) => f.write(b, o), true],
    ['file.writeAll', (b, o) => f.writeAll(b, o), true],
    ['stream.read', (b, o) => s.read(b, o), false],
    ['stream.write', (b, o) => c.write(b, o), false],
    ['stream.writeAll', (b, o) => c.writeAll(b, o), false],
  ];
  let checked = 0;
  let passed = 0;
  for (const [name, op, positioned] of targets) {
    for (const [what, buf, code] of unrentable()) {
      checked++;
      const parent = buf?.buffer;
      const size = parent?.byteLength;
      if (await refuses(t, rt, `${name}(${what})`, () => op(buf), code)) passed++;
      if (parent && parent.byteLength !== size) t.fail(`${name}(${what}): the caller's memory was detached`);
    }
    for (const [what, opts, code] of [...BAD_WINDOWS, ...(positioned ? BAD_POSITIONS : [])]) {
      checked++;
      const buf = alloc(16);
      if (await refuses(t, rt, `${name}(buf, ${what})`, () => op(buf, opts), code)) passed++;
      if (buf.byteLength !== 16) t.fail(`${name}(buf, ${what}): the buffer was taken`);
    }
  }
  t.equal(passed, checked, `${checked} refused calls, each with its precise code, none reaching the driver`);
  await Promise.all([f.close(), c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'one buffer lent to two ops at once', async (t, rt) => {
  const path = join(tmpDir(t), 'f');
  writeFileSync(path, 'y'.repeat(64));
  const f = await rt.open(path, 'r+');
  const [c, s, l] = await streamPair(rt);
  const buf = alloc(16);
  const twin = new Uint8Array(buf.buffer); // a second view over the same whole memory
  const first = f.read(buf, { position: 0 });
  t.ok(await refuses(t, rt, 'file.write(the same buffer)', () => f.write(buf), 'ERR_RENTIO_BUFFER_DETACHED'));
  t.ok(await refuses(t, rt, 'stream.write(a twin view of it)', () => c.write(twin), 'ERR_RENTIO_BUFFER_DETACHED'));
  t.ok(await refuses(t, rt, 'stream.writev([its twin])', () => c.writev([twin]), 'ERR_RENTIO_BUFFER_DETACHED'));
  const [n, back] = await first;
  t.equal(n, 16, 'the first op completes with the memory');
  t.equal(back.byteLength, 16);
  const a = alloc(4);
  t.ok(await refuses(t, rt, 'writev([a, a])', () => c.writev([a, a]), VALUE));
  t.ok(await refuses(t, rt, 'writev([a, twin of a])', () => c.writev([a, new Uint8Array(a.buffer)]), VALUE));
  t.equal(a.byteLength, 4, 'a refused writev takes none of its buffers');
  await Promise.all([f.close(), c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'writev, shutdown, accept, truncate and the sockopt setters', async (t, rt) => {
  const path = join(tmpDir(t), 'f');
  writeFileSync(path, 'z');
  const f = await rt.open(path, 'r+');
  const [c, s, l] = await streamPair(rt);
  const cases = [
    ['writev(not an array)', () => c.writev(alloc(4)), TYPE],
    ['writev([])', () => c.writev([]), TYPE],
    ['writev([a number])', () => c.writev([5]), TYPE],
    ['writev([pooled])', () => c.writev([Buffer.from('p')]), 'ERR_RENTIO_BUFFER_POOLED'],
    ['writev([subarray])', () => c.writev([alloc(8).subarray(1)]), 'ERR_RENTIO_BUFFER_VIEW'],
    ['writev([shared])', () => c.writev([new Uint8Array(new SharedArrayBuffer(4))]), 'ERR_RENTIO_BUFFER_SHARED'],
    ['writev(1025 buffers)', () => c.writev(Array.from({ length: 1025 }, () => alloc(1))), VALUE],
    ['writev(bufs, options a number)', () => c.writev([alloc(1)], 5), TYPE],
    ['writev(bufs, bad signal)', () => c.writev([alloc(1)], { signal: 'abort' }), TYPE],
    ["shutdown('sideways')", () => s.shutdown('sideways'), VALUE],
    ['shutdown(1)', () => s.shutdown(1), VALUE],
    ['shutdown(null)', () => s.shutdown(null), VALUE],
    ['accept(5)', () => l.accept(5), TYPE],
    ['accept({ signal: 1 })', () => l.accept({ signal: 1 }), TYPE],
    ['truncate(-1)', () => f.truncate(-1), RANGE],
    ['truncate(-1n)', () => f.truncate(-1n), RANGE],
    ['truncate(1.5)', () => f.truncate(1.5), RANGE],
    ['truncate(NaN)', () => f.truncate(NaN), RANGE],
    ['truncate(2^53)', () => f.truncate(2 ** 53), RANGE],
    ['truncate(2n^63n)', () => f.truncate(2n ** 63n), RANGE],
    ["truncate('1')", () => f.truncate('1'), TYPE],
    ['truncate(null)', () => f.truncate(null), TYPE],
  ];
  let passed = 0;
  for (const [what, fn, code] of cases) if (await refuses(t, rt, what, fn, code)) passed++;
  t.equal(passed, cases.length, `${cases.length} refused calls`);
  await Promise.all([f.close(), c.close(), s.close(), l.close()]);
});

await eachDriver(t, 'runtime functions: open, readFile, writeFile, listen, connect, sleep, addStat', async (t, rt) => {
  const dir = tmpDir(t);
  const good = join(dir, 'good');
  writeFileSync(good, 'g');
  const cases = [
    ['open(42)', () => rt.open(42), TYPE],
    ['open(null)', () => rt.open(null), TYPE],
    ['open({})', () => rt.open({}), TYPE],
    ["open('')", () => rt.open(''), VALUE],
    ['open(path with NUL)', () => rt.open(join(dir, 'a\u0000b')), VALUE],
    ['open(Buffer path with NUL)', () => rt.open(Buffer.from(join(dir, 'a\u0000b'))), VALUE],
    ['open(file URL with %00)', () => rt.open(new URL(`file://${dir}/a%00b`)), VALUE],
    ['open(http URL)', () => rt.open(new URL('http://example.com/x')), VALUE],
    ["open(path, 'rw')", () => rt.open(good, 'rw'), VALUE],
    ["open(path, '')", () => rt.open(good, ''), VALUE],
    ['open(path, 1.5)', () => rt.open(good, 1.5), RANGE],
    ['open(path, -1)', () => rt.open(good, -1), RANGE],
    ['open(path, 2^31)', () => rt.open(good, 2 ** 31), RANGE],
    ['open(path, true)', () => rt.open(good, true), TYPE],
    ["open(path, 'w', -1)", () => rt.open(join(dir, 'm'), 'w', -1), RANGE],
    ["open(path, 'w', 0o10000)", () => rt.open(join(dir, 'm'), 'w', 0o10000), RANGE],
    ["open(path, 'w', 1.5)", () => rt.open(join(dir, 'm'), 'w', 1.5), RANGE],
    ["open(path, 'w', 'rwx')", () => rt.open(join(dir, 'm'), 'w', 'rwx'), TYPE],
    ['readFile(path, 5)', () => rt.readFile(good, 5), TYPE],
    ['readFile(path, { signal: {} })', () => rt.readFile(good, { signal: {} }), TYPE],
    ["readFile(path, { flag: 'nope' })", () => rt.readFile(good, { flag: 'nope' }), VALUE],
    ['readFile(NUL path)', () => rt.readFile('a\u0000'), VALUE],
    ['sleep()', () => rt.sleep(), TYPE],
    ["sleep('1')", () => rt.sleep('1'), TYPE],
    ['sleep(NaN)', () => rt.sleep(NaN), TYPE],
    ['sleep(-1)', () => rt.sleep(-1), RANGE],
    ['sleep(Infinity)', () => rt.sleep(Infinity), RANGE],
    ['sleep(1n)', () => rt.sleep(1n), TYPE],
    ['sleep(1, 5)', () => rt.sleep(1, 5), TYPE],
    ['sleep(1, { signal: true })', () => rt.sleep(1, { signal: true }), TYPE],
    ['addStat(5, fn)', () => rt.addStat(5, () => 1), TYPE],
    ["addStat('x', 'not a function')", () => rt.addStat('x', 'nope'), TYPE],
  ];
  let passed = 0;
  for (const [what, fn, code] of cases) if (await refuses(t, rt, what, fn, code)) passed++;
  t.equal(passed, cases.length, `${cases.length} refused calls`);
  t.doesNotThrow(() => rt.stats(), 'stats() still works after the refused addStat calls');

  // writeFile takes its data only once every other argument passed.
  const wcases = [
    ['writeFile(NUL path, data)', (d) => rt.writeFile('a\u0000b', d), VALUE],
    ['writeFile(42, data)', (d) => rt.writeFile(42, d), TYPE],
    ["writeFile(path, data, { flag: 'zz' })", (d) => rt.writeFile(join(dir, 'w'), d, { flag: 'zz' }), VALUE],
    ['writeFile(path, data, { mode: -1 })', (d) => rt.writeFile(join(dir, 'w'), d, { mode: -1 }), RANGE],
    ['writeFile(path, data, 5)', (d) => rt.writeFile(join(dir, 'w'), d, 5), TYPE],
    ['writeFile(path, data, { signal: 1 })', (d) => rt.writeFile(join(dir, 'w'), d, { signal: 1 }), TYPE],
  ];
  passed = 0;
  for (const [what, fn, code] of wcases) {
    const data = alloc(8);
    if (await refuses(t, rt, what, () => fn(data), code)) passed++;
    if (data.byteLength !== 8) t.fail(`${what}: the data buffer was taken`);
  }
  for (const [what, buf, code] of unrentable()) {
    if (typeof buf === 'string') continue; // a string is copied, not rented: valid data
    if (await refuses(t, rt, `writeFile(path, ${what})`, () => rt.writeFile(join(dir, 'w'), buf), code)) passed++;
  }
  t.equal(passed, wcases.length + unrentable().length - 1, "writeFile refuses bad arguments before taking the caller's buffer");

  // The async functions reject (a name lookup may come first), still before the kernel.
  const acases = [
    ["listen('x')", () => rt.listen('x'), TYPE],
    ['listen({ port: -1 })', () => rt.listen({ port: -1 }), RANGE],
    ['listen({ port: 65536 })', () => rt.listen({ port: 65536 }), RANGE],
    ['listen({ port: 1.5 })', () => rt.listen({ port: 1.5 }), RANGE],
    ["listen({ port: 'http' })", () => rt.listen({ port: 'http' }), TYPE],
    ['listen({ backlog: -1 })', () => rt.listen({ backlog: -1 }), RANGE],
    ['listen({ backlog: 1.5 })', () => rt.listen({ backlog: 1.5 }), RANGE],
    ['listen({ host: 5 })', () => rt.listen({ host: 5 }), TYPE],
    ["listen({ ipv6Only: 'yes' })", () => rt.listen({ ipv6Only: 'yes' }), TYPE],
    ['connect()', () => rt.connect(), TYPE],
    ['connect({})', () => rt.connect({}), TYPE],
    ['connect({ port: -1 })', () => rt.connect({ port: -1 }), RANGE],
    ["connect({ port: 1, localAddress: 'x' })", () => rt.connect({ port: 1, localAddress: 'x' }), VALUE],
    ["connect({ port: 1, localPort: 'x' })", () => rt.connect({ port: 1, localPort: 'x' }), TYPE],
    ['connect({ port: 70000 })', () => rt.connect({ port: 70000 }), RANGE],
    ['connect({ port: NaN })', () => rt.connect({ port: NaN }), RANGE],
    ['connect({ host: 5, port: 1 })', () => rt.connect({ host: 5, port: 1 }), TYPE],
    ['connect({ port: 1, family: 5 })', () => rt.connect({ port: 1, family: 5 }), TYPE],
    ['connect({ port: 1, signal: {} })', () => rt.connect({ port: 1, signal: {} }), TYPE],
  ];
  passed = 0;
  for (const [what, fn, code] of acases) if (await refuses(t, rt, what, fn, code, { async: true })) passed++;
  t.equal(passed, acases.length, `${acases.length} refused async calls`);
});

await eachDriver(t, 'closed handles refuse every op, taking nothing', async (t, rt) => {
  const path = join(tmpDir(t), 'f');
  writeFileSync(path, 'c');
  const f = await rt.open(path, 'r+');
  const [c, s, l] = await streamPair(rt);
  await Promise.all([f.close(), c.close(), l.close()]);
  const CLOSED = 'ERR_RENTIO_HANDLE_CLOSED';
  const buf = alloc(8);
  const cases = [
    ['file.read', () => f.read(buf)],
    ['file.write', () => f.write(buf)],
    ['file.writeAll', () => f.writeAll(buf)],
    ['file.stat', () => f.stat()],
    ['file.sync', () => f.sync()],
    ['file.datasync', () => f.datasync()],
    ['file.truncate', () => f.truncate(0)],
    ['stream.read', () => c.read(buf)],
    ['stream.write', () => c.write(buf)],
    ['stream.writeAll', () => c.writeAll(buf)],
    ['stream.writev', () => c.writev([buf])],
    ['stream.shutdown', () => c.shutdown()],
    ['stream.setNoDelay', () => c.setNoDelay(true)],
    ['stream.setKeepAlive', () => c.setKeepAlive(true, 1000)],
    ['listener.accept', () => l.accept()],
  ];
  let passed = 0;
  for (const [what, fn] of cases) if (await refuses(t, rt, `${what} on a closed handle`, fn, CLOSED)) passed++;
  t.equal(passed, cases.length, `${cases.length} refused calls`);
  t.equal(buf.byteLength, 8, 'the buffer was never taken');
  // Bad arguments on a closed handle: the argument error comes first (nothing to do either way).
  t.ok(await refuses(t, rt, 'closed file.read(pooled)', () => f.read(Buffer.from('x')), 'ERR_RENTIO_BUFFER_POOLED'));
  await t.resolves(f.close(), 'a second close() is harmless');
  t.equal(f.fd, -1, 'a closed handle has no fd');
  t.same(c.address(), {}, 'a closed stream has no address');
  await s.close();
});

t.test('module-level functions and createRuntime', async (t) => {
  const cases = [
    ["alloc('8')", () => alloc('8'), TYPE],
    ['alloc()', () => alloc(), TYPE],
    ['alloc(8n)', () => alloc(8n), TYPE],
    ['alloc(-1)', () => alloc(-1), RANGE],
    ['alloc(1.5)', () => alloc(1.5), RANGE],
    ['alloc(NaN)', () => alloc(NaN), RANGE],
    ['alloc(Infinity)', () => alloc(Infinity), RANGE],
    ['alloc(2^32 + 1)', () => alloc(2 ** 32 + 1), RANGE],
    ['own(5)', () => own(5), TYPE],
    ['own(null)', () => own(null), TYPE],
    ['own(undefined)', () => own(undefined), TYPE],
    ['own({})', () => own({}), TYPE],
    ['own(true)', () => own(true), TYPE],
  ];
  for (const [what, fn, code] of cases) {
    const err = syncThrow(fn);
    t.ok(err?.code === code && err instanceof CLASS[code], `${what}: ${code} (${err?.code})`);
  }
  const rcases = [
    ['createRuntime(5)', { driver: undefined, opts: 5 }, TYPE],
    ["createRuntime({ driver: 'kqueue' })", { opts: { driver: 'kqueue' } }, 'ERR_RENTIO_INVALID_DRIVER'],
    ['createRuntime({ driver: 5 })', { opts: { driver: 5 } }, 'ERR_RENTIO_INVALID_DRIVER'],
    ['createRuntime({ driverOptions: 5 })', { opts: { driver: 'epoll', driverOptions: 5 } }, TYPE],
    ['epoll fileThreads: 0', { opts: { driver: 'epoll', driverOptions: { fileThreads: 0 } } }, VALUE],
    ["epoll fileThreads: 'four'", { opts: { driver: 'epoll', driverOptions: { fileThreads: 'four' } } }, VALUE],
    ['uring entries: -1', { opts: { driver: 'uring', driverOptions: { entries: -1 } } }, VALUE],
    ["uring entries: '8'", { opts: { driver: 'uring', driverOptions: { entries: '8' } } }, VALUE],
    ["uring setupFlags: 'SQPOLL'", { opts: { driver: 'uring', driverOptions: { setupFlags: 'SQPOLL' } } }, VALUE],
    ["uring setupFlags: ['NOPE']", { opts: { driver: 'uring', driverOptions: { setupFlags: ['NOPE'] } } }, VALUE],
  ];
  for (const [what, { opts }, code] of rcases) {
    const err = await createRuntime(opts).then(
      (rt) => rt.close().then(() => null),
      (e) => e,
    );
    t.equal(err?.code, code, `${what}: rejects ${code} (${err?.code ?? err?.message})`);
  }
  // The module-level functions check arguments like the runtime's (after the default runtime exists).
  await (await rentio.defaultRuntime()).sleep(0);
  for (const [what, fn, code] of [
    ['open(NUL path)', () => rentio.open('a\u0000b'), VALUE],
    ["open(path, 'rw')", () => rentio.open('/etc/hostname', 'rw'), VALUE],
    ['sleep(-1)', () => rentio.sleep(-1), RANGE],
    ['writeFile(path, pooled)', () => rentio.writeFile('/tmp/x', Buffer.from('p')), 'ERR_RENTIO_BUFFER_POOLED'],
    ['readFile(path, 5)', () => rentio.readFile('/etc/hostname', 5), TYPE],
  ]) {
    const err = syncThrow(fn);
    t.equal(err?.code, code, `${what}: ${code} (${err?.code})`);
  }
  await (await rentio.defaultRuntime()).close();
});
