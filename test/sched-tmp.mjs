import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSchedule } from './reliability/faults-workload.mjs';
const dir = mkdtempSync(join(tmpdir(), 'sched-'));
const driver = process.argv[2]; const rate = Number(process.argv[3]);
process.stdout.write('');
for (let i = 0; i <= 300; i++) {
  const r = await runSchedule({ driver, seed: 1000 + i, dir, rate });
  if (r.violations.length) console.log('viol', r.violations);
  if (i % 50 === 0) { globalThis.gc(); console.log(i, (process.memoryUsage().rss/1048576).toFixed(1), 'heap', (process.memoryUsage().heapUsed/1048576).toFixed(1), 'ab', (process.memoryUsage().arrayBuffers/1048576).toFixed(1)); }
}
