#!/usr/bin/env node
// `npm test`: lint, then the whole suite with tap (coverage on), then a table of cases per driver,
// the coverage per package (mapped to the TypeScript sources through the source maps), and the
// closing "N passed, N failed" line, which stays last. `--no-lint` skips the lint step (the CI
// matrix lints once, on the first Node). Other arguments go to tap.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const args = process.argv.slice(2).filter((a) => a !== '--no-lint');
const lint = !process.argv.includes('--no-lint') && args.length === 0;
let lintFailed = false;
if (lint) {
  const r = spawnSync(process.execPath, ['scripts/lint.mjs'], { stdio: 'inherit' });
  lintFailed = r.status !== 0;
}

// The table below reads this run's report only: a run with --disable-coverage writes none.
rmSync('.tap/report/coverage-summary.json', { force: true });
const child = spawn(process.execPath, ['node_modules/tap/dist/esm/run.mjs', ...args], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, FORCE_COLOR: '0' },
});
const perDriver = new Map();
const failures = trackFailures();
let summary = null;
let rest = '';
child.stdout.on('data', (chunk) => {
  const text = rest + chunk.toString();
  const lines = text.split('\n');
  rest = lines.pop();
  for (const line of lines) {
    // No coverage floor: tap measures against 100% and comments each figure below it as an
    // "ERROR"; the per-package table below states the figures instead.
    if (/^# ERROR: incomplete \w+ coverage/.test(line)) continue;
    process.stdout.write(line + '\n');
    failures.see(line);
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

/**
 * The failed cases by their path (file › subtest › assertion), deepest only: tap reports a failed
 * assertion, then each enclosing subtest again. CI prints only the tail of a run, so the list goes
 * just above the closing line, where it stays readable.
 */
function trackFailures() {
  const stack = [];
  const failed = []; // { path, diag: string[] }
  let diagOf = null; // the failure whose YAML block (`---` … `...`) is being read
  let keyIndent = -1; // that block's top-level key indent
  let skipping = false; // inside `at:` or `source:`, which the path and stack already say
  const readDiag = (line) => {
    const indent = line.search(/\S/);
    if (/^ *\.\.\.$/.test(line)) return void (diagOf = null);
    if (/^ *---$/.test(line)) return void (keyIndent = indent);
    if (indent === keyIndent) skipping = /^ *(at|source):/.test(line);
    if (!skipping && diagOf.diag.length < 16 && indent >= 0) diagOf.diag.push(line.slice(keyIndent));
  };
  return {
    see(line) {
      if (diagOf) {
        readDiag(line);
        return;
      }
      const sub = /^( *)# Subtest: (.*)$/.exec(line);
      if (sub) {
        stack.length = sub[1].length / 4;
        stack.push(sub[2]);
        return;
      }
      const bad = /^( *)not ok \d+ - (.*?)(?: # time=.*)?$/.exec(line);
      if (!bad) return;
      const path = [...stack.slice(0, bad[1].length / 4), bad[2]].join(' › ');
      if (failed.some((f) => f.path.startsWith(path))) return;
      diagOf = { path, diag: [] };
      failed.push(diagOf);
    },
    failed,
  };
}

/** Sum tap's json-summary (one entry per source file) by package; null when there is none. */
function coverageByPackage() {
  let report;
  try {
    report = JSON.parse(readFileSync('.tap/report/coverage-summary.json', 'utf8'));
  } catch {
    return null;
  }
  const keys = ['lines', 'branches', 'functions'];
  const pkgs = new Map();
  for (const [file, cov] of Object.entries(report)) {
    const m = /\/packages\/([^/]+)\/(.+)$/.exec(file);
    if (!m) continue;
    const p = pkgs.get(m[1]) ?? { files: [], ...Object.fromEntries(keys.map((k) => [k, { covered: 0, total: 0 }])) };
    for (const k of keys) {
      p[k].covered += cov[k].covered;
      p[k].total += cov[k].total;
    }
    p.files.push({ file: m[2], lines: cov.lines });
    pkgs.set(m[1], p);
  }
  return pkgs;
}

const pct = (c) => (c.total ? ((100 * c.covered) / c.total).toFixed(1) : '100.0').padStart(6);

child.on('exit', (code, signal) => {
  if (rest) process.stdout.write(rest + '\n');
  console.log('\nCases per driver (subtests named [driver]):');
  console.log('driver  passed  failed  skipped');
  for (const [d, r] of [...perDriver].sort())
    console.log(`${d.padEnd(7)} ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${String(r.skipped).padStart(7)}`);

  const cov = coverageByPackage();
  if (cov?.size) {
    console.log('\nCoverage per package (TypeScript sources; % of lines, branches, functions; least-covered file):');
    console.log(`${'package'.padEnd(13)}  lines  branch   func  least covered`);
    for (const [name, p] of [...cov].sort()) {
      const worst = p.files.filter((f) => f.lines.total > 0).sort((a, b) => a.lines.pct - b.lines.pct)[0];
      const least = worst ? `${worst.file} (${worst.lines.pct}%)` : '';
      console.log(`${name.padEnd(13)} ${pct(p.lines)} ${pct(p.branches)} ${pct(p.functions)}  ${least}`);
    }
    console.log('(per file: .tap/report/coverage-summary.json; `npx tap report text` for the table)');
  }

  if (failures.failed.length) {
    console.log('\nFailed cases:');
    for (const f of failures.failed) {
      console.log(`FAILED: ${f.path}`);
      for (const d of f.diag) console.log(`FAILED:     ${d}`);
    }
  }
  if (lintFailed) console.log('\nlint failed (see above): `npm run lint`');
  const failed = (summary?.fail ?? 1) + (lintFailed ? 1 : 0);
  if (summary) console.log(`\n${summary.pass} passed, ${failed} failed, ${summary.skip} skipped`);
  else console.log(`\n0 passed, ${failed} failed (tap printed no summary)`);
  process.exit(lintFailed ? 1 : (code ?? (signal ? 1 : 0)));
});
