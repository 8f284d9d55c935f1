// Small helpers shared by the examples: flags, opening one runtime per driver, printing tables.
// Everything an example measures lives in the example itself; nothing here touches rentio's
// internals.
import { createRuntime } from '@rentio/core';

/** `--quick` (or RENTIO_EXAMPLES_QUICK=1): tiny sizes, so `npm run examples` stays a smoke test. */
export const quick = process.argv.includes('--quick') || process.env.RENTIO_EXAMPLES_QUICK === '1';

/** Value of `--name value` (or `--name=value`) on the command line, else `fallback`. */
export function arg(name, fallback) {
  const argv = process.argv;
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === `--${name}` && i + 1 < argv.length) return argv[i + 1];
    if (argv[i].startsWith(`--${name}=`)) return argv[i].slice(name.length + 3);
  }
  return fallback;
}

/** Command-line arguments that are not flags; `valued` names the flags that take a value. */
export function positionals(valued) {
  const out = [];
  const argv = process.argv;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) out.push(a);
    else if (valued.includes(a.slice(2))) i++;
  }
  return out;
}

/** True when `--name` is on the command line. */
export function flag(name) {
  return process.argv.includes(`--${name}`);
}

/** 'uring (completion)' — what every example prints about the runtime it ran on. */
export function describe(rt) {
  return `${rt.driver.name} (${rt.driver.model})`;
}

/** The runtime RENTIO_DRIVER asks for, announced the way every practical example does. */
export async function runtimeFromEnv() {
  const rt = await createRuntime();
  const why = rt.fallbackReason ? ` — auto fell back: ${rt.fallbackReason}` : '';
  console.log(`driver: ${describe(rt)}${why}`);
  return rt;
}

/**
 * One runtime per driver in this process, for the comparative examples: `[{ name, rt }]`, with
 * `{ name, reason }` in place of `rt` for a driver that cannot work here (it is skipped, not
 * substituted: comparing epoll with epoll would show nothing).
 */
export async function openBoth() {
  const out = [];
  for (const name of ['uring', 'epoll']) {
    try {
      const rt = await createRuntime({ driver: name });
      console.log(`driver: ${describe(rt)}`);
      out.push({ name, rt });
    } catch (err) {
      if (err.code !== 'ERR_RENTIO_DRIVER_UNAVAILABLE') throw err;
      console.log(`driver: ${name} skipped — ${err.reason ?? err.message}`);
      out.push({ name, reason: err.reason ?? err.message });
    }
  }
  if (!out.some((d) => d.rt)) throw new Error('no driver works here');
  return out;
}

/** Close every runtime `openBoth()` made. */
export async function closeAll(drivers) {
  await Promise.all(drivers.filter((d) => d.rt).map((d) => d.rt.close()));
}

/**
 * Print `rows` (arrays of cells) under `headers` as a Markdown-style table, columns aligned,
 * numbers right-aligned: readable in a terminal and pasteable into a README. Empty cells print '—'.
 */
export function table(headers, rows) {
  const cells = [headers, ...rows].map((r) => r.map((c) => (c === undefined || c === null ? '—' : String(c))));
  const width = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const numeric = headers.map(
    (_, i) =>
      rows.length > 0 &&
      rows.every((r) => r[i] === null || r[i] === undefined || typeof r[i] === 'number' || /^-?[\d.,]+( \S+)?$/.test(String(r[i]))),
  );
  const line = (r) => '| ' + r.map((c, i) => (numeric[i] ? c.padStart(width[i]) : c.padEnd(width[i]))).join(' | ') + ' |';
  console.log(line(cells[0]));
  console.log('|-' + width.map((w) => '-'.repeat(w)).join('-|-') + '-|');
  for (const r of cells.slice(1)) console.log(line(r));
}

/** Milliseconds since `t0` (from `now()`), as a float. */
export function since(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** A high-resolution timestamp for `since()`. */
export function now() {
  return process.hrtime.bigint();
}

/** Format a number with thousands separators and `digits` decimals. */
export function fmt(n, digits = 0) {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Format bytes as KiB / MiB. */
export function bytes(n) {
  if (Math.abs(n) >= 1048576) return `${(n / 1048576).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(1)} KiB`;
}

/** Resolve after one turn of Node's event loop (a setImmediate). */
export function turn() {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Median of a list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)];
}

/** The p-th percentile (0..100) of a list of numbers. */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
