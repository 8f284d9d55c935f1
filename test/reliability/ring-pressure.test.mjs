// More ops in flight than the ring holds, and a burst of completions larger than the CQ (issue 6,
// case 7). The runtimes are made with an 8-entry SQ and CQ (`entries`, `cqEntries`: uring's
// options, ignored by epoll), and 256 ops are put in flight at once: 32× the SQ. Behaviour is asserted the same way on both
// drivers — none lost, each with its own result; on uring the driver's counters also show the SQ
// filled and the CQ overflowed, so the case really exercised what it names.
import t from 'tap';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alloc, createRuntime } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { tmpDir } from '../helpers/util.mjs';
import { delay, warnings } from '../helpers/reliability.mjs';

const driverOptions = { entries: 8, cqEntries: 8 };

/** `n` node:net clients connected to `l`, and the streams `l` accepted for them; the clients are destroyed at teardown. */
async function acceptPeers(t, l, n) {
  const peers = [];
  const streams = [];
  for (let i = 0; i < n; i++) {
    const accepted = l.accept();
    peers.push(
      await new Promise((resolve, reject) => {
        const p = net.connect(l.address().port, '127.0.0.1', () => resolve(p)).on('error', reject);
      }),
    );
    streams.push(await accepted);
  }
  t.teardown(() => peers.forEach((p) => p.destroy()));
  return { peers, streams };
}

await eachDriver(
  t,
  '32× the SQ in flight (file reads, socket reads, timers): none lost, all correct',
  async (t, rt, driver) => {
    const warned = warnings(t);
    if (driver === 'uring') t.equal(rt.stats().sqEntries, 8, 'an 8-entry SQ');
    const BLOCK = 4096;
    const BLOCKS = 192;
    const path = join(tmpDir(t), 'blocks');
    const data = Buffer.alloc(BLOCKS * BLOCK);
    for (let i = 0; i < BLOCKS; i++) data.writeUInt32LE((i * 2654435761) >>> 0, i * BLOCK);
    writeFileSync(path, data);
    const f = await rt.open(path, 'r');

    const l = await rt.listen({ host: '127.0.0.1', port: 0 });
    const { peers, streams } = await acceptPeers(t, l, 32);

    const before = rt.stats();
    const reads = Array.from({ length: BLOCKS }, (_, i) => f.read(alloc(BLOCK), { position: (BLOCKS - 1 - i) * BLOCK }));
    const recvs = streams.map((s) => s.read(alloc(8)));
    const timers = Array.from({ length: 32 }, (_, i) => rt.sleep(1 + (i % 3)).then(() => i));
    const { inFlight: peak, completed } = rt.stats();
    // epoll completes up to 64 page-cache reads per loop turn on the main thread, inside the
    // submit (RWF_NOWAIT): those count as issued, not in flight.
    const issued = driver === 'epoll' ? peak + completed - before.completed : peak;
    t.ok(issued >= 32 * 8, `${issued} ops issued at once (>= 32× an 8-entry SQ; ${peak} in flight)`);
    await delay(5);
    peers.forEach((p, i) => p.write(Buffer.from([i, 0xee])));

    const got = await Promise.all(reads);
    let wrong = 0;
    got.forEach(([n, buf], i) => {
      const block = BLOCKS - 1 - i;
      if (n !== BLOCK || new DataView(buf.buffer).getUint32(0, true) !== (block * 2654435761) >>> 0) wrong++;
    });
    t.equal(wrong, 0, `each of ${BLOCKS} file reads got its own block`);
    const rgot = await Promise.all(recvs);
    t.ok(
      rgot.every(([n, buf], i) => n === 2 && buf[0] === i && buf[1] === 0xee),
      'each of 32 socket reads got its own bytes',
    );
    t.same(
      await Promise.all(timers),
      Array.from({ length: 32 }, (_, i) => i),
      'each of 32 timers fired',
    );
    if (driver === 'uring') t.ok(rt.stats().sqFullWaits > 0, 'the SQ filled and ops waited in the driver queue');
    t.same(warned, [], 'no op completed twice');
    const st = rt.stats();
    t.equal(st.inFlight, 0);
    t.equal(st.completed, st.submitted);
    await Promise.all([...streams.map((s) => s.close()), l.close(), f.close()]);
  },
  { driverOptions },
);

await eachDriver(
  t,
  'a burst of completions overflowing the CQ: none lost, each with its own bytes',
  async (t, rt, driver) => {
    const warned = warnings(t);
    if (driver === 'uring') t.equal(rt.stats().cqEntries, 8, 'an 8-entry CQ');
    const N = 128;
    const l = await rt.listen({ host: '127.0.0.1', port: 0 });
    const { peers, streams } = await acceptPeers(t, l, N);
    for (let round = 0; round < 3; round++) {
      const reads = streams.map((s) => s.read(alloc(16)));
      await delay(20); // every read reaches the kernel (or its readiness wait) and waits there
      // One synchronous burst: N completions become ready while this thread reaps nothing.
      peers.forEach((p, i) => p.write(Buffer.from([round, i & 0xff, i >> 8])));
      const got = await Promise.all(reads);
      const wrong = got.filter(([n, buf], i) => n !== 3 || buf[0] !== round || buf[1] !== (i & 0xff) || buf[2] !== i >> 8).length;
      t.equal(wrong, 0, `round ${round}: all ${N} reads completed with their own bytes`);
    }
    if (driver === 'uring') t.ok(rt.stats().cqOverflows > 0, 'the CQ overflowed and was flushed');
    t.same(warned, [], 'no op completed twice');
    t.equal(rt.stats().inFlight, 0);
    await Promise.all([...streams.map((s) => s.close()), l.close()]);
  },
  { driverOptions },
);

// io_uring only: SQ and CQ overflow again under each set of setup flags (DEFER_TASKRUN changes
// when completions are posted, SUBMIT_ALL how a full SQ is submitted).
const FLAG_SETS = [undefined, [], ['SUBMIT_ALL', 'SINGLE_ISSUER', 'DEFER_TASKRUN']];
const label = (f) => (f === undefined ? 'default flags' : f.length ? f.join('|') : 'no flags');

for (const setupFlags of FLAG_SETS) {
  t.test(`8x SQ entries of concurrent reads, none lost (${label(setupFlags)})`, async (t) => {
    const rt = await createRuntime({ driver: 'uring', driverOptions: { entries: 16, setupFlags } });
    t.teardown(() => rt.close());
    const path = join(tmpDir(t), 'blocks');
    const BLOCKS = 128;
    const data = Buffer.alloc(BLOCKS * 4096);
    for (let i = 0; i < BLOCKS; i++) data.fill(i, i * 4096, (i + 1) * 4096);
    writeFileSync(path, data);
    const f = await rt.open(path, 'r');
    const results = await Promise.all(Array.from({ length: BLOCKS }, (_, i) => f.read(alloc(4096), { position: (BLOCKS - 1 - i) * 4096 })));
    results.forEach(([n, buf], i) => {
      if (n !== 4096 || buf.some((b) => b !== BLOCKS - 1 - i)) t.fail(`read ${i} got wrong bytes`);
    });
    t.equal(results.length, BLOCKS, 'every read settled with its own block');
    const s = rt.stats();
    t.equal(s.sqEntries, 16);
    t.ok(s.sqFullWaits > 0, 'the SQ filled up and ops waited in the JS queue');
    t.equal(s.inFlight, 0);
    await f.close();
  });

  t.test(`a burst of completions overflowing the CQ, none lost (${label(setupFlags)})`, async (t) => {
    const rt = await createRuntime({ driver: 'uring', driverOptions: { entries: 4, cqEntries: 4, setupFlags } });
    t.teardown(() => rt.close());
    t.equal(rt.stats().cqEntries, 4);
    const N = 64;
    const l = await rt.listen({ port: 0, host: '127.0.0.1' });
    const { peers, streams } = await acceptPeers(t, l, N);
    const reads = streams.map((s) => s.read(alloc(16)));
    await new Promise((r) => setTimeout(r, 50)); // every read reaches the kernel and waits there
    // One synchronous burst: N completions become ready while JS reaps nothing.
    peers.forEach((p, i) => p.write(Buffer.from([i])));
    const got = await Promise.all(reads);
    got.forEach(([n, buf], i) => {
      if (n !== 1 || buf[0] !== i) t.fail(`stream ${i} read ${n} bytes, first ${buf[0]}`);
    });
    t.equal(got.length, N, 'every read completed with its byte');
    t.ok(rt.stats().cqOverflows > 0, 'the CQ overflowed and was flushed');
    for (const p of peers) p.destroy();
    await Promise.all(streams.map((s) => s.close()));
    await l.close();
  });
}
