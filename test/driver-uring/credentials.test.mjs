// Once the process's uid/gid changed after the ring was made, the driver refuses to submit:
// ops reject with ERR_RENTIO_CREDENTIALS_CHANGED, the reason is exposed, closes still work (no fd leak, nothing hangs).
import t from 'tap';
import { runNode } from '../helpers/util.mjs';

const root = process.getuid?.() === 0;

t.test(
  'uid change after ring creation: ops fail with ERR_RENTIO_CREDENTIALS_CHANGED, close still works',
  { skip: !root && 'needs root to change uid' },
  async (t) => {
    const r = await runNode(
      `
    import { createRuntime, alloc } from '@rentio/core';
    const rt = await createRuntime({ driver: 'uring' });
    const f = await rt.open('/proc/self/stat', 'r');
    const [n] = await f.read(alloc(64));
    process.setgid(65534);
    process.setuid(65534);
    const err = await f.read(alloc(64)).catch((e) => e);
    const err2 = await rt.readFile('/proc/self/stat').catch((e) => e);
    await f.close();
    const s = rt.stats();
    await rt.close();
    console.log(JSON.stringify({ n, code: err.code, buf: err.buf?.byteLength, code2: err2.code, changed: s.credentialsChanged, inFlight: s.inFlight }));`,
      { env: { NODE_OPTIONS: '' } },
    );
    t.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    t.ok(out.n > 0, 'ops before the change work');
    t.equal(out.code, 'ERR_RENTIO_CREDENTIALS_CHANGED');
    t.equal(out.buf, 64, 'the buffer is handed back');
    t.equal(out.code2, 'ERR_RENTIO_CREDENTIALS_CHANGED');
    t.equal(out.changed, true);
    t.equal(out.inFlight, 0);
  },
);

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
