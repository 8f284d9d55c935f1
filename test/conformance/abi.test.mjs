// Struct layouts are stated per architecture in one place; on an architecture rentio does not
// state, both drivers refuse to open with DriverUnavailableError and the reason, never guess.
import t from 'tap';
import { ABI, abiFor } from '@rentio/core/driver';
import { runNode } from '../helpers/util.mjs';

t.test('this machine has stated layouts, epoll_event as its architecture declares it', async (t) => {
  t.ok(ABI, `layouts for ${process.arch}`);
  t.same(abiFor('epoll'), ABI);
  if (process.arch === 'x64') t.same(ABI.epollEvent, { size: 12, events: 0, data: 4 }, 'packed on x86-64');
  if (process.arch === 'arm64') t.same(ABI.epollEvent, { size: 16, events: 0, data: 8 }, 'natural alignment on aarch64');
  t.equal(ABI.msghdr.size, 56);
  t.equal(ABI.iovec.size, 16);
});

t.test('an unstated architecture: both drivers unavailable, with the reason', async (t) => {
  const r = await runNode(`
    const { createRuntime } = await import('@rentio/core');
    // After core (and koffi, which finds its native module by process.arch) loaded.
    Object.defineProperty(process, 'arch', { value: 'riscv64' });
    const out = {};
    for (const driver of ['epoll', 'uring']) {
      out[driver] = await createRuntime({ driver }).then(() => 'opened', (e) => ({ code: e.code, reason: e.reason }));
    }
    console.log(JSON.stringify(out));`);
  t.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  for (const driver of ['epoll', 'uring']) {
    t.equal(out[driver].code, 'ERR_RENTIO_DRIVER_UNAVAILABLE', `${driver} refuses`);
    t.match(out[driver].reason, /struct layouts for riscv64 are not stated/, `${driver} says why`);
  }
});
