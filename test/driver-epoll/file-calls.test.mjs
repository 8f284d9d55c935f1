// The calls the epoll driver's file workers make (packages/driver-epoll/src/file-jobs.ts): from
// rentio's addon (@rentio/core/file-calls), so that a worker never loads koffi, or through koffi
// where the addon is missing. Both must give the same results, errors as -errno, and a runtime
// must do file I/O on either.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { constants as fsc, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants } from 'node:os';
import koffi from 'koffi';
import { loadFileCalls } from '@rentio/core/file-calls';
import { koffiFileCalls } from '../../packages/driver-epoll/dist/file-calls-koffi.js';

const { EBADF, ENOENT } = constants.errno;
const AT_FDCWD = -100;
const addon = loadFileCalls();
const dir = mkdtempSync(join(tmpdir(), 'rentio-file-calls-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

// Own memory (Buffer.from may slice a shared pool), kept in a variable while the kernel reads it.
const cstr = (s) => new Uint8Array(Buffer.from(`${s}\0`));
const addr = (b) => Number(koffi.address(b));

t.test('the addon is built here and gives every call', async (t) => {
  t.ok(addon, 'loadFileCalls() found the addon');
  // The addon's `file` object also carries the native pool (pool*: file-pool.test.mjs).
  const calls = Object.keys(addon ?? {}).filter((k) => !k.startsWith('pool'));
  t.same(calls.sort(), Object.keys(koffiFileCalls).sort(), 'the same calls as the koffi fallback');
});

for (const [name, calls] of [
  ['addon', addon],
  ['koffi', koffiFileCalls],
]) {
  t.test(`${name}: results and -errno`, async (t) => {
    const path = join(dir, `${name}.txt`);
    const p = cstr(path);
    const missing = cstr(join(dir, 'missing'));
    t.equal(calls.openat(AT_FDCWD, addr(missing), 0, 0), -ENOENT, 'openat of a missing path: -ENOENT');
    t.equal(calls.fsync(-1), -EBADF, 'fsync(-1): -EBADF');
    const fd = calls.openat(AT_FDCWD, addr(p), fsc.O_RDWR | fsc.O_CREAT | fsc.O_TRUNC, 0o600);
    t.ok(fd >= 0, `openat made the file (fd ${fd})`);
    const data = new Uint8Array(Buffer.from('rentio file calls'));
    t.equal(calls.pwrite(fd, addr(data), data.length, 0), data.length, 'pwrite wrote it all');
    const back = Buffer.alloc(64);
    t.equal(calls.pread(fd, addr(back), back.length, 0), data.length, 'pread read it back');
    t.equal(back.subarray(0, data.length).toString(), 'rentio file calls');
    t.equal(calls.ftruncate(fd, 6), 0, 'ftruncate');
    t.equal(calls.pread(fd, addr(back), back.length, 0), 6, 'the file is 6 bytes now');
    t.equal(calls.fdatasync(fd), 0, 'fdatasync');
    t.equal(calls.fchmodat(AT_FDCWD, addr(p), 0o644, 0), 0, 'fchmodat');
    t.equal(calls.unlinkat(AT_FDCWD, addr(p), 0), 0, 'unlinkat');
    t.equal(calls.unlinkat(AT_FDCWD, addr(p), 0), -ENOENT, 'unlinkat again: -ENOENT');
  });
}

t.test('a runtime on the koffi fallback (RENTIO_PARKER=koffi) does file I/O on its workers', async (t) => {
  const file = join(dir, 'fallback.txt');
  writeFileSync(file, 'through koffi');
  const code = `
    import { createRuntime, alloc } from '@rentio/core';
    const rt = await createRuntime({ driver: 'epoll' });
    const f = await rt.open(${JSON.stringify(file)});
    const [n, buf] = await f.read(alloc(64));
    await f.close();
    await rt.close();
    console.log(JSON.stringify({ text: Buffer.from(buf.subarray(0, n)).toString() }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    env: { ...process.env, RENTIO_PARKER: 'koffi' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(r.status, 0, `exit 0 (${r.stderr.trim().split('\n').at(-1) ?? ''})`);
  t.same(JSON.parse(r.stdout.trim().split('\n').at(-1) || '{}'), { text: 'through koffi' }, r.stdout);
});
