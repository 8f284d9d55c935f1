// `rentio doctor [--json]`.
import t from 'tap';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../packages/driver-uring/bin/rentio.js', import.meta.url));
const run = (args, env = {}) =>
  new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, timeout: 20000 }, (err, stdout, stderr) =>
      resolve({ code: err ? err.code : 0, stdout, stderr }),
    );
  });

t.test('doctor --json reports kernel, sysctl, liburing, opcodes, flags and the auto choice', async (t) => {
  const r = await run(['doctor', '--json']);
  t.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  t.type(j.kernel, 'string');
  t.ok(j.ioUringDisabled === null || typeof j.ioUringDisabled === 'number');
  t.equal(j.liburing.found, true);
  t.match(j.liburing.version, /^\d+(\.\d+)*$/);
  t.match(j.liburing.path, /liburing\.so/);
  t.equal(j.opcodes.IORING_OP_READ, true);
  t.equal(j.opcodes.IORING_OP_ASYNC_CANCEL, true);
  t.type(j.opcodes.IORING_OP_SOCKET, 'boolean');
  // Deadlines, sendFile and zero-copy send: which the kernel has.
  for (const op of ['IORING_OP_LINK_TIMEOUT', 'IORING_OP_SPLICE', 'IORING_OP_SEND_ZC']) t.type(j.opcodes[op], 'boolean', op);
  t.same(j.missingOpcodes, []);
  t.type(j.setupFlags.COOP_TASKRUN, 'boolean');
  t.type(j.setupFlags.DEFER_TASKRUN, 'boolean');
  t.equal(j.auto.driver, 'uring');
  t.type(j.auto.reason, 'string');
  t.equal(j.seccomp.mode, Number(readFileSync('/proc/self/status', 'utf8').match(/^Seccomp:\s*(\d+)/m)[1]), 'seccomp mode as /proc says');
  t.equal(j.setupRefused, null, 'setup was not refused');
  t.ok(j.ioUringGroup === null || typeof j.ioUringGroup === 'number');
  // Buffer pools need provided-buffer rings (5.19); the rest is reported either way.
  t.equal(j.features.pbufRing, true, 'provided-buffer rings');
  for (const k of ['pbufRingInc', 'multishotRecv', 'multishotAccept']) t.type(j.features[k], 'boolean', k);
});

t.test('doctor without liburing says auto picks epoll and why', async (t) => {
  const r = await run(['doctor', '--json'], { RENTIO_LIBURING_PATH: '/nonexistent/liburing.so.2' });
  t.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  t.equal(j.liburing.found, false);
  t.match(j.liburing.error, /liburing not found/);
  t.equal(j.auto.driver, 'epoll');
  t.match(j.auto.reason, /liburing not found/);
});

t.test('human output and usage', async (t) => {
  const r = await run(['doctor']);
  t.equal(r.code, 0);
  t.match(r.stdout, /kernel\s+\S+/);
  t.match(r.stdout, /auto picks\s+uring/);
  const u = await run(['frobnicate']);
  t.equal(u.code, 2);
  t.match(u.stderr, /usage: rentio doctor/);
});
