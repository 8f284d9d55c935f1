// The runtime's end (issue 6, cases 10 and 11): rt.close() with 1,000 ops of every kind in
// flight settles them all (buffers handed back), leaks no fd, is idempotent, and refuses later
// ops; a process that exits with ops pending and no close exits promptly (child processes).
import t from 'tap';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alloc, createRuntime } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { fdCount, runNode, streamPair, tmpDir } from '../helpers/util.mjs';
import { delay, pendingWrite, settled, syncThrow, warnings } from '../helpers/reliability.mjs';

await eachDriver(t, 'rt.close() with 1,000 ops in flight: all settle with their buffers, no fd leak', async (t, _rt, driver) => {
  const warned = warnings(t);
  const dir = tmpDir(t);
  const path = join(dir, 'data');
  writeFileSync(path, Buffer.alloc(1 << 20, 7));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const fds = fdCount();
  const rt = await createRuntime({ driver });
  const ops = [];
  const track = (kind, p, bufLen) => ops.push(settled(p).then((r) => ({ ...r, kind, bufLen })));

  const pairs = await Promise.all(Array.from({ length: 16 }, () => streamPair(rt)));
  const f = await rt.open(path, 'r');
  const pipe = await rt.open(fifo, 'r+');
  // A write waiting for room, on a pair of its own (its peer receives, so reads there would complete).
  const writer = await streamPair(rt);
  const full = await pendingWrite(writer[0]);
  ops.push(full.pending.then((r) => ({ ...r, kind: 'write', bufLen: 1 << 20 })));
  // A listener with a full accept queue: connects to it stay pending.
  const l0 = await rt.listen({ host: '127.0.0.1', port: 0, backlog: 0 });
  const fillers = Array.from({ length: 4 }, () => net.connect(l0.address().port, '127.0.0.1').on('error', () => {}));
  const destroyFillers = () => Promise.all(fillers.map((s) => new Promise((resolve) => (s.closed ? resolve() : s.once('close', resolve).destroy()))));
  t.teardown(destroyFillers);
  await delay(20);
  for (let i = 0; ops.length < 1000; i++) {
    const [c, s, l] = pairs[i % pairs.length];
    track('recv', s.read(alloc(64)), 64);
    track('recv', c.read(alloc(32), { offset: 8, length: 16 }), 32);
    track('accept', l.accept());
    track('sleep', rt.sleep(60_000));
    track('file', f.read(alloc(4096), { position: (i % 256) * 4096 }), 4096);
    if (i % 50 === 0) track('fifo', pipe.read(alloc(16)), 16);
    if (i % 100 === 0) track('connect', rt.connect({ host: '127.0.0.1', port: l0.address().port }));
  }
  t.ok(rt.stats().inFlight >= 800, `${rt.stats().inFlight} ops in flight when close() is called`);
  const closing = rt.close();
  t.equal(rt.close(), closing, 'a second close() returns the same promise');
  await closing;
  await t.resolves(rt.close(), 'and a close() after it resolved is harmless');
  const results = await Promise.all(ops);
  t.equal(results.length, ops.length, `all ${ops.length} ops settled`);
  const wrong = results.filter((r) => {
    if (r.error) return r.error.code !== 'ERR_RENTIO_RUNTIME_CLOSED';
    return r.kind !== 'file' && r.kind !== 'write'; // only those may have completed before the cancel
  });
  t.same(
    wrong.map((r) => `${r.kind}: ${r.error?.code ?? 'resolved'} ${r.error?.message ?? ''}`).slice(0, 5),
    [],
    'each rejected ERR_RENTIO_RUNTIME_CLOSED or had already completed',
  );
  const lost = results.filter((r) => r.bufLen && r.buf?.byteLength !== r.bufLen);
  t.equal(lost.length, 0, 'every op that owned a buffer handed it back');
  const st = rt.stats();
  t.equal(st.inFlight, 0, 'nothing in flight');
  t.equal(st.handles, 0, 'every handle closed');
  t.ok(
    [...pairs.flat(), ...writer, f, pipe, l0].every((h) => h.closed),
    'handles report closed',
  );
  await destroyFillers(); // the node:net peers' own fds
  t.equal(fdCount(), fds, `no fd leaked (${fds} before the runtime, ${fdCount()} after)`);
  t.same(warned, [], 'no op completed twice');

  // Everything after close is refused before reaching the kernel.
  const data = alloc(8);
  for (const [what, fn] of [
    ['open', () => rt.open(path)],
    ['readFile', () => rt.readFile(path)],
    ['writeFile', () => rt.writeFile(join(dir, 'x'), data)],
    ['sleep', () => rt.sleep(1)],
  ])
    t.equal(syncThrow(fn)?.code, 'ERR_RENTIO_RUNTIME_CLOSED', `${what} after close throws ERR_RENTIO_RUNTIME_CLOSED`);
  t.equal(data.byteLength, 8, "writeFile after close did not take the caller's buffer");
  await t.rejects(rt.listen({ port: 0 }), { code: 'ERR_RENTIO_RUNTIME_CLOSED' }, 'listen after close rejects');
  await t.rejects(rt.connect({ host: '127.0.0.1', port: 1 }), { code: 'ERR_RENTIO_RUNTIME_CLOSED' }, 'connect after close rejects');
  const buf = alloc(4);
  t.equal(syncThrow(() => f.read(buf))?.code, 'ERR_RENTIO_HANDLE_CLOSED', 'a handle the runtime closed refuses ops');
  t.equal(syncThrow(() => pairs[1][0].write(buf))?.code, 'ERR_RENTIO_HANDLE_CLOSED');
  t.equal(buf.byteLength, 4, 'and takes nothing');
  t.same(rt.stats().submitted, st.submitted, 'nothing reached the driver after close');
  t.equal(fdCount(), fds);
});

await eachDriver(t, 'rt.close() racing an open that completes: the file it yields is closed too', async (t, _rt, driver) => {
  const dir = tmpDir(t);
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const fds = fdCount();
  const rt = await createRuntime({ driver });
  await rt.readFile('/proc/self/stat'); // file workers (epoll) running, so the open below starts at once
  // Opening a FIFO for writing blocks until a reader comes: the open is in flight, past any cancel.
  const opening = settled(rt.open(fifo, 'w'));
  await delay(50);
  t.equal(rt.stats().inFlight, 1, 'the open is in flight');
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK); // lets the open complete...
  t.teardown(() => closeSync(reader));
  const closing = rt.close(); // ...as the runtime starts closing, in the same tick
  const r = await opening;
  const closed = await Promise.race([closing.then(() => 'closed'), delay(5000).then(() => 'hung')]);
  t.equal(closed, 'closed', 'rt.close() resolves');
  t.ok(
    r.error?.code === 'ERR_RENTIO_RUNTIME_CLOSED' || r.value?.closed === true,
    `the open rejects ERR_RENTIO_RUNTIME_CLOSED or yields a handle the runtime closed (${r.error?.code ?? `closed: ${r.value?.closed}`})`,
  );
  t.equal(rt.stats().handles, 0, 'no handle left open');
  if (r.value) {
    const again = await Promise.race([r.value.close().then(() => 'resolved'), delay(2000).then(() => 'hung')]);
    t.equal(again, 'resolved', "the handle's own close() resolves too");
  }
  t.equal(fdCount(), fds + 1, "no fd leaked (the one left is the test's reader)");
});

/** Child program: start ops of every kind, leave them pending, then end as `how` says. */
const pendingThenEnd = (how) => `
  import { execFileSync } from 'node:child_process';
  import { writeFileSync, mkdtempSync } from 'node:fs';
  import net from 'node:net';
  import { createRuntime, alloc } from '@rentio/core';
  const dir = mkdtempSync('/tmp/rentio-exit-');
  writeFileSync(dir + '/data', Buffer.alloc(1 << 20, 1));
  execFileSync('mkfifo', [dir + '/fifo']);
  const rt = await createRuntime();
  const l = await rt.listen({ host: '127.0.0.1', port: 0 });
  const [c, s] = await Promise.all([rt.connect({ host: '127.0.0.1', port: l.address().port }), l.accept()]);
  const f = await rt.open(dir + '/data', 'r');
  const pipe = await rt.open(dir + '/fifo', 'r+');
  const quiet = () => {};
  for (let i = 0; i < 50; i++) {
    s.read(alloc(64)).catch(quiet);
    l.accept().catch(quiet);
    rt.sleep(60000).catch(quiet);
    f.read(alloc(65536), { position: (i % 16) * 65536 }).catch(quiet);
  }
  pipe.read(alloc(16)).catch(quiet);
  let pending = true;
  c.write(alloc(64 << 20)).catch(quiet); // larger than the socket buffers: stays pending
  await new Promise((r) => setTimeout(r, 50));
  console.log('pending', rt.stats().inFlight);
  execFileSync('rm', ['-rf', dir]);
  ${how}
`;

for (const [name, how, expectCode] of [
  ['process.exit(0)', 'process.exit(0);', 0],
  ['an uncaught exception', "throw new Error('boom');", 1],
  ['process.exitCode and nothing else', 'process.exitCode = 3; setTimeout(() => process.exit(), 10);', 3],
]) {
  await eachDriver(t, `exit with ops pending and no close, via ${name}: exits promptly`, async (t, _rt, driver) => {
    const r = await runNode(pendingThenEnd(how), { env: { RENTIO_DRIVER: driver }, timeout: 15000 });
    t.notOk(r.killed, `the process exited on its own (${r.ms} ms)`);
    t.equal(r.code, expectCode, `exit code ${expectCode}`);
    t.match(r.stdout, /^pending (\d+)/, 'ops were pending');
    t.ok(Number(/pending (\d+)/.exec(r.stdout)?.[1]) >= 100, `many ops pending (${r.stdout.trim()})`);
    if (expectCode === 1) t.match(r.stderr, /boom/);
    else t.equal(r.stderr, '', 'nothing on stderr');
  });
}
