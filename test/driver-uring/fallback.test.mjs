// Fallback: "cannot work here" → DriverUnavailableError with a one-line reason. With liburing
// absent, `auto` runs epoll and says why, and an explicit `uring` fails with
// ERR_RENTIO_DRIVER_UNAVAILABLE and the reason — never a silent substitute; explicit `epoll` does
// not care. Then what else makes uring unavailable (a library without liburing's functions, a
// missing opcode, io_uring_setup refusing) and what degrades instead (setup flags, opcodes libc
// can stand in for). kernel.io_uring_disabled=2 and seccomp are in test/reliability/.
import t from 'tap';
import { alloc, createRuntime, own } from '@rentio/core';
import { open } from '@rentio/driver-uring';
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

t.test("a library without liburing's functions is unavailable, not a crash", async (t) => {
  const err = await open({ liburingPath: 'libc.so.6' }).catch((e) => e);
  t.equal(err.code, 'ERR_RENTIO_DRIVER_UNAVAILABLE');
  t.match(err.reason, /lacks io_uring_queue_init_params/);
});

t.test('bad driver options are misuse errors', async (t) => {
  await t.rejects(open({ setupFlags: ['NOPE'] }), { code: 'ERR_RENTIO_INVALID_ARG_VALUE' });
  await t.rejects(open({ entries: 0 }), { code: 'ERR_RENTIO_INVALID_ARG_VALUE' });
});

t.test('setup flags degrade and are reported', async (t) => {
  for (const setupFlags of [[], ['SINGLE_ISSUER', 'DEFER_TASKRUN'], ['COOP_TASKRUN', 'TASKRUN_FLAG']]) {
    const d = await open({ setupFlags });
    const s = d.stats();
    t.type(s.setupFlags, 'string');
    // DEFER_TASKRUN brings SINGLE_ISSUER (the kernel requires it) and TASKRUN_FLAG (the driver's parking needs it).
    const implied = setupFlags.includes('DEFER_TASKRUN') ? ['SINGLE_ISSUER', 'TASKRUN_FLAG'] : [];
    for (const f of s.setupFlags ? s.setupFlags.split('|') : []) t.ok(setupFlags.includes(f) || implied.includes(f), `${f} was asked for`);
    t.equal(s.syscalls >= 0 && s.parks === 0 && s.wakeups === 0, true);
    await d.close();
  }
});

t.test('a required opcode missing makes uring unavailable with "kernel lacks ..." and auto falls back', async (t) => {
  const driverOptions = { pretendMissingOpcodes: ['IORING_OP_RECV'] };
  const err = await createRuntime({ driver: 'uring', driverOptions }).catch((e) => e);
  t.equal(err.code, 'ERR_RENTIO_DRIVER_UNAVAILABLE');
  t.equal(err.reason, 'kernel lacks IORING_OP_RECV');
  const rt = await createRuntime({ driver: 'auto', driverOptions });
  t.equal(rt.driver.name, 'epoll');
  t.equal(rt.fallbackReason, 'kernel lacks IORING_OP_RECV');
  await rt.close();
});

t.test('SOCKET, BIND, LISTEN, FTRUNCATE missing: done by libc, same results', async (t) => {
  const rt = await createRuntime({
    driver: 'uring',
    driverOptions: { pretendMissingOpcodes: ['IORING_OP_SOCKET', 'IORING_OP_BIND', 'IORING_OP_LISTEN', 'IORING_OP_FTRUNCATE'] },
  });
  t.teardown(() => rt.close());
  const l = await rt.listen({ port: 0, host: '127.0.0.1' });
  const [c, s] = await Promise.all([rt.connect({ host: '127.0.0.1', port: l.address().port }), l.accept()]);
  await c.writeAll(new Uint8Array(new ArrayBuffer(3)).fill(7));
  const [n] = await s.read(new Uint8Array(new ArrayBuffer(8)));
  t.equal(n, 3);
  const err = await rt.listen({ port: l.address().port, host: '127.0.0.1' }).catch((e) => e);
  t.equal(err.code, 'EADDRINUSE', 'a libc bind error keeps the Node-style shape');
  const { tmpDir } = await import('../helpers/util.mjs');
  const f = await rt.open(`${tmpDir(t)}/trunc`, 'w+');
  await f.truncate(12345);
  t.equal((await f.stat()).size, 12345);
  await f.close();
  t.ok(rt.stats().libcFallbacks >= 5, 'the fallbacks ran');
  await Promise.all([c.close(), s.close(), l.close()]);
});

t.test('io_uring_setup failures: "cannot work here" vs resource errors', async (t) => {
  const { setupError } = await import('../../packages/driver-uring/dist/ring.js');
  const { diagnoseSetupRefusal } = await import('@rentio/driver-uring');
  const eperm = setupError(-1);
  t.equal(eperm.code, 'ERR_RENTIO_DRIVER_UNAVAILABLE');
  // Who refused is diagnosed from this process's state (test/driver-uring/refusal.test.mjs covers each case).
  t.equal(eperm.reason, diagnoseSetupRefusal('EPERM').reason);
  t.equal(eperm.cause.code, 'EPERM', 'the plain system error is the cause');
  t.match(setupError(-38).reason, /^io_uring_setup: ENOSYS/);
  t.match(setupError(-22).reason, /^io_uring_setup: EINVAL/);
  for (const [n, code] of [
    [-24, 'EMFILE'],
    [-12, 'ENOMEM'],
  ]) {
    const e = setupError(n);
    t.equal(e.code, code, `${code} is a real failure, not a fallback`);
    t.equal(e.syscall, 'io_uring_setup');
    t.equal(e.errno, n);
  }
});
