// The runtime: driver info, stats that move, close with ops in flight, module-level functions,
// and process exit (promptly when nothing is pending; kept alive by a pending op).
import t from 'tap';
import { alloc, own } from '@rentio/core';
import { DRIVERS, eachDriver, unavailable } from '../helpers/drivers.mjs';
import { fdCount, runNode, streamPair } from '../helpers/util.mjs';

await eachDriver(t, 'driver info and stats counters move', async (t, rt, driver) => {
  t.equal(rt.driver.name, driver);
  t.equal(rt.driver.model, driver === 'uring' ? 'completion' : 'readiness');
  const s0 = rt.stats();
  for (const k of ['submitted', 'completed', 'inFlight', 'syscalls', 'parks', 'wakeups', 'handles']) t.type(s0[k], 'number', `stats.${k}`);
  const [c, s, l] = await streamPair(rt);
  const p = s.read(alloc(16));
  t.equal(rt.stats().inFlight, 1, 'a pending read is in flight');
  await c.writeAll(own('x'));
  await p;
  // A kernel timer completes only after the driver parked: the parker must wake for it.
  await rt.sleep(5);
  const s1 = rt.stats();
  t.ok(s1.submitted > s0.submitted, 'submitted moved');
  t.equal(s1.completed, s1.submitted, 'everything completed');
  t.ok(s1.syscalls > s0.syscalls, 'syscalls moved');
  t.ok(s1.wakeups > s0.wakeups, 'the parker woke');
  t.equal(s1.handles, 3);
  await Promise.all([c.close(), s.close(), l.close()]);
  t.equal(rt.stats().handles, 0);
});

await eachDriver(t, 'rt.close() settles everything in flight, with buffers, and leaks no fd', async (t, rt) => {
  const fds = fdCount();
  const [c, s, l] = await streamPair(rt);
  const reads = Array.from({ length: 50 }, () => s.read(alloc(32)));
  const all = Promise.allSettled([...reads, l.accept(), rt.sleep(60_000)]);
  await rt.sleep(2);
  await rt.close();
  const settled = await all;
  t.ok(
    settled.every((r) => r.status === 'rejected' && r.reason.code === 'ERR_RENTIO_RUNTIME_CLOSED'),
    'all rejected with ERR_RENTIO_RUNTIME_CLOSED',
  );
  t.ok(
    settled.slice(0, 50).every((r) => r.reason.buf?.byteLength === 32),
    'each read handed its buffer back',
  );
  t.equal(rt.stats().inFlight, 0);
  t.ok(c.closed && s.closed && l.closed, 'handles closed');
  t.ok(fdCount() <= fds, `no fd leak (${fds} before, ${fdCount()} after)`);
});

for (const driver of DRIVERS) {
  t.test(`process exit [${driver}]`, async (t) => {
    const why = await unavailable(driver);
    if (why) return t.skip(why);
    const env = { RENTIO_DRIVER: driver };
    const idle = await runNode(
      `
      import { open, listen, sleep, readFile } from '@rentio/core';
      const l = await listen({ port: 0, host: '127.0.0.1' });
      await sleep(2);
      await readFile('/etc/hostname');
      console.log('done');`,
      { env, timeout: 30000 },
    );
    // A hang would hit the child's timeout (killed, non-zero code); no wall-clock assertion.
    t.equal(idle.code, 0, `exits on its own with nothing pending and no close (${idle.stderr})`);
    t.equal(idle.stdout.trim(), 'done');
    const closed = await runNode(
      `
      import { createRuntime } from '@rentio/core';
      const rt = await createRuntime();
      const l = await rt.listen({ port: 0, host: '127.0.0.1' });
      l.accept().catch(() => {});
      await rt.close();
      console.log('closed');`,
      { env, timeout: 30000 },
    );
    t.equal(closed.code, 0, `exits after rt.close() with an accept that was pending (${closed.stderr})`);
    const pending = await runNode(
      `
      import { listen } from '@rentio/core';
      const l = await listen({ port: 0, host: '127.0.0.1' });
      l.accept();
      console.log('waiting');`,
      { env, timeout: 5000 },
    );
    t.equal(pending.stdout.trim(), 'waiting');
    t.ok(pending.killed, 'a pending accept keeps the process alive, as a socket does');
  });
}
