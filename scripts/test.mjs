#!/usr/bin/env node
// `npm test`: run the whole suite with tap, then print a table of cases per driver and the
// closing "N passed, N failed" line.
import { spawn } from 'node:child_process';

const args = process.argv.slice(2);
const child = spawn(process.execPath, ['node_modules/tap/dist/esm/run.mjs', ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FORCE_COLOR: '0' } });
const perDriver = new Map();
let summary = null;
let rest = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const text = rest + chunk.toString();
  const lines = text.split('\n');
  rest = lines.pop();
  for (const line of lines) {
    const m = /^\s*(not ok|ok) \d+ - .*\[(epoll|uring)\](?: # (SKIP|TODO))?/.exec(line);
    if (m) {
      const row = perDriver.get(m[2]) ?? { passed: 0, failed: 0, skipped: 0 };
      if (m[3]) row.skipped++;
      else if (m[1] === 'ok') row.passed++;
      else row.failed++;
      perDriver.set(m[2], row);
    }
    const s = /^# \{ total: (\d+), pass: (\d+)(?:, fail: (\d+))?(?:, skip: (\d+))?/.exec(line);
    if (s) summary = { total: +s[1], pass: +s[2], fail: +(s[3] ?? 0), skip: +(s[4] ?? 0) };
  }
});
child.on('exit', (code, signal) => {
  console.log('\nCases per driver (subtests named [driver]):');
  console.log('driver  passed  failed  skipped');
  for (const [d, r] of [...perDriver].sort()) console.log(`${d.padEnd(7)} ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${String(r.skipped).padStart(7)}`);
  if (summary) console.log(`\n${summary.pass} passed, ${summary.fail} failed, ${summary.skip} skipped`);
  else console.log('\n0 passed, 1 failed (tap printed no summary)');
  process.exit(code ?? (signal ? 1 : 0));
});
