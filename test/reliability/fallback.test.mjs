// Fallback (issue 6, case 13): with liburing absent, `auto` runs epoll and says why, and an
// explicit `uring` fails with ERR_RENTIO_DRIVER_UNAVAILABLE and the reason — never a silent
// substitute; explicit `epoll` does not care. (kernel.io_uring_disabled=2 is in serial/.)
import t from 'tap';
import { alloc, createRuntime, own } from '@rentio/core';
import { runNode, streamPair } from '../helpers/util.mjs';

const ABSENT = '/nonexistent/liburing.so.2';
const driverOptions = { liburingPath: ABSENT };

t.test('liburing absent: auto runs epoll with the reason, and works', async (t) => {
  const rt = await createRuntime({ driver: 'auto', driverOptions });
  t.teardown(() => rt.close());
  t.same(rt.driver, { name: 'epoll', model: 'readiness' }, 'epoll runs');
  t.type(rt.fallbackReason, 'string');
  t.match(rt.fallbackReason, /liburing not found at \/nonexistent\/liburing\.so\.2/, `the reason: ${rt.fallbackReason}`);
  t.notMatch(rt.fallbackReason, /\n/, 'one line');
  const [c, s, l] = await streamPair(rt);
  await c.writeAll(own('fallback works'));
  const [n, buf] = await s.read(alloc(64));
  t.equal(Buffer.from(buf.subarray(0, n)).toString(), 'fallback works');
  await Promise.all([c.close(), s.close(), l.close()]);
});

t.test('liburing absent: explicit uring fails clearly, explicit epoll is unaffected', async (t) => {
  const err = await createRuntime({ driver: 'uring', driverOptions }).catch((e) => e);
  t.equal(err.code, 'ERR_RENTIO_DRIVER_UNAVAILABLE');
  t.equal(err.driver, 'uring');
  t.match(err.reason, /liburing not found/);
  t.match(err.message, /driver 'uring' is unavailable: liburing not found/, 'the message says which driver and why');
  const rt = await createRuntime({ driver: 'epoll', driverOptions });
  t.equal(rt.fallbackReason, null, 'a named driver is no fallback');
  await rt.sleep(1);
  await rt.close();
});

t.test('liburing absent via RENTIO_LIBURING_PATH, in a fresh process: auto → epoll, uring → error', async (t) => {
  const r = await runNode(
    `
    import { createRuntime } from '@rentio/core';
    const rt = await createRuntime();
    const err = await createRuntime({ driver: 'uring' }).catch((e) => e);
    console.log(JSON.stringify({ name: rt.driver.name, reason: rt.fallbackReason, code: err.code, reason2: err.reason }));
    await rt.close();`,
    { env: { RENTIO_LIBURING_PATH: ABSENT, RENTIO_DRIVER: 'auto' } },
  );
  t.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  t.equal(out.name, 'epoll');
  t.match(out.reason, /liburing not found/);
  t.equal(out.code, 'ERR_RENTIO_DRIVER_UNAVAILABLE');
  t.match(out.reason2, /liburing not found/);
});
