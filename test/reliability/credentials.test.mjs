// Credentials (issue 6, case 14). io_uring runs an op with the credentials of the ring's creator
// (libuv's CVE-2024-22017): after a root process drops to another uid/gid, a ring made before
// would still act as root. So the uring driver refuses to submit once the process's uid/gid
// changed, with a clear error (README, Security: ERR_RENTIO_CREDENTIALS_CHANGED), and handles can
// still be closed. The rule is io_uring's: epoll makes each syscall on the calling thread with
// the process's current credentials, so the same program keeps working there. Root only (a child
// process changes its uid).
import t from 'tap';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eachDriver } from '../helpers/drivers.mjs';
import { runNode, tmpDir } from '../helpers/util.mjs';

const root = process.getuid?.() === 0;

const program = (driver) => `
  import { createRuntime, alloc, own } from '@rentio/core';
  import { fstatSync } from 'node:fs';
  const out = {};
  const path = process.env.CREDS_FILE;
  const rt = await createRuntime({ driver: '${driver}' });
  const f = await rt.open(path, 'r');
  const l = await rt.listen({ host: '127.0.0.1', port: 0 });
  const [c, s] = await Promise.all([rt.connect({ host: '127.0.0.1', port: l.address().port }), l.accept()]);
  out.before = (await f.read(alloc(8), { position: 0 }))[0];
  const fds = [f.fd, c.fd, s.fd, l.fd];
  process.setgid(65534);
  process.setuid(65534);
  const outcome = (p) => p.then((v) => ({ ok: Array.isArray(v) ? v[0] : true }), (e) => ({ code: e.code, message: e.message, buf: e.buf?.byteLength }));
  out.read = await outcome(f.read(alloc(8), { position: 0 }));
  out.send = await outcome(c.write(own('after')));
  out.sleep = await outcome(rt.sleep(1));
  out.readFile = await outcome(rt.readFile(path));
  out.credentialsChanged = rt.stats().credentialsChanged ?? null;
  await Promise.all([f.close(), c.close(), s.close(), l.close()]);
  // (/proc/self/fd is not readable after the change: count the old numbers fstat calls EBADF.)
  out.fdsClosed = fds.filter((fd) => { try { fstatSync(fd); return false; } catch (e) { return e.code === 'EBADF'; } }).length;
  out.inFlight = rt.stats().inFlight;
  await rt.close();
  console.log(JSON.stringify(out));
`;

await eachDriver(t, 'uid/gid changed after the runtime was made', async (t, _rt, driver) => {
  if (!root) return t.skip('needs root to change uid');
  const dir = tmpDir(t);
  chmodSync(dir, 0o755);
  const file = join(dir, 'world-readable');
  writeFileSync(file, 'readable by anyone', { mode: 0o644 });
  const r = await runNode(program(driver), { timeout: 15000, env: { CREDS_FILE: file } });
  t.equal(r.code, 0, `the program ran to the end, nothing hung (${r.stderr.split('\n')[0]})`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  t.equal(out.before, 8, 'ops work before the change');
  if (driver === 'uring') {
    for (const op of ['read', 'send', 'sleep', 'readFile']) {
      t.equal(
        out[op].code,
        'ERR_RENTIO_CREDENTIALS_CHANGED',
        `${op} after the change is refused with ERR_RENTIO_CREDENTIALS_CHANGED (${out[op].code})`,
      );
      t.match(out[op].message, /credentials/, `${op}: the message says why`);
    }
    t.equal(out.read.buf, 8, 'the refused read hands its buffer back');
    t.equal(out.send.buf, 5, 'the refused write too');
    t.equal(out.credentialsChanged, true, 'stats say so');
  } else {
    t.same(out.read, { ok: 8 }, 'epoll: reads keep working (each syscall runs with the current credentials)');
    t.same(out.send, { ok: 5 }, 'epoll: writes keep working');
    t.same(out.sleep, { ok: true }, 'epoll: timers keep working');
    t.same(out.readFile, { ok: true }, 'epoll: a whole-file read (open, read, close) keeps working');
  }
  t.equal(out.fdsClosed, 4, 'the four handles still close after the change (no fd leak)');
  t.equal(out.inFlight, 0);
});

// io_uring only: the driver notices a change made outside Node's process.setuid (RECHECK_MS).
t.test('a change made by native code (not process.setuid) is caught within RECHECK_MS', { skip: !root && 'needs root to change uid' }, async (t) => {
  const r = await runNode(
    `
    import koffi from 'koffi';
    import { createRuntime, alloc } from '@rentio/core';
    const rt = await createRuntime({ driver: 'uring' });
    const f = await rt.open('/proc/self/stat', 'r');
    await f.read(alloc(64));
    const libc = koffi.load('libc.so.6');
    libc.func('int setresgid(uint32_t, uint32_t, uint32_t)')(65534, 65534, 65534);
    libc.func('int setresuid(uint32_t, uint32_t, uint32_t)')(65534, 65534, 65534);
    await new Promise((r) => setTimeout(r, 5));
    const err = await f.read(alloc(64)).catch((e) => e);
    await f.close();
    const changed = rt.stats().credentialsChanged;
    await rt.close();
    console.log(JSON.stringify({ code: err.code, changed }));`,
    { env: { NODE_OPTIONS: '' } },
  );
  t.equal(r.code, 0, r.stderr);
  t.same(JSON.parse(r.stdout), { code: 'ERR_RENTIO_CREDENTIALS_CHANGED', changed: true });
});
