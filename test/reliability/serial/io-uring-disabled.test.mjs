// kernel.io_uring_disabled=2 (issue 6, case 13): `auto` runs epoll with the reason, an explicit
// `uring` fails with ERR_RENTIO_DRIVER_UNAVAILABLE. The sysctl is system-wide, so this file is
// serial (package.json tap.serial) and the setting holds only for the few milliseconds the
// runtimes take to make, then is restored in a finally. Root only.
import t from 'tap';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { alloc, createRuntime, own } from '@rentio/core';

const SYSCTL = '/proc/sys/kernel/io_uring_disabled';
const root = process.getuid?.() === 0;
let original = null;
try {
  original = readFileSync(SYSCTL, 'utf8').trim();
} catch {
  // no such sysctl on this kernel: original stays null and the test skips
}

t.test(
  'kernel.io_uring_disabled=2: auto falls back with the reason, uring fails clearly',
  {
    skip: !root ? 'needs root to set kernel.io_uring_disabled' : original === null ? 'this kernel has no kernel.io_uring_disabled' : false,
  },
  async (t) => {
    // Load both drivers first, so the window below covers only ring set-up.
    await (await createRuntime({ driver: 'uring' })).close();
    await (await createRuntime({ driver: 'epoll' })).close();
    let auto;
    let uringErr;
    let seen;
    try {
      writeFileSync(SYSCTL, '2');
      seen = readFileSync(SYSCTL, 'utf8').trim();
      [auto, uringErr] = await Promise.all([
        createRuntime({ driver: 'auto' }),
        createRuntime({ driver: 'uring' }).then(
          (rt) => rt.close().then(() => null),
          (e) => e,
        ),
      ]);
    } finally {
      writeFileSync(SYSCTL, original);
    }
    t.equal(readFileSync(SYSCTL, 'utf8').trim(), original, `the sysctl is restored (${original})`);
    t.equal(seen, '2', 'the sysctl was set');
    t.teardown(() => auto.close());
    t.equal(auto.driver.name, 'epoll', 'auto runs epoll');
    t.match(auto.fallbackReason, /io_uring_setup: EPERM \(kernel\.io_uring_disabled=2\)/, `the reason: ${auto.fallbackReason}`);
    t.equal(uringErr?.code, 'ERR_RENTIO_DRIVER_UNAVAILABLE', 'explicit uring fails');
    t.match(uringErr?.reason, /EPERM \(kernel\.io_uring_disabled=2\)/, 'with the reason');
    const path = `/tmp/rentio-disabled-${process.pid}`;
    await auto.writeFile(path, own('still works'));
    const back = await auto.readFile(path);
    t.equal(Buffer.from(back).toString(), 'still works', 'the epoll runtime works');
    rmSync(path, { force: true });
    // With the sysctl back, uring works again.
    const again = await createRuntime({ driver: 'uring' });
    const [n] = await (await again.open('/proc/self/stat')).read(alloc(16));
    t.ok(n > 0, 'uring works again once restored');
    await again.close();
  },
);
