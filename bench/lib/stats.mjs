/**
 * Small statistics over repeated runs: the median is what the tables report, the spread is
 * half the min–max range relative to the median (±%), so one noisy run shows up.
 * @module
 */

/** Median of finite numbers (NaN when none). */
export function median(xs) {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** { median, min, max, spread } of a list of runs; spread = (max - min) / 2 / median. */
export function summarize(xs) {
  const v = xs.filter(Number.isFinite);
  const med = median(v);
  const min = v.length ? Math.min(...v) : NaN;
  const max = v.length ? Math.max(...v) : NaN;
  return { median: med, min, max, spread: v.length > 1 && med ? (max - min) / 2 / Math.abs(med) : 0, n: v.length };
}

/** Median of each numeric key across a list of objects (keys missing in some are kept). */
export function medianOfKeys(objs) {
  const keys = new Set(objs.flatMap((o) => Object.keys(o ?? {})));
  const out = {};
  for (const k of keys) {
    const vals = objs.map((o) => o?.[k]).filter((x) => typeof x === 'number');
    if (vals.length) out[k] = median(vals);
  }
  return out;
}

/**
 * The ratio of two rows measured side by side: the median, over repetitions, of a's run divided
 * by b's run of the same repetition. Runs of one repetition are seconds apart, so load that
 * drifts over the minutes of a run (a shared machine) cancels out of each quotient.
 * INVARIANT: runs[i] is repetition i for both rows (a row that fails stops, it never skips).
 */
export function pairedRatio(a, b) {
  const n = Math.min(a.length, b.length);
  const q = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(a[i]) && Number.isFinite(b[i]) && b[i] !== 0) q.push(a[i] / b[i]);
  return median(q);
}
