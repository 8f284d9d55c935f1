/**
 * Number formatting shared by the console table, RESULTS.md and the SVG charts.
 * @module
 */

/** 1234567 → '1.23 M', 45210 → '45.2 k', 12.3 → '12.3'. */
export function si(x) {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toPrecision(3)} G`;
  if (a >= 1e6) return `${(x / 1e6).toPrecision(3)} M`;
  if (a >= 1e4) return `${(x / 1e3).toPrecision(3)} k`;
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

/** A value in a scenario's unit: bytes as KiB/MiB, rates with SI prefixes. */
export function formatValue(x, unit) {
  if (!Number.isFinite(x)) return '–';
  if (unit === 'B/conn') return x >= 1024 * 1024 ? `${(x / 1048576).toFixed(2)} MiB` : `${(x / 1024).toFixed(1)} KiB`;
  if (unit === 'MiB/s') return `${si(x)} MiB/s`;
  if (unit === 'syscalls/op') return x.toFixed(x >= 10 ? 1 : 2);
  return `${si(x)} ${unit}`;
}

/** 0.034 → '±3.4%'. */
export function pct(x, n = 2) {
  if (n < 2) return '–';
  return Number.isFinite(x) ? `±${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%` : '';
}

/** 1.234 → '1.23×'. */
export function ratio(x) {
  return Number.isFinite(x) ? `${x.toFixed(x >= 10 ? 1 : 2)}×` : '–';
}

/** Microseconds, compact: 812.3 → '812 µs', 2310 → '2.31 ms'. */
export function micros(us) {
  if (!Number.isFinite(us)) return '–';
  if (us >= 1000) return `${(us / 1000).toFixed(us >= 10000 ? 1 : 2)} ms`;
  return `${us.toFixed(us >= 100 ? 0 : 1)} µs`;
}

/** Pad/truncate for fixed-width console columns. */
export function cell(s, w, right = false) {
  s = String(s);
  if (s.length > w) s = s.slice(0, w - 1) + '…';
  return right ? s.padStart(w) : s.padEnd(w);
}

/** Seconds as m:ss. */
export function clock(s) {
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}
