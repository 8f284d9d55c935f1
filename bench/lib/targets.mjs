import { formatValue, ratio } from './format.mjs';
import { median, pairedRatio } from './stats.mjs';

/**
 * The targets the issues set (5, 10–14), reported and never asserted: each compares a subject
 * row with a reference row of the same case, measured in the same run.
 * @module
 */

/**
 * { scenario, case, subject, text } and one bound: `ref` with `min` (subject ÷ ref, paired by
 * repetition, at least `min`), `ref` with `max` (at most `max`: for figures where lower is
 * better), or `maxValue` (the subject's median at most this, in the scenario's unit). With
 * `key`, the ratio is of the rows' medians of that extra (e.g. `p50_us`), not of the main figure.
 */
export const TARGETS = [
  {
    scenario: 'file-rand',
    case: 'qd64',
    subject: 'rentio-uring',
    ref: 'node-uring',
    min: 1.2,
    text: 'file QD 64: rentio uring ≥ 1.2× Node with io_uring',
  },
  { scenario: 'file-rand', case: 'qd64', subject: 'rentio-uring', ref: 'node', min: 3, text: 'file QD 64: rentio uring ≥ 3× default Node' },
  { scenario: 'file-rand', case: 'qd64', subject: 'rentio-uring', ref: 'bun', min: 1.3, text: 'file QD 64: rentio uring ≥ 1.3× Bun' },
  { scenario: 'file-rand', case: 'qd64', subject: 'rentio-uring', ref: 'deno', min: 1.0, text: 'file QD 64: rentio uring ahead of Deno' },
  { scenario: 'echo', case: 'c64', subject: 'rentio-uring', ref: 'node', min: 1.2, text: 'echo 64 conns: rentio uring ≥ 1.2× node:net' },
  { scenario: 'echo', case: 'c64', subject: 'rentio-epoll', ref: 'node', min: 1.0, text: 'echo 64 conns: rentio epoll ≥ 1.0× node:net' },
  { scenario: 'echo', case: 'c64', subject: 'rentio-uring', ref: 'deno', min: 1.0, text: 'echo 64 conns: rentio uring ahead of Deno' },
  { scenario: 'unix-echo', case: 'c64', subject: 'rentio-uring', ref: 'node', min: 2.0, text: 'Unix echo 64 conns: rentio uring ≥ 2.0× node:net' },
  { scenario: 'unix-echo', case: 'c64', subject: 'rentio-epoll', ref: 'node', min: 1.1, text: 'Unix echo 64 conns: rentio epoll ≥ 1.1× node:net' },
  { scenario: 'udp-flood', case: 'b64', subject: 'rentio-uring', ref: 'node', min: 1.5, text: 'UDP flood: rentio uring ≥ 1.5× node:dgram (pps)' },
  { scenario: 'udp-flood', case: 'b64', subject: 'rentio-uring', ref: 'bun', min: 1.0, text: 'UDP flood: rentio uring ahead of Bun (pps)' },
  { scenario: 'http', case: 'c64', subject: 'compat-uring', ref: 'node', min: 1.5, text: 'HTTP: node:http over compat uring ≥ 1.5× plain' },
  // Raw rentio's idle figure is its readWith(pool, callback) row: the read form the README gives
  // servers that hold many idle connections, and the one that compares like for like with
  // node:net and Bun (callbacks, no suspended async frame per connection). read(pool)'s row —
  // the same op plus a promise and the caller's await — is reported beside it, as is its
  // distance from 1.0 KiB, in RESULTS.md.
  ...['uring', 'epoll'].map((d) => ({
    scenario: 'memory',
    case: 'c10000',
    subject: `rentio-${d}-pool-cb`,
    maxValue: 1024,
    unit: 'B/conn',
    text: `idle memory, 10k conns: rentio ${d} (pooled readWith) ≤ 1.0 KiB per connection`,
  })),
  ...['uring', 'epoll'].map((d) => ({
    scenario: 'memory',
    case: 'c10000',
    subject: `compat-${d}`,
    ref: 'node',
    max: 1.0,
    text: `idle memory, 10k conns: compat ${d} ≤ node:net`,
  })),
  { scenario: 'http', case: 'c64', subject: 'compat-epoll', ref: 'node', min: 1.0, text: 'HTTP: node:http over compat epoll ≥ 1.0× plain' },
  // Issue 14: the latency path, one op in flight.
  { scenario: 'file-rand', case: 'qd1', subject: 'rentio-uring', ref: 'node-uring', min: 1.0, text: 'file QD 1: rentio uring ≥ 1.0× Node io_uring' },
  { scenario: 'file-rand', case: 'qd1', subject: 'rentio-epoll', ref: 'node', min: 1.0, text: 'file QD 1: rentio epoll ≥ 1.0× default Node' },
  { scenario: 'echo', case: 'c1', subject: 'rentio-uring', ref: 'node', min: 1.15, text: 'echo 1 conn: rentio uring ≥ 1.15× node:net' },
  { scenario: 'echo', case: 'c1', subject: 'rentio-uring', ref: 'node', key: 'p50_us', max: 1.0, text: 'echo 1 conn: uring p50 below node:net' },
  { scenario: 'echo', case: 'c1', subject: 'rentio-epoll', ref: 'node', min: 1.0, text: 'echo 1 conn: rentio epoll ≥ 1.0× node:net' },
  { scenario: 'echo', case: 'c64', subject: 'rentio-uring', ref: 'bun', min: 1.2, text: 'echo 64 conns: rentio uring ≥ 1.2× Bun (paired median)' },
  { scenario: 'echo', case: 'c256', subject: 'rentio-epoll', ref: 'node', min: 1.1, text: 'echo 256 conns: rentio epoll ≥ 1.1× node:net' },
  { scenario: 'echo', case: 'c256', subject: 'rentio-uring', ref: 'c-uring', min: 1.0, text: 'echo 256 conns: rentio uring ≥ 1.0× C liburing' },
  {
    scenario: 'scaling',
    case: 'echo-c64',
    subject: 'rentio-uring-n',
    ref: 'bun-n',
    min: 1.0,
    text: 'echo 64 conns on N cores: rentio uring ≥ 1.0× Bun',
  },
  {
    scenario: 'scaling',
    case: 'echo-c64',
    subject: 'rentio-uring-n',
    ref: 'cluster-n',
    min: 1.5,
    text: 'echo 64 conns on N cores: rentio uring ≥ 1.5× node:cluster',
  },
  {
    scenario: 'scaling',
    case: 'echo-c256',
    subject: 'rentio-uring-n',
    ref: 'bun-n',
    min: 1.0,
    text: 'echo 256 conns on N cores: rentio uring ≥ 1.0× Bun',
  },
  {
    scenario: 'scaling',
    case: 'echo-c256',
    subject: 'rentio-uring-n',
    ref: 'cluster-n',
    min: 1.5,
    text: 'echo 256 conns on N cores: rentio uring ≥ 1.5× node:cluster',
  },
  {
    scenario: 'scaling',
    case: 'http-c64',
    subject: 'rentio-uring-n',
    ref: 'bun-n',
    min: 1.0,
    text: 'HTTP on N cores: rentio uring (compat) ≥ 1.0× Bun',
  },
  {
    scenario: 'scaling',
    case: 'http-c64',
    subject: 'rentio-uring-n',
    ref: 'cluster-n',
    min: 1.5,
    text: 'HTTP on N cores: rentio uring (compat) ≥ 1.5× node:cluster',
  },
];

/**
 * Evaluate every target against the scenario results. status: 'met' | 'missed' | 'n/a'
 * (a row is missing, skipped or failed, or the scenario did not run); `gap` is
 * measured / target - 1 (negative when missed).
 */
export function evaluateTargets(results) {
  return TARGETS.filter((t) => results.some((s) => s.id === t.scenario)).map((t) => {
    const sc = results.find((s) => s.id === t.scenario);
    const kase = sc?.cases.find((c) => c.id === t.case);
    const row = (id) => kase?.rows.find((r) => r.id === id && (r.status === 'ok' || r.status === 'partial'));
    const subj = row(t.subject);
    const ref = t.ref === undefined ? true : row(t.ref);
    if (!sc || !kase) return { ...t, status: 'n/a', why: 'scenario not run' };
    if (!subj || !ref) {
      const missing = !subj ? t.subject : t.ref;
      const r = kase.rows.find((x) => x.id === missing);
      return { ...t, status: 'n/a', why: `${r?.label ?? missing} ${r ? r.status : 'not run'}${r?.reason ? `: ${r.reason}` : ''}` };
    }
    if (t.maxValue !== undefined) {
      const measured = median(subj.runs);
      const met = measured <= t.maxValue;
      return {
        ...t,
        measured,
        shown: formatValue(measured, t.unit),
        want: `≤ ${formatValue(t.maxValue, t.unit)}`,
        status: met ? 'met' : 'missed',
        gap: t.maxValue / measured - 1,
      };
    }
    const measured = t.key ? subj.extra[t.key] / ref.extra[t.key] : pairedRatio(subj.runs, ref.runs);
    if (t.max !== undefined)
      return {
        ...t,
        measured,
        shown: ratio(measured),
        want: `≤ ${ratio(t.max)}`,
        status: measured <= t.max ? 'met' : 'missed',
        gap: t.max / measured - 1,
      };
    return { ...t, measured, shown: ratio(measured), want: ratio(t.min), status: measured >= t.min ? 'met' : 'missed', gap: measured / t.min - 1 };
  });
}
