// Where io_uring is blocked (issue 15): a child node process installs a seccomp filter that
// answers io_uring_setup/io_uring_enter/io_uring_register with EPERM, as Docker's default profile
// does (fixtures/seccomp-deny-uring.mjs, installed by fixtures/seccomp-exec.mjs, which then execs
// node under it, as a container starts its process), then loads rentio. `auto` runs
// epoll and says a seccomp filter refused — not the sysctl —, `uring` fails with the same reason,
// `rentio doctor` reports it, and the fallback cases and real I/O work under the filter.
import t from 'tap';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runNode } from '../helpers/util.mjs';

const launcher = fileURLToPath(new URL('./fixtures/seccomp-exec.mjs', import.meta.url));
const util = new URL('../helpers/util.mjs', import.meta.url).href;
const bin = fileURLToPath(new URL('../../packages/driver-uring/bin/rentio.js', import.meta.url));
const fallbackTest = fileURLToPath(new URL('../driver-uring/fallback.test.mjs', import.meta.url));
// The child is exec'd under the filter (fixtures/seccomp-exec.mjs), as a container's process is.
const underFilter = [launcher];

let sysctl = null;
try {
  sysctl = Number(readFileSync('/proc/sys/kernel/io_uring_disabled', 'utf8').trim());
} catch {
  // a kernel without the sysctl (before 6.6): io_uring is not switchable, sysctl stays null
}
const skip =
  process.platform !== 'linux'
    ? 'seccomp is Linux only'
    : !['x64', 'arm64'].includes(process.arch)
      ? `no syscall table for ${process.arch} in the fixture`
      : sysctl !== null && sysctl !== 0
        ? `kernel.io_uring_disabled=${sysctl} refuses before any filter could`
        : false;

// The sysctl lets this process in, so the reason must name the filter (and never send the user to the sysctl alone).
const SECCOMP_EPERM =
  /^io_uring_setup: EPERM \((kernel\.io_uring_disabled=0 lets this process in|no kernel\.io_uring_disabled sysctl)\): blocked by a seccomp filter \(Seccomp: 2, \d+ filters?\) — e\.g\. Docker's default profile; allow io_uring_setup\/io_uring_enter\/io_uring_register in the profile/;

// A tap file run as a plain child prints its own summary only without the parent runner's TAP_* variables.
// The outer tap's TAP* variables are dropped (the child is a plain test file), but not ones the caller passes.
const plainEnv = (env) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TAP') && k !== 'NODE_OPTIONS')),
  ...env,
});
const run = (file, args, env = {}) =>
  new Promise((resolve) => {
    execFile(process.execPath, [...underFilter, file, ...args], { env: plainEnv(env), timeout: 60000 }, (err, stdout, stderr) =>
      resolve({ code: err ? err.code : 0, stdout, stderr }),
    );
  });

t.test(
  'under a seccomp filter denying io_uring with EPERM: auto → epoll with the seccomp reason, uring → the same error, I/O works',
  { skip },
  async (t) => {
    const r = await runNode(
      `
    import koffi from 'koffi';
    import { createHash, randomBytes } from 'node:crypto';
    import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    import { alloc, createRuntime, own } from '@rentio/core';
    import { readToEnd, streamPair } from '${util}';
    const out = {};
    // Every thread node runs is filtered (TSYNC), not only the JS thread.
    out.threads = readdirSync('/proc/self/task').map((id) => Number(readFileSync('/proc/self/task/' + id + '/status', 'utf8').match(/^Seccomp:\\s*(\\d+)/m)[1]));
    // The raw syscalls: EPERM from the filter, before the kernel looks at the (bad) arguments.
    const syscall = koffi.load('libc.so.6').func('long syscall(long number, ...)');
    out.raw = [425, 426, 427].map((nr) => [syscall(nr, 'int', -1, 'int', 0, 'int', 0, 'void *', null), koffi.errno()]);
    out.getpid = Number(syscall(39)) === process.pid || Number(syscall(172)) === process.pid;

    const rt = await createRuntime({ driver: 'auto' });
    out.auto = { name: rt.driver.name, model: rt.driver.model, reason: rt.fallbackReason };
    // An echo of 256 KiB over loopback on the fallback.
    const [c, s, l] = await streamPair(rt);
    const data = randomBytes(256 * 1024);
    const echo = (async () => { let buf = alloc(16384); for (;;) { const [n, b] = await s.read(buf); if (n === 0) break; buf = await s.writeAll(b, { length: n }); } await s.shutdown?.('write'); await s.close(); })();
    const back = readToEnd(c);
    await c.writeAll(own(new Uint8Array(data)));
    await c.shutdown('write');
    const got = await back;
    await echo;
    out.echo = { sent: data.length, got: got.length, same: createHash('sha256').update(data).digest('hex') === createHash('sha256').update(got).digest('hex') };
    await Promise.all([c.close(), l.close()]);
    // A file written and read back, and read through a handle.
    const dir = mkdtempSync(join(tmpdir(), 'rentio-seccomp-'));
    await rt.writeFile(join(dir, 'f'), own(new Uint8Array(Buffer.from('under seccomp'))));
    out.file = Buffer.from(await rt.readFile(join(dir, 'f'))).toString();
    const h = await rt.open('/proc/self/status');
    const [n, b] = await h.read(alloc(4096));
    out.handleRead = Buffer.from(b.subarray(0, n)).toString().includes('Seccomp:');
    await h.close();
    rmSync(dir, { recursive: true, force: true });
    await rt.close();

    const err = await createRuntime({ driver: 'uring' }).then((x) => x.close().then(() => null), (e) => e);
    out.uring = { code: err?.code, driver: err?.driver, reason: err?.reason, message: err?.message, cause: err?.cause?.code, syscall: err?.cause?.syscall };
    const dflt = await createRuntime();
    out.dflt = { name: dflt.driver.name, reason: dflt.fallbackReason };
    await dflt.close();
    // Refused before any opcode is probed, so a pretend-missing opcode changes nothing.
    const err2 = await createRuntime({ driver: 'uring', driverOptions: { pretendMissingOpcodes: ['IORING_OP_RECV'] } }).catch((e) => e);
    out.pretend = err2.reason;
    // liburing is loaded before the ring is set up: its absence is still the reason given.
    const abs = await createRuntime({ driver: 'auto', driverOptions: { liburingPath: '/nonexistent/liburing.so.2' } });
    out.absent = abs.fallbackReason;
    await abs.close();
    console.log(JSON.stringify(out));`,
      { args: underFilter, env: { RENTIO_DRIVER: '' }, timeout: 60000 },
    );
    t.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    t.ok(out.threads.length > 1 && out.threads.every((m) => m === 2), `every thread is filtered: ${out.threads}`);
    t.same(
      out.raw,
      [
        [-1, 1],
        [-1, 1],
        [-1, 1],
      ],
      'io_uring_setup/enter/register → -1, errno EPERM',
    );
    t.ok(out.getpid, 'other syscalls pass the filter');
    t.same([out.auto.name, out.auto.model], ['epoll', 'readiness'], 'auto runs epoll');
    t.match(out.auto.reason, SECCOMP_EPERM, `the reason names the filter: ${out.auto.reason}`);
    t.notMatch(out.auto.reason, /\n/, 'one line');
    t.same(out.echo, { sent: 256 * 1024, got: 256 * 1024, same: true }, 'echo: every byte back, in order');
    t.equal(out.file, 'under seccomp', 'file written and read back');
    t.ok(out.handleRead, 'a handle read works');
    t.equal(out.uring.code, 'ERR_RENTIO_DRIVER_UNAVAILABLE', 'explicit uring fails');
    t.equal(out.uring.driver, 'uring');
    t.equal(out.uring.reason, out.auto.reason, 'with the same reason auto gives');
    t.equal(out.uring.message, `driver 'uring' is unavailable: ${out.auto.reason}`);
    t.same([out.uring.cause, out.uring.syscall], ['EPERM', 'io_uring_setup'], 'its cause is the plain system error');
    t.same(out.dflt, { name: 'epoll', reason: out.auto.reason }, 'createRuntime() with no driver is auto');
    t.equal(out.pretend, out.auto.reason);
    t.match(out.absent, /^liburing not found at \/nonexistent\/liburing\.so\.2/, 'liburing absent is still reported as such');
  },
);

t.test(
  'a filter answering ENOSYS: the kernel has io_uring, so the filter is named',
  { skip: skip || (sysctl === null && 'without the sysctl ENOSYS cannot be told from a kernel without io_uring') },
  async (t) => {
    const r = await runNode(
      `
    import { createRuntime } from '@rentio/core';
    const rt = await createRuntime({ driver: 'auto' });
    console.log(JSON.stringify({ name: rt.driver.name, reason: rt.fallbackReason }));
    await rt.close();`,
      { args: underFilter, env: { RENTIO_TEST_SECCOMP_ERRNO: 'ENOSYS', RENTIO_DRIVER: '' } },
    );
    t.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    t.equal(out.name, 'epoll');
    t.match(out.reason, /^io_uring_setup: ENOSYS from a seccomp filter \(Seccomp: 2, \d+ filters?\); the kernel has io_uring/);
  },
);

t.test('a profile that allows only part of io_uring: the missing syscall is named, auto still falls back', { skip }, async (t) => {
  for (const [deny, reason] of [
    [
      'io_uring_enter',
      /^io_uring_enter: EPERM though io_uring_setup succeeded: blocked by a seccomp filter \(Seccomp: 2, \d+ filters?\) that allows only part of io_uring — allow io_uring_setup\/io_uring_enter\/io_uring_register/,
    ],
    [
      'io_uring_register',
      /^io_uring_register: refused though io_uring_setup succeeded: blocked by a seccomp filter \(Seccomp: 2, \d+ filters?\) that allows only part of io_uring/,
    ],
  ]) {
    // Node 22 and 24's libuv batches epoll_ctl through a ring of its own (UV_USE_IO_URING=0 does
    // not turn that one off) and aborts when io_uring_enter is refused: under such a profile no
    // Node program runs at all, rentio or not. Shown by a bare node under the same filter.
    const bare = await runNode('setTimeout(() => {}, 1);', { args: underFilter, env: { RENTIO_TEST_SECCOMP_DENY: deny } });
    if (bare.code !== 0 && /^libuv: io_uring_enter/m.test(bare.stderr)) {
      t.skip(`${deny} denied: this Node (${process.version}) itself aborts there — ${bare.stderr.trim().split('\n')[0]}`);
      continue;
    }
    const r = await runNode(
      `
      import { createRuntime, own } from '@rentio/core';
      const rt = await createRuntime({ driver: 'auto' });
      await rt.writeFile('/dev/null', own(new Uint8Array(8)));
      const err = await createRuntime({ driver: 'uring' }).catch((e) => e);
      console.log(JSON.stringify({ name: rt.driver.name, reason: rt.fallbackReason, code: err.code, reason2: err.reason }));
      await rt.close();`,
      { args: underFilter, env: { RENTIO_TEST_SECCOMP_DENY: deny, RENTIO_DRIVER: '' } },
    );
    t.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    t.equal(out.name, 'epoll', `${deny} denied: auto runs epoll`);
    t.match(out.reason, reason, out.reason);
    t.equal(out.code, 'ERR_RENTIO_DRIVER_UNAVAILABLE');
    t.equal(out.reason2, out.reason);
  }
});

t.test('rentio doctor under the filter: --json fields and the text', { skip }, async (t) => {
  const r = await run(bin, ['doctor', '--json'], { RENTIO_DRIVER: '' });
  t.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  t.equal(j.seccomp.mode, 2, 'seccomp mode 2 (filter)');
  t.ok(j.seccomp.filters >= 1, `filters: ${j.seccomp.filters}`);
  t.equal(j.liburing.found, true, 'liburing loads; the ring is what is refused');
  t.same(j.opcodes, {}, 'no ring, no opcode probe');
  t.equal(j.setupRefused?.errno, 'EPERM');
  t.equal(j.setupRefused?.cause, 'seccomp');
  t.match(j.setupRefused?.reason, SECCOMP_EPERM);
  t.same(j.auto, { driver: 'epoll', reason: j.setupRefused.reason }, 'auto picks epoll, for that reason');
  const text = await run(bin, ['doctor'], { RENTIO_DRIVER: '' });
  t.equal(text.code, 0, text.stderr);
  t.match(text.stdout, /^seccomp\s+2 \(filter, \d+ filters?\)$/m);
  t.match(text.stdout, /^io_uring_setup refused\s+EPERM, by: seccomp$/m);
  t.match(text.stdout, /^auto picks\s+epoll: io_uring_setup: EPERM .*blocked by a seccomp filter/m);
});

t.test('the liburing-absent fallback cases (driver-uring/fallback.test.mjs) pass under the filter', { skip }, async (t) => {
  // Only those cases (tap's grep): the file's others open uring on purpose, which the filter denies.
  const r = await run(fallbackTest, [], { RENTIO_DRIVER: '', TAP_GREP: '^liburing absent' });
  t.equal(r.code, 0, r.stdout.slice(-2000) + r.stderr);
  const m = /^# \{ total: (\d+), pass: (\d+)(?:, skip: (\d+))? \}$/m.exec(r.stdout);
  t.ok(m && Number(m[2]) > 0 && Number(m[1]) === Number(m[2]) + Number(m[3] ?? 0), `all run passed: ${m?.[0]}`);
});
