// Misuse: every rent rule and type check throws synchronously with a precise code, takes
// nothing from the caller, and never reaches the kernel.
import t from 'tap';
import { Buffer } from 'node:buffer';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { alloc, own, createRuntime, RentioError } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { streamPair, tmpDir } from '../helpers/util.mjs';

function throwsCode(t, fn, code, what) {
  let err;
  try {
    const r = fn();
    if (r && typeof r.then === 'function') r.catch(() => {});
  } catch (e) {
    err = e;
  }
  t.equal(err?.code, code, `${what}: throws ${code} synchronously`);
  return err;
}

await eachDriver(t, 'buffers that cannot be rented', async (t, rt) => {
  const path = join(tmpDir(t), 'f');
  writeFileSync(path, 'data');
  const f = await rt.open(path, 'r');
  const before = rt.stats().submitted;
  const pooled = Buffer.from('pooled'); // a slice of Node's shared pool
  const e = throwsCode(t, () => f.read(pooled), 'ERR_RENTIO_BUFFER_POOLED', 'pooled Buffer');
  t.ok(e instanceof TypeError && e instanceof RentioError, 'a TypeError and a RentioError');
  t.equal(pooled.toString(), 'pooled', 'the pooled Buffer is untouched');
  const big = alloc(64);
  throwsCode(t, () => f.read(big.subarray(8, 16)), 'ERR_RENTIO_BUFFER_VIEW', 'subarray');
  t.equal(big.byteLength, 64, 'the parent buffer is not detached');
  throwsCode(t, () => f.read(new Uint8Array(new SharedArrayBuffer(16))), 'ERR_RENTIO_BUFFER_SHARED', 'SharedArrayBuffer');
  const lent = alloc(16);
  const p = f.read(lent, { position: 0 });
  throwsCode(t, () => f.read(lent), 'ERR_RENTIO_BUFFER_DETACHED', 'a buffer lent to an op in flight');
  await p;
  throwsCode(t, () => f.read('str'), 'ERR_RENTIO_INVALID_ARG_TYPE', 'a string');
  throwsCode(t, () => f.read(new Uint16Array(4)), 'ERR_RENTIO_INVALID_ARG_TYPE', 'a Uint16Array');
  throwsCode(t, () => f.read(null), 'ERR_RENTIO_INVALID_ARG_TYPE', 'null');
  t.equal(rt.stats().submitted, before + 1, 'only the valid read reached the driver');
  await f.close();
});

await eachDriver(t, 'windows outside the buffer are refused before the kernel', async (t, rt) => {
  const path = join(tmpDir(t), 'f');
  writeFileSync(path, 'x'.repeat(100));
  const f = await rt.open(path, 'r');
  const buf = alloc(16);
  const before = rt.stats().submitted;
  for (const [opts, what] of [
    [{ offset: 17 }, 'offset past the end'],
    [{ offset: 8, length: 9 }, 'offset + length past the end'],
    [{ length: 17 }, 'length past the end'],
    [{ offset: -1 }, 'negative offset'],
    [{ length: -1 }, 'negative length'],
    [{ offset: 1.5 }, 'fractional offset'],
    [{ length: NaN }, 'NaN length'],
    [{ length: 2 ** 53 }, 'huge length'],
    [{ position: -2 }, 'negative position'],
    [{ position: 1.5 }, 'fractional position'],
    [{ position: 2n ** 64n }, 'huge bigint position'],
  ]) {
    throwsCode(t, () => f.read(buf, opts), 'ERR_RENTIO_OUT_OF_RANGE', what);
    t.equal(buf.byteLength, 16, `${what}: buffer still the caller's`);
  }
  throwsCode(t, () => f.read(buf, { offset: '1' }), 'ERR_RENTIO_INVALID_ARG_TYPE', 'string offset');
  throwsCode(t, () => f.read(buf, { signal: {} }), 'ERR_RENTIO_INVALID_ARG_TYPE', 'a signal that is not an AbortSignal');
  throwsCode(t, () => f.read(buf, 5), 'ERR_RENTIO_INVALID_ARG_TYPE', 'options not an object');
  t.equal(rt.stats().submitted, before, 'nothing reached the driver');
  const [n] = await f.read(buf, { offset: 16 });
  t.equal(n, 0, 'an empty window at the end is valid');
  await f.close();
});

await eachDriver(t, 'closed handles and bad arguments', async (t, rt) => {
  const dir = tmpDir(t);
  const f = await rt.open(join(dir, 'g'), 'w');
  await f.close();
  const buf = alloc(4);
  throwsCode(t, () => f.write(buf), 'ERR_RENTIO_HANDLE_CLOSED', 'write on a closed file');
  t.equal(buf.byteLength, 4, 'buffer not taken');
  throwsCode(t, () => f.stat(), 'ERR_RENTIO_HANDLE_CLOSED', 'stat on a closed file');
  await f.close(); // idempotent
  const [c, s, l] = await streamPair(rt);
  await c.close();
  throwsCode(t, () => c.read(alloc(1)), 'ERR_RENTIO_HANDLE_CLOSED', 'read on a closed stream');
  throwsCode(t, () => c.setNoDelay(true), 'ERR_RENTIO_HANDLE_CLOSED', 'setNoDelay on a closed stream');
  throwsCode(t, () => s.shutdown('sideways'), 'ERR_RENTIO_INVALID_ARG_VALUE', 'bad shutdown how');
  throwsCode(t, () => s.writev([]), 'ERR_RENTIO_INVALID_ARG_TYPE', 'empty writev');
  const one = alloc(2);
  throwsCode(t, () => s.writev([one, one]), 'ERR_RENTIO_INVALID_ARG_VALUE', 'the same buffer twice in one writev');
  await Promise.all([s.close(), l.close()]);
  throwsCode(t, () => rt.open(join(dir, 'a\u0000b')), 'ERR_RENTIO_INVALID_ARG_VALUE', 'path with a NUL byte');
  throwsCode(t, () => rt.open(42), 'ERR_RENTIO_INVALID_ARG_TYPE', 'path not a string');
  throwsCode(t, () => rt.open(join(dir, 'h'), 'rw'), 'ERR_RENTIO_INVALID_ARG_VALUE', 'invalid flags');
  throwsCode(t, () => rt.open(join(dir, 'h'), 'w', 0o77777), 'ERR_RENTIO_OUT_OF_RANGE', 'invalid mode');
  await t.rejects(rt.listen({ port: 70000 }), { code: 'ERR_RENTIO_OUT_OF_RANGE' }, 'port out of range');
  await t.rejects(rt.connect({ port: -1 }), { code: 'ERR_RENTIO_OUT_OF_RANGE' }, "connect to port -1 (0 is the kernel's to refuse)");
  await t.rejects(rt.connect({ port: 80, localAddress: 'nope' }), { code: 'ERR_RENTIO_INVALID_ARG_VALUE' }, 'localAddress not an IP');
  await t.rejects(rt.connect({ host: 5, port: 80 }), { code: 'ERR_RENTIO_INVALID_ARG_TYPE' }, 'host not a string');
  throwsCode(t, () => rt.sleep(-1), 'ERR_RENTIO_OUT_OF_RANGE', 'negative sleep');
  throwsCode(t, () => rt.sleep('1'), 'ERR_RENTIO_INVALID_ARG_TYPE', 'sleep of a string');
  throwsCode(t, () => alloc(-1), 'ERR_RENTIO_OUT_OF_RANGE', 'alloc(-1)');
  throwsCode(t, () => alloc(1.5), 'ERR_RENTIO_OUT_OF_RANGE', 'alloc(1.5)');
  throwsCode(t, () => own(5), 'ERR_RENTIO_INVALID_ARG_TYPE', 'own(5)');
  t.equal(rt.stats().inFlight, 0);
});

await eachDriver(t, 'a closed runtime refuses new ops', async (t, rt) => {
  await rt.close();
  await rt.close(); // a second close is harmless
  throwsCode(t, () => rt.open('/etc/hostname'), 'ERR_RENTIO_RUNTIME_CLOSED', 'open after close');
  throwsCode(t, () => rt.sleep(1), 'ERR_RENTIO_RUNTIME_CLOSED', 'sleep after close');
  await t.rejects(rt.listen(), { code: 'ERR_RENTIO_RUNTIME_CLOSED' });
});

t.test('driver names', async (t) => {
  await t.rejects(createRuntime({ driver: 'kqueue' }), { code: 'ERR_RENTIO_INVALID_DRIVER' });
  const prev = process.env.RENTIO_DRIVER;
  process.env.RENTIO_DRIVER = 'iouring';
  await t.rejects(createRuntime(), { code: 'ERR_RENTIO_INVALID_DRIVER', message: /iouring/ });
  if (prev === undefined) delete process.env.RENTIO_DRIVER;
  else process.env.RENTIO_DRIVER = prev;
  const rt = await createRuntime({ driver: 'epoll' });
  t.same(rt.driver, { name: 'epoll', model: 'readiness' });
  t.equal(rt.fallbackReason, null);
  await rt.close();
});
