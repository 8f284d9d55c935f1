// Node's own net/http tests (vendored at vendor/node-test) over compat, as CI runs them: a
// representative subset (every SAMPLE-th in-scope test by name, so every group of tests is in
// it), on plain Node, then with compat swapped in on each side and driver, under the runner's
// --check: every test that passes on plain Node passes over compat, but for the differences
// scope.json lists (issue 10's target). `npm run test:node-core` runs all of them; the table of a
// full run is in packages/compat/README.md.
//
// The tests follow their Node's major, so this runs under that major only (CI's run on it); under
// another Node it skips and says which to use.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { majorOf, treeVersion } from '../../scripts/node-core/node-tree.mjs';
import { DRIVERS, unavailable } from '../helpers/drivers.mjs';

const runner = fileURLToPath(new URL('../../scripts/node-core/run.mjs', import.meta.url));
const vendored = fileURLToPath(new URL('../../vendor/node-test', import.meta.url));
/** One in four: ~120 tests × (baseline + 2 sides × 2 drivers); 1 in 2 took 15 minutes alone here. */
const SAMPLE = 4;

t.setTimeout(40 * 60_000);

void t.test("Node's net/http tests over compat (1 in 4, both sides, both drivers)", async (t) => {
  const version = treeVersion(vendored);
  const major = majorOf(version);
  if (major !== process.versions.node.split('.')[0])
    return t.skip(`the vendored tests are Node ${version}'s: they run under Node ${major} (CI's run on it), this is ${process.version}`);
  t.ok(existsSync(`${vendored}/test/parallel`), 'the tests are vendored');
  const drivers = [];
  for (const d of DRIVERS) if (!(await unavailable(d))) drivers.push(d);
  if (drivers.length === 0) return t.skip('no driver available');
  const r = spawnSync(process.execPath, [runner, '--sample', String(SAMPLE), '--check', '--drivers', drivers.join(','), '--node', process.execPath], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  // The table and the failure list, so a failing run's log says which tests and where.
  const report = r.stdout.slice(r.stdout.indexOf('\n| Node'));
  t.equal(r.status, 0, `node-core --check exits 0; its table and failures:\n${report}\n${r.stderr.slice(-2000)}`);
  t.match(r.stdout, /node-core: target met: 0 unexplained failure\(s\)/);
  const baseline = Number(/\| baseline pass \(plain Node\) \| (\d+) \|/.exec(r.stdout)?.[1]);
  t.ok(baseline >= 100, `the sample ran: ${baseline} tests pass on plain Node`);
});
