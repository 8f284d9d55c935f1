// A driver whose set-up fails part-way (here: EMFILE at each successive fd it makes) closes every
// fd it had made before the error reaches the caller. Run in a child under `ulimit -n`: the child
// fills its fd table, frees k slots, opens a runtime, and counts the free slots afterwards.
import t from 'tap';
import { runChild } from '../helpers/reliability.mjs';
import { DRIVERS, unavailable } from '../helpers/drivers.mjs';

const child = `
import { openSync, closeSync } from 'node:fs';
import { createRuntime } from '@rentio/core';
const driver = process.env.LEAK_DRIVER;
const driverOptions = JSON.parse(process.env.LEAK_OPTIONS);
// Load every module and library first: a dynamic import needs fds too.
await (await createRuntime({ driver, driverOptions })).close();
const held = [];
for (;;) { try { held.push(openSync('/dev/null', 'r')); } catch { break; } }
const out = [];
for (let k = 1; k <= 4; k++) {
  for (let i = 0; i < k; i++) closeSync(held.pop());
  let code;
  try { const rt = await createRuntime({ driver, driverOptions }); await rt.close(); code = 'ok'; } catch (e) { code = e.code; }
  let free = 0;
  for (;;) { try { held.push(openSync('/dev/null', 'r')); free++; } catch { break; } }
  out.push({ k, code, free });
  if (code === 'ok') break;
}
for (const fd of held) closeSync(fd);
console.log(JSON.stringify(out));
`;

const cases = [
  ['epoll', {}, 'epoll fd, then eventfd, then timerfd'],
  ['uring', { setupFlags: ['SINGLE_ISSUER', 'DEFER_TASKRUN'] }, 'ring fd, then the eventfd DEFER_TASKRUN needs'],
];

for (const [driver, options, what] of cases) {
  if (!DRIVERS.includes(driver)) continue;
  t.test(`${driver}: a set-up that fails part-way leaks no fd (${what})`, async (t) => {
    const why = await unavailable(driver);
    if (why) return t.skip(`driver ${driver} unavailable: ${why}`);
    const r = await runChild(['--input-type=module', '-e', child], {
      nofile: 64,
      env: { LEAK_DRIVER: driver, LEAK_OPTIONS: JSON.stringify(options), NODE_OPTIONS: '' },
    });
    t.equal(r.code, 0, `child exits 0 (${r.stderr.slice(-300)})`);
    const rows = JSON.parse(r.stdout.trim().split('\n').pop());
    const failed = rows.filter((x) => x.code !== 'ok');
    t.ok(failed.length >= 1, 'at least one set-up failed for want of fds');
    t.equal(rows.at(-1).code, 'ok', 'with enough fds the driver opens');
    for (const row of failed) {
      t.equal(row.code, 'EMFILE', `${row.k} free: fails with EMFILE`);
      t.equal(row.free, row.k, `${row.k} free: all ${row.k} free again after the failure`);
    }
  });
}
