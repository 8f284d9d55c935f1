#!/usr/bin/env node
// 4 KiB random reads of a 256 MiB page-cached file at QD 64, side by side in one run:
// rentio uring (setup-flag variants) vs Node fs.promises vs Node UV_USE_IO_URING=1 vs Bun.
// Runs each side REPS times round-robin in fresh processes and prints medians.
//   node packages/driver-uring/scripts/bench-read.mjs [--reps 3] [--seconds 3]
import { execFileSync } from 'node:child_process';
import { existsSync, openSync, writeSync, closeSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const arg = (name, d) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : d; };
const REPS = Number(arg('--reps', 3));
const SECONDS = arg('--seconds', '3');
const FILE = arg('--file', '/tmp/rentio-bench-256m.bin');
const SIZE = 256 * 1024 * 1024;

if (!existsSync(FILE) || statSync(FILE).size !== SIZE) {
  const fd = openSync(FILE, 'w');
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < SIZE / chunk.length; i++) { chunk.fill(i & 0xff); writeSync(fd, chunk); }
  closeSync(fd);
}
readFileSync(FILE); // into the page cache

const bun = join(root, 'node_modules/.bin/bun');
const worker = join(here, 'read-worker.mjs');
const sides = [
  { name: 'rentio uring (default flags)', cmd: process.execPath, args: [worker, 'rentio', FILE], env: {} },
  { name: 'rentio uring (no flags)', cmd: process.execPath, args: [worker, 'rentio', FILE, 'none'], env: {} },
  { name: 'rentio uring (SINGLE_ISSUER|DEFER_TASKRUN)', cmd: process.execPath, args: [worker, 'rentio', FILE, 'SUBMIT_ALL,SINGLE_ISSUER,DEFER_TASKRUN'], env: {} },
  { name: 'node fs.promises', cmd: process.execPath, args: [worker, 'fs', FILE], env: { UV_USE_IO_URING: '0' } },
  { name: 'node fs.promises UV_USE_IO_URING=1', cmd: process.execPath, args: [worker, 'fs', FILE], env: { UV_USE_IO_URING: '1' } },
  { name: 'bun fs.promises', cmd: bun, args: [worker, 'fs', FILE], env: {} },
];
const results = new Map(sides.map((s) => [s.name, []]));
const cpu = new Map(sides.map((s) => [s.name, []]));
const detail = new Map();
for (let r = 0; r < REPS; r++) {
  // Rotate the order each repetition so no side always runs right after the same neighbour.
  for (const s of [...sides.slice(r % sides.length), ...sides.slice(0, r % sides.length)]) {
    const out = execFileSync(s.cmd, s.args, { cwd: root, env: { ...process.env, ...s.env, SECONDS_PER_RUN: SECONDS }, encoding: 'utf8' });
    const j = JSON.parse(out.trim().split('\n').pop());
    results.get(s.name).push(j.iops);
    cpu.get(s.name).push(j.cpuUsPerOp);
    detail.set(s.name, j);
  }
}
const median = (a) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };
const bunMed = median(results.get('bun fs.promises'));
console.log(`4 KiB random reads, 256 MiB page-cached file, QD 64, ${SECONDS} s x ${REPS} reps (median IOPS; CPU = all threads' user+sys per op); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const s of sides) {
  const m = median(results.get(s.name));
  const d = detail.get(s.name);
  const info = d.syscallsPerOp !== undefined ? `  [${d.setupFlags || 'none'}; syscalls/op ${d.syscallsPerOp}, ops/submit ${d.opsPerSubmit}]` : '';
  const c = median(cpu.get(s.name));
  console.log(`${s.name.padEnd(44)} ${String(m).padStart(8)}  ${(m / bunMed).toFixed(2)}x bun  CPU ${c.toFixed(2)} us/op (${(median(cpu.get('bun fs.promises')) / c).toFixed(2)}x less than bun)  runs ${results.get(s.name).join(' ')}${info}`);
}
