// The paragraph a missed target gets in bench/RESULTS.md (bench/lib/floor.mjs), from a synthetic
// run: what it says is computed from the rows, so a wrong row pairing or ratio shows here.
import t from 'tap';
import { kernelFloor } from '../bench/lib/floor.mjs';

const row = (id, label, median, cpu) => ({ id, label, median, status: 'ok', ratio: NaN, extra: { cpu_us_per_op: cpu, sys_share: 0.5 } });

function scalingRun(rows) {
  return [{ id: 'scaling', cases: [{ id: 'echo-c64', rows }] }];
}

const target = { scenario: 'scaling', case: 'echo-c64', subject: 'rentio-uring-n', ref: 'cluster-n', min: 1.5 };

t.test('a scaling target: the C ratio, then each server from one worker to N', async (t) => {
  const run = scalingRun([
    row('cluster-1', 'node:cluster ×1', 50_000, 24),
    row('cluster-n', 'node:cluster ×2', 60_000, 23),
    row('rentio-uring-1', 'rentio uring ×1', 100_000, 11.5),
    row('rentio-uring-n', 'rentio uring ×2', 70_000, 19),
    row('c-epoll-1', 'C epoll ×1', 96_000, 9.5),
    row('c-epoll-n', 'C epoll ×2', 76_000, 11),
  ]);
  const text = kernelFloor(run, target);
  t.match(text, /C epoll ×2\) reached 1\.27× node:cluster ×2/, 'the C ratio from the medians');
  t.match(text, /From one worker to N, ops\/s: /);
  t.match(text, /node:cluster 50\.0 k → 60\.0 k \(1\.20×\)/);
  t.match(text, /rentio uring 100\.0 k → 70\.0 k \(0\.70×\)/);
  t.match(text, /C epoll 96\.0 k → 76\.0 k \(0\.79×\)/);
  t.notMatch(text, /Bun/, 'a server without both rows is left out');
});

t.test('a scaling HTTP target (no C rows) still says one worker against N', async (t) => {
  const rows = [
    row('cluster-1', 'node:cluster ×1', 40_000, 27),
    row('cluster-n', 'node:cluster ×2', 43_000, 27),
    row('rentio-uring-n', 'rentio uring ×2', 41_000, 28),
  ];
  const text = kernelFloor(scalingRun(rows), target);
  t.equal(text, 'From one worker to N, ops/s: node:cluster 40.0 k → 43.0 k (1.07×).');
});

t.test('a run without one-worker rows says only what it has', async (t) => {
  const rows = [row('cluster-n', 'node:cluster ×2', 43_000, 27), row('rentio-uring-n', 'rentio uring ×2', 41_000, 28)];
  t.equal(kernelFloor(scalingRun(rows), target), '');
});
