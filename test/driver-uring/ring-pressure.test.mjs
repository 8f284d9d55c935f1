// More ops than the ring holds: SQ overflow into the driver's JS queue, and a CQ overflowed by a
// burst of completions (IORING_FEAT_NODROP + GETEVENTS). Nothing may be lost.
import t from 'tap';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alloc, createRuntime } from '@rentio/core';
import { tmpDir } from '../helpers/util.mjs';

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
    const peers = [];
    const streams = [];
    for (let i = 0; i < N; i++) {
      const accepted = l.accept();
      peers.push(
        await new Promise((resolve, reject) => {
          const sock = net.connect(l.address().port, '127.0.0.1', () => resolve(sock)).on('error', reject);
        }),
      );
      streams.push(await accepted);
    }
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
