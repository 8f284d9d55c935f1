// The node-core harness (scripts/node-core) on a tiny synthetic Node test tree it writes itself:
// selection (test-net-* / test-http-* only), scope (scope file and the rules), the transport
// swap on each side and driver (a test that fails only when swapped shows which side was), and
// the table and failure list. Node's own test files are not needed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { DRIVERS, unavailable } from '../helpers/drivers.mjs';

const runner = fileURLToPath(new URL('../../scripts/node-core/run.mjs', import.meta.url));

const FILES = {
  // A real exchange: passes everywhere (a net server echoing to a net client).
  'test-net-echo.js': `const net = require('net');
const server = net.createServer((s) => s.pipe(s));
server.listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1', () => c.end('ping'));
  let got = '';
  c.on('data', (d) => (got += d));
  c.on('close', () => { server.close(); process.exitCode = got === 'ping' ? 0 : 1; });
});
`,
  // Fails only when the client side is swapped.
  'test-net-client-kind.js': `const net = require('net');
const s = new net.Socket();
const swapped = s.constructor.name === 'RentioSocket';
s.destroy();
if (!(s instanceof net.Socket)) process.exit(3);
process.exit(swapped ? 1 : 0);
`,
  // Fails only when the server side is swapped: serve() gives a served server its own address().
  'test-http-server-kind.js': `const http = require('http');
const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, () => {
  const served = Object.hasOwn(server, 'address');
  http.get({ port: server.address().port, host: '127.0.0.1' }, (res) => {
    res.resume();
    res.on('end', () => { server.close(); process.exitCode = served ? 1 : 0; });
  });
});
`,
  // Out of scope by the scope file: never run (it would fail).
  'test-net-listed.js': 'process.exit(4);\n',
  // Out of scope by rule (reaches internals): never run.
  'test-http-rule.js': "// internalBinding('tcp_wrap')\nprocess.exit(5);\n",
  // Fails on plain Node: in scope, not a baseline pass, so never run over compat.
  'test-net-broken.js': 'process.exit(2);\n',
  // Not a net/http test: not selected.
  'test-fs-other.js': 'process.exit(6);\n',
};

/** The drivers that start here, and a synthetic Node tree of FILES with its scope file (removed at teardown). */
async function syntheticTree(t) {
  const drivers = [];
  for (const d of DRIVERS) if (!(await unavailable(d))) drivers.push(d);
  const dir = mkdtempSync(join(tmpdir(), 'rentio-node-core-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'test', 'parallel'), { recursive: true });
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, 'test', 'parallel', name), text);
  const scope = join(dir, 'scope.json');
  writeFileSync(scope, JSON.stringify({ outOfScope: { 'test-net-listed.js': 'internals: listed for the test' } }));
  return { drivers, dir, scope };
}

void t.test('node-core harness: selection, scope, swap per side and driver, table', async (t) => {
  const { drivers, dir, scope } = await syntheticTree(t);
  if (drivers.length === 0) return t.skip('no driver available');
  const json = join(dir, 'results.json');
  const r = spawnSync(
    process.execPath,
    [runner, '--node-src', dir, '--scope', scope, '--json', json, '--drivers', drivers.join(','), '--timeout', '60000'],
    { encoding: 'utf8' },
  );
  t.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  t.match(out, /\| selected \| 6 \|/);
  t.match(out, /\| in scope \| 4 \|/);
  t.match(out, /\| baseline pass \(plain Node\) \| 3 \|/);
  for (const d of drivers) {
    t.match(out, new RegExp(`\\| compat client side, ${d} \\| 2 \\(66\\.7%\\) \\|`), `client ${d}`);
    t.match(out, new RegExp(`\\| compat server side, ${d} \\| 2 \\(66\\.7%\\) \\|`), `server ${d}`);
  }
  t.match(out, /Failures \(pass on plain Node, fail over compat\): 2/);
  t.match(out, new RegExp(`test-net-client-kind\\.js: ${drivers.map((d) => `client/${d} \\(exit 1\\)`).join(', ')}\\n`));
  t.match(out, new RegExp(`test-http-server-kind\\.js: ${drivers.map((d) => `server/${d} \\(exit 1\\)`).join(', ')}\\n`));
  const res = Object.fromEntries(JSON.parse(readFileSync(json, 'utf8')).tests.map((x) => [x.name, x]));
  t.notOk('test-fs-other.js' in res, 'only net/http tests are selected');
  t.equal(res['test-net-listed.js'].reason, 'internals: listed for the test');
  t.match(res['test-http-rule.js'].reason, /^internals: .* \(rule\)$/);
  t.same(res['test-net-listed.js'].results, {}, 'an out-of-scope test is never run');
  t.equal(res['test-net-broken.js'].results.baseline.pass, false);
  t.same(Object.keys(res['test-net-broken.js'].results), ['baseline'], 'a baseline failure is not run over compat');
  t.equal(res['test-net-echo.js'].results[`server/${drivers[0]}`].pass, true);
});

void t.test('node-core harness: --check holds the target, --sample thins, a failure runs again', async (t) => {
  const { drivers, dir, scope } = await syntheticTree(t);
  if (drivers.length === 0) return t.skip('no driver available');
  // Fails its first run only: the retry passes it, and it is reported flaky, not failed.
  writeFileSync(
    join(dir, 'test', 'parallel', 'test-net-flaky.js'),
    "const fs = require('fs'); const m = process.env.FLAKY_MARK; if (!fs.existsSync(m)) { fs.writeFileSync(m, ''); process.exit(7); }\n",
  );
  const run = (...args) =>
    spawnSync(process.execPath, [runner, '--node-src', dir, '--scope', scope, '--drivers', drivers[0], '--timeout', '60000', ...args], {
      encoding: 'utf8',
      env: { ...process.env, FLAKY_MARK: join(dir, 'flaky-mark') },
    });
  const all = run('--check', '--json', join(dir, 'r.json'));
  t.equal(all.status, 1, 'two tests fail only when swapped: the target is missed');
  t.match(all.stdout, /node-core: target MISSED: 2 unexplained failure\(s\), 0 documented difference\(s\) of 4/);
  t.match(all.stdout, /Passed on a second run \(flaky\): 1\n {2}test-net-flaky\.js on baseline \(first run: exit 7\)/);
  const flaky = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).tests.find((x) => x.name === 'test-net-flaky.js');
  t.same(flaky.results.baseline, { pass: true, status: 'exit 0', ms: flaky.results.baseline.ms, flaky: 'exit 7' });
  const echo = run('--check', '--filter', 'echo');
  t.equal(echo.status, 0, 'the echo test alone meets the target');
  t.match(echo.stdout, /node-core: target met: 0 unexplained failure\(s\), 0 documented difference\(s\) of 1 /);
  // 5 in scope (client-kind, echo, flaky, broken, server-kind by name): every 2nd is 3 of them.
  const half = run('--sample', '2', '--sides', 'client');
  t.match(half.stdout, /\| in scope \| 3 \(1 in 2 of 5\) \|/);
});

void t.test('node-core harness: without a Node source dir it says where one comes from and skips', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'rentio-node-core-empty-'));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  const env = { ...process.env };
  delete env.RENTIO_NODE_SRC;
  const r = spawnSync(process.execPath, [runner, '--node-src', empty], { encoding: 'utf8', env });
  t.equal(r.status, 0);
  t.match(r.stdout, /vendor\/node-test \(scripts\/node-core\/vendor\.mjs makes it\)/);
  t.match(r.stdout, new RegExp(`^node-core: skipped \\(no Node source dir at ${empty}\\)$`, 'm'));
});
