// `npm run bench -- --quick` as a smoke test: every scenario runs with tiny sizes, one run per
// row, and the runner finishes with its summary line. Figures are not checked (speed is measured
// in bench/, never asserted in tests); that the harness runs and measures is.
import t from 'tap';
import { execFile } from 'node:child_process';
import { childEnv } from './helpers/util.mjs';

// Twelve scenarios on a shared 2-core machine: this file may take longer than the runner's 120 s.
t.setTimeout(600_000);
t.test('bench --quick runs every scenario', { timeout: 590_000 }, async (t) => {
  const r = await new Promise((resolve) => {
    execFile(process.execPath, ['bench/run.mjs', '--quick'], { env: childEnv(), timeout: 570_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ err, stdout, stderr }),
    );
  });
  t.equal(r.err, null, `exit 0 (${r.err?.message ?? ''} ${r.stderr.slice(-400)})`);
  const done = /bench --quick: done in \d+ s — (\d+) scenarios, (\d+) rows measured, (\d+) skipped, (\d+) failed/.exec(r.stdout);
  t.ok(done, 'printed the summary line');
  t.ok(Number(done?.[1]) >= 12, 'all twelve scenarios ran');
  t.ok(Number(done?.[2]) > 0, 'rows were measured');
  // Name the failed rows, so a failure under load says which contender and why.
  const failedRows = r.stdout
    .split('\n')
    .filter((l) => /fail/i.test(l) && !/done in/.test(l))
    .slice(0, 5)
    .join(' | ');
  t.equal(Number(done?.[4]), 0, `no contender failed (${failedRows || 'none named'})`);
});
