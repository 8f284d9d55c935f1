// Several runtimes at once, and runtimes in worker_threads workers (issue 6, case 12): each one
// independent — its own ops, stats and close — and a worker's end (on its own, by process.exit
// in it, by terminate(), by the main thread exiting) never takes the process down.
import t from 'tap';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { alloc, createRuntime, own } from '@rentio/core';
import { DRIVERS, eachDriver } from '../helpers/drivers.mjs';
import { readExactly, runNode, sha256, streamPair, random } from '../helpers/util.mjs';
import { settled, syncThrow } from '../helpers/reliability.mjs';

const workerFile = fileURLToPath(new URL('./fixtures/worker-runtime.mjs', import.meta.url));

function runWorker(workerData) {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerFile, { workerData, execArgv: [] });
    let msg = null;
    w.on('message', (m) => (msg = m));
    w.on('error', reject);
    w.on('exit', (code) => resolve({ code, msg }));
  });
}

await eachDriver(t, 'four runtimes at once, plus one on the other driver: independent ops, stats and close', async (t, rt, driver) => {
  const others = await Promise.all([1, 2, 3].map(() => createRuntime({ driver })));
  const otherDriver = DRIVERS.find((d) => d !== driver);
  if (otherDriver) others.push(await createRuntime({ driver: otherDriver }).catch(() => null));
  const all = [rt, ...others.filter(Boolean)];
  t.teardown(() => Promise.all(all.map((r) => r.close())));
  // Each runtime echoes its own data over its own loopback pair, concurrently.
  const pairs = await Promise.all(all.map((r) => streamPair(r)));
  const data = all.map(() => random(256 * 1024));
  await Promise.all(
    pairs.map(async ([c, s], i) => {
      const [, got] = await Promise.all([c.writeAll(own(data[i])), readExactly(s, data[i].length)]);
      t.equal(sha256(got), sha256(data[i]), `runtime ${i} (${all[i].driver.name}) moved its own bytes`);
    }),
  );
  // Reads pending on every runtime; closing the first cancels only its own.
  const before = all.map((r) => r.stats().submitted);
  const reads = pairs.map(([, s]) => settled(s.read(alloc(16))));
  await all[0].close();
  const first = await reads[0];
  t.equal(first.error?.code, 'ERR_RENTIO_RUNTIME_CLOSED', 'the closed runtime settled its own read');
  t.equal(all.slice(1).filter((r) => r.closed).length, 0, 'no other runtime closed');
  await Promise.all(pairs.slice(1).map(([c], i) => c.writeAll(own(`still ${i + 1}`))));
  const rest = await Promise.all(reads.slice(1));
  rest.forEach((r, i) =>
    t.equal(
      Buffer.from(r.buf.subarray(0, r.value?.[0] ?? 0)).toString(),
      `still ${i + 1}`,
      `runtime ${i + 1}'s pending read completed after runtime 0 closed`,
    ),
  );
  t.equal(syncThrow(() => pairs[0][1].read(alloc(1)))?.code, 'ERR_RENTIO_HANDLE_CLOSED', "runtime 0's handles are closed");
  all.slice(1).forEach((r, i) => t.equal(r.stats().submitted - before[i + 1], 2, `runtime ${i + 1} counted only its own 2 ops`));
  for (const [, i] of all.slice(1).map((r, k) => [r, k + 1])) {
    const [c, s, l] = pairs[i];
    await Promise.all([c.close(), s.close(), l.close()]);
    t.equal(all[i].stats().inFlight, 0);
  }
});

await eachDriver(t, 'runtimes in three worker_threads workers and the main thread, concurrently', async (t, rt, driver) => {
  const main = (async () => {
    const [c, s, l] = await streamPair(rt);
    const data = random(512 * 1024);
    const [, got] = await Promise.all([c.writeAll(own(data)), readExactly(s, data.length)]);
    await Promise.all([c.close(), s.close(), l.close()]);
    return sha256(got) === sha256(data);
  })();
  const results = await Promise.all([0, 1, 2].map((id) => runWorker({ driver, id, rounds: 30 })));
  t.ok(await main, "the main thread's runtime moved its bytes meanwhile");
  for (const { code, msg } of results) {
    t.equal(code, 0, `worker ${msg?.id} exited cleanly`);
    t.equal(msg?.driver, driver);
    t.ok(msg?.same && msg.echoed === msg.fileBytes && msg.echoed > 0, `worker ${msg?.id}: echo and file bytes identical (${msg?.echoed})`);
    t.equal(msg?.submitted, msg?.completed, `worker ${msg?.id}: its own counters, all ops completed`);
  }
  t.equal(rt.stats().inFlight, 0);
});

/** A child whose worker makes a runtime, then ends as `how` says; resolves the child's result. */
function workerEnds(driver, how) {
  return runNode(
    `
    import { Worker } from 'node:worker_threads';
    const w = new Worker(${JSON.stringify(workerFile)}, { workerData: { driver: '${driver}', pending: ${how.pending}, leaveOpen: true }, execArgv: [] });
    w.on('error', (e) => { console.error('worker error', e); process.exit(2); });
    w.on('exit', (code) => console.log('worker exit', code));
    w.on('message', async (m) => {
      console.log(JSON.stringify(m));
      ${how.then}
    });`,
    { timeout: 20000 },
  );
}

await eachDriver(t, 'a worker that ends on its own with its runtime left open: the process lives on', async (t, _rt, driver) => {
  const r = await workerEnds(driver, { pending: false, then: "setTimeout(() => console.log('main alive'), 50);" });
  t.equal(r.signal, null, `no crash (${r.signal ?? r.code})`);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /worker exit 0/);
  t.match(r.stdout, /main alive/, 'the main thread runs on after the worker ended');
});

// Stopped from outside, no JS runs in the worker: its parker must be closed by the environment's
// own teardown (core's parker addon, an env cleanup hook), or the process crashes.
await eachDriver(t, 'a worker terminated with its runtime open and ops pending: the process lives on', async (t, _rt, driver) => {
  const r = await workerEnds(driver, { pending: true, then: "await w.terminate(); setTimeout(() => console.log('main alive'), 50);" });
  t.match(r.stdout, /"pending":\d+/, 'the worker had ops pending');
  t.equal(r.signal, null, `no crash (${r.signal ?? r.code}) ${r.stderr}`);
  t.equal(r.code, 0, 'exit code 0');
  t.match(r.stdout, /main alive/, 'the main thread runs on after terminate()');
});

await eachDriver(t, 'the main thread exits while a worker has a runtime with ops pending: a clean exit', async (t, _rt, driver) => {
  const r = await workerEnds(driver, { pending: true, then: 'process.exit(0);' });
  t.match(r.stdout, /"pending":\d+/, 'the worker had ops pending');
  t.equal(r.signal, null, `no crash (${r.signal ?? r.code}) ${r.stderr}`);
  t.equal(r.code, 0, 'exit code 0');
});

// koffi issue 274: a worker that loaded a library spawning threads made process.exit() hang.
// Both exits are bounded by the child's timeout (killed = hung).
await eachDriver(t, 'process.exit() inside a worker with ops pending: the worker ends, no hang', async (t, _rt, driver) => {
  const r = await runNode(
    `
    import { Worker } from 'node:worker_threads';
    const w = new Worker(${JSON.stringify(workerFile)}, { workerData: { driver: '${driver}', pending: true, leaveOpen: true, exitCode: 7 }, execArgv: [] });
    w.on('message', (m) => console.log(JSON.stringify(m)));
    w.on('exit', (code) => { console.log('worker exit', code); setTimeout(() => console.log('main alive'), 50); });`,
    { timeout: 20000 },
  );
  t.equal(r.killed, false, 'no hang');
  t.equal(r.signal, null, `no crash (${r.signal ?? r.code}) ${r.stderr}`);
  t.match(r.stdout, /"pending":\d+/, 'the worker had ops pending');
  t.match(r.stdout, /worker exit 7/, "the worker's exit code");
  t.match(r.stdout, /main alive/);
  t.equal(r.code, 0);
});
