// Fairness: ops that complete at once (page-cache reads, under uring inside the submit) are
// chained from promise reactions without waiting for a loop turn, but only for a bounded burst —
// a loop of awaited reads still lets Node's own callbacks (immediates, timers, I/O) run.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alloc } from '@rentio/core';
import { eachDriver } from '../helpers/drivers.mjs';
import { tmpDir } from '../helpers/util.mjs';

const READS = 5000;

await eachDriver(t, 'a loop of awaited reads yields to setImmediate and setTimeout within a bounded burst', async (t, rt) => {
  const path = join(tmpDir(t), 'data');
  writeFileSync(path, Buffer.alloc(64 * 1024, 7));
  const f = await rt.open(path, 'r');
  t.teardown(() => f.close());
  let done = 0;
  let atImmediate = -1;
  let atTimer = -1;
  setImmediate(() => (atImmediate = done));
  setTimeout(() => (atTimer = done), 0);
  let buf = alloc(4096);
  for (let i = 0; i < READS; i++) {
    let n;
    [n, buf] = await f.read(buf, { position: (i % 16) * 4096 });
    if (n !== 4096) t.fail(`short read: ${n}`);
    done++;
    if (atImmediate >= 0 && atTimer >= 0) break;
  }
  t.ok(atImmediate >= 0 && atImmediate < 1000, `the immediate ran after ${atImmediate} reads, not after the loop`);
  t.ok(atTimer >= 0 && atTimer < READS, `the timer ran after ${atTimer} reads, not after the loop`);
});
