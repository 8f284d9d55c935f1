/**
 * The kernel floor of an echo target: what the same run's C servers — the same syscalls with
 * (almost) no user-space code — reached, and how much user CPU per message the target leaves a
 * server once the kernel's share is paid. Written beside the profile of each missed echo target
 * (report.mjs, and the console at the end of a run),
 * so a miss says whether any server could have met it on this machine.
 *
 * The model: where a closed loop's server runs near one full core, its throughput is about
 * 1 / (CPU per message) (where the reference used less, e.g. one connection, the round trip set the
 * pace and only the C servers' ratio is given). A target of `min`× a reference that spent `ref` µs per message
 * then asks for at most `ref / min` µs per message; the C liburing server's CPU per message is all
 * kernel (recv + send, and on loopback TCP the peer's receive path run inside each send), the
 * least any server pays for the same two operations. Scaling targets (N servers sharing the cores
 * with the client) get the C ratio (echo) and each server's one-worker row against its N-worker
 * row, with no budget; HTTP targets get node:http's own floor (httpFloor below).
 * @module
 */

/** The C reference rows per scenario: one server, or N processes sharing a port (scaling). */
const C_ROWS = { echo: ['c-uring', 'c-epoll'], 'unix-echo': ['c-uring', 'c-epoll'], scaling: ['c-uring-n', 'c-epoll-n'] };
/** A reference busier than this share of a core is taken to be CPU-bound (the budget model holds). */
const BOUND = 0.8;
const us = (x) => `${x.toFixed(2)} µs`;

/** The rows of one case of a scenario's results, by id. */
function rowsOf(results, scenario, caseId) {
  const sc = results.find((s) => s.id === scenario);
  const kase = sc?.cases.find((c) => c.id === caseId);
  return new Map((kase?.rows ?? []).filter((r) => r.status === 'ok' || r.status === 'partial').map((r) => [r.id, r]));
}

/**
 * One paragraph for a missed echo, unix-echo, scaling (echo) or HTTP target, or '' when the run lacks the rows to say
 * anything (no C reference, no CPU figures).
 * @param {object[]} results the run's scenario results
 * @param {{ scenario: string, case: string, subject: string, ref: string, min?: number, key?: string }} t a target
 */
export function kernelFloor(results, t) {
  if (t.scenario === 'http') return httpFloor(results, t);
  if (t.scenario === 'scaling') return [cFloor(results, t), oneVersusN(results, t)].filter(Boolean).join(' ');
  if (!C_ROWS[t.scenario]) return '';
  return cFloor(results, t);
}

/**
 * Scaling: each server's one-worker row beside its N-worker row, paired by id (`<server>-1` with
 * `<server>-n`, as scenarios/scaling.mjs names them). N workers and the load client share the
 * cores, so N can serve fewer ops/s than one; this says for whom, in the same run.
 */
function oneVersusN(results, t) {
  const rows = rowsOf(results, t.scenario, t.case);
  const pairs = [...rows.values()].flatMap((n) => {
    const one = n.id.endsWith('-n') ? rows.get(n.id.replace(/-n$/, '-1')) : undefined;
    return one ? [[one, n]] : [];
  });
  if (pairs.length === 0) return '';
  const k = (x) => `${(x / 1000).toFixed(1)} k`;
  const each = pairs.map(([one, n]) => `${one.label.replace(/ ×1$/, '')} ${k(one.median)} → ${k(n.median)} (${(n.median / one.median).toFixed(2)}×)`);
  return `From one worker to N, ops/s: ${each.join(', ')}.`;
}

/** The C servers' ratio and CPU per message beside the subject's (echo, unix-echo, scaling echo). */
function cFloor(results, t) {
  const rows = rowsOf(results, t.scenario, t.case);
  const subject = rows.get(t.subject);
  const ref = rows.get(t.ref);
  const cs = C_ROWS[t.scenario].map((id) => rows.get(id)).filter(Boolean);
  if (!subject || !ref || cs.length === 0) return '';
  // Against a C reference itself, the other C server says how far "no user code" gets.
  const others = cs.filter((r) => r !== ref);
  const best = (others.length ? others : cs).reduce((a, b) => (b.median > a.median ? b : a));
  // Against the scenario's baseline the row's own paired ratio (the table's); else the medians'.
  const rel = ref.ratio === 1 && Number.isFinite(best.ratio) ? best.ratio : best.median / ref.median;
  const parts = [
    `${others.length < cs.length ? 'The other' : 'The fastest'} C server of this run (${best.label}) reached ${rel.toFixed(2)}× ${ref.label}`,
  ];
  const cpu = (r) => r.extra?.cpu_us_per_op;
  const user = (r) => r.extra?.user_us_per_op ?? (Number.isFinite(r.extra?.sys_share) ? cpu(r) * (1 - r.extra.sys_share) : NaN);
  // CPU seconds per second: near 1 (or above, with V8's helper threads) when the server is the bound.
  const busy = (r) => (r.median * cpu(r)) / 1e6;
  const floor = Math.min(...cs.map(cpu).filter(Number.isFinite));
  if (Number.isFinite(cpu(subject)) && Number.isFinite(floor)) {
    const split = Number.isFinite(user(subject)) ? ` (${us(cpu(subject) - user(subject))} kernel, ${us(user(subject))} user)` : '';
    parts.push(`server CPU per message: ${subject.label} ${us(cpu(subject))}${split}, C ${us(floor)} (the kernel's share of the same recv + send)`);
    if (t.scenario === 'scaling') {
      // N servers and the load client share the cores: throughput is not 1 / CPU per message, so
      // no budget follows from it; the C ratio above is the ceiling the run shows.
    } else if (Number.isFinite(cpu(ref)) && busy(ref) < BOUND) {
      parts.push(`${ref.label} used ${(busy(ref) * 100).toFixed(0)}% of a core: the round trip, not server CPU, set the pace`);
    } else if (t.min && t.key === undefined && Number.isFinite(cpu(ref))) {
      const budget = cpu(ref) / t.min;
      parts.push(
        `${t.min}× ${ref.label} (${us(cpu(ref))} per message) asks for at most ${us(budget)} per message, ${budget > floor * 1.02 ? `which leaves ${us(budget - floor)} of user code above the C floor` : `at or below the C floor itself: no room for any user-space code`}`,
      );
    }
  }
  return `${parts.join('; ')}.`;
}

/**
 * The floor of an HTTP target (node:http over compat vs plain node:http): node:http's own CPU per
 * request with no kernel under it (the in-memory row) plus what the raw rentio responder of the
 * same driver spends per request (the kernel's recv + send and a minimal transport, no node:http)
 * is about the least node:http over any rentio socket layer can spend; where the server is the
 * bound, that caps the ratio at about plain's CPU per request over that sum.
 */
function httpFloor(results, t) {
  const rows = rowsOf(results, t.scenario, t.case);
  const subject = rows.get(t.subject);
  const ref = rows.get(t.ref);
  const inmem = rows.get('node-inmem');
  const raw = rows.get(t.subject.replace(/^compat-/, 'raw-'));
  const cpu = (r) => r?.extra?.cpu_us_per_op;
  if (![subject, ref, inmem, raw].every((r) => Number.isFinite(cpu(r)))) return '';
  const least = cpu(inmem) + cpu(raw);
  const cap = cpu(ref) / least;
  const parts = [
    `server CPU per request: ${subject.label} ${us(cpu(subject))}, ${ref.label} ${us(cpu(ref))}`,
    `node:http's own ${us(cpu(inmem))} (in-memory sockets) plus the ${raw.label}'s ${us(cpu(raw))} (kernel and a minimal transport) make ${us(least)}, so node:http over any rentio socket layer can reach about ${cap.toFixed(2)}× ${ref.label} where the server is the bound`,
  ];
  if (t.min) {
    const budget = cpu(ref) / t.min;
    parts.push(
      budget > least
        ? `${t.min}× asks for at most ${us(budget)} per request, which leaves ${us(budget - least)} for compat's own code (it spends ${us(cpu(subject) - least)} above that floor)`
        : `${t.min}× asks for at most ${us(budget)} per request: below that floor, with no room for any socket layer`,
    );
  }
  return `${parts.join('; ')}.`;
}
