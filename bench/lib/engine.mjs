/**
 * Runs one scenario: every case, every contender interleaved within each repetition (the
 * order rotates each time, so no contender always goes first or last), a median and spread
 * per row, and ratios against the scenario's baseline from the same run, paired by repetition. A contender that
 * throws is marked failed for that case and not retried; one that is skipped says why.
 * @module
 */
import { medianOfKeys, pairedRatio, summarize } from './stats.mjs';
import { oneLine } from './env.mjs';

/** The rows of one case: contenders resolved for it (forCase), null rows dropped. */
export function rowsFor(scenario, kase, contenders) {
  return contenders
    .map((c) => {
      if (!c.forCase) return c;
      const r = c.forCase(kase);
      return r ? { ...c, ...r } : null;
    })
    .filter(Boolean);
}

/** How many runs the scenario will make (for the progress line). */
export function countSteps(ctx, scenario) {
  const contenders = scenario.contenders(ctx);
  return scenario.cases(ctx).reduce((n, k) => n + rowsFor(scenario, k, contenders).filter((c) => !c.skip).length * repsOf(ctx, scenario, k), 0);
}

/** Runs per row: the case's own count (cases that carry a target get more), else the scenario's, else the run's. */
function repsOf(ctx, scenario, kase) {
  return kase.reps ?? scenario.reps ?? ctx.cfg.reps;
}

/** Run a scenario; resolves its result record (what the JSON, the tables and the charts use). */
export async function runScenario(ctx, scenario) {
  const t0 = Date.now();
  await scenario.setup?.(ctx);
  try {
    return await runCases(ctx, scenario, t0);
  } finally {
    await scenario.teardown?.(ctx); // what setup made (a scenario's data file) goes, even on failure
  }
}

async function runCases(ctx, scenario, t0) {
  const contenders = scenario.contenders(ctx);
  const cases = [];
  for (const kase of scenario.cases(ctx)) {
    const reps = repsOf(ctx, scenario, kase);
    const rows = rowsFor(scenario, kase, contenders).map((c) => ({ def: c, runs: [], extras: [], error: null }));
    const live = () => rows.filter((r) => !r.def.skip && !r.error);
    for (let rep = 0; rep < reps; rep++) {
      const order = live();
      const rot = order.length ? rep % order.length : 0;
      for (const row of [...order.slice(rot), ...order.slice(0, rot)]) {
        ctx.progress.step(`${scenario.id} ${kase.label} · ${row.def.label} · run ${rep + 1}/${reps}`);
        try {
          const r = await row.def.run(kase);
          if (!Number.isFinite(r.value)) throw new Error(`no result (${r.value})`);
          row.runs.push(r.value);
          row.extras.push(r.extra ?? {});
        } catch (err) {
          row.error = oneLine(err.message);
          ctx.progress.note(`${scenario.id} ${kase.label} · ${row.def.label} failed: ${row.error}`);
          ctx.progress.skipSteps(reps - rep - 1);
        }
      }
    }
    cases.push(finishCase(scenario, kase, rows));
  }
  return {
    id: scenario.id,
    title: scenario.title,
    unit: scenario.unit,
    higher: scenario.higher,
    baseline: scenario.baseline,
    description: scenario.describe?.(ctx) ?? '',
    elapsedS: (Date.now() - t0) / 1000,
    cases,
  };
}

function finishCase(scenario, kase, rows) {
  const out = rows.map((r) => {
    const s = summarize(r.runs);
    const strings = Object.fromEntries(Object.entries(r.extras[0] ?? {}).filter(([, v]) => typeof v === 'string'));
    return {
      id: r.def.id,
      label: r.def.label,
      family: r.def.family,
      // partial: some runs succeeded before one failed; the median is of those
      status: r.def.skip ? 'skipped' : r.error ? (r.runs.length ? 'partial' : 'failed') : 'ok',
      reason: r.def.skip || r.error || undefined,
      runs: r.runs,
      ...s,
      extra: { ...medianOfKeys(r.extras), ...strings },
    };
  });
  const measured = (r) => r.status === 'ok' || r.status === 'partial';
  const base = out.find((r) => r.id === scenario.baseline && measured(r));
  for (const r of out) r.ratio = base && measured(r) ? pairedRatio(r.runs, base.runs) : NaN;
  return { id: kase.id, label: kase.label, reps: rows.reduce((n, r) => Math.max(n, r.runs.length), 0), rows: out };
}
