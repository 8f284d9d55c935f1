/**
 * The three views of one run: the console table, bench/RESULTS.md and the JSON record. All
 * ratios are against the scenario's baseline (Node) measured in the same run.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { kernelFloor } from './floor.mjs';
import { cell, formatValue, micros, pct, ratio } from './format.mjs';

// (-0.0001).toFixed(3) is '-0.000': counters differenced across two runs can dip just below 0
const num =
  (d = 2) =>
  (x) =>
    Number.isFinite(x) ? (Math.abs(x) < 0.5 * 10 ** -d ? 0 : x).toFixed(d) : '–';
const share = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(0)}%` : '–');
const us = (x) => (Number.isFinite(x) ? micros(x) : '–');

/** Extra columns per scenario: { key, head, fmt }. */
const COLUMNS = {
  'file-rand': [
    { key: 'cpu_us_per_op', head: 'CPU/op', fmt: us },
    { key: 'sys_share', head: 'kernel', fmt: share },
    { key: 'syscalls_per_op', head: 'syscalls/op', fmt: num(2) },
  ],
  'file-seq': [
    { key: 'cpu_us_per_op', head: 'CPU/op', fmt: us },
    { key: 'sys_share', head: 'kernel', fmt: share },
    { key: 'syscalls_per_op', head: 'syscalls/op', fmt: num(2) },
  ],
  echo: [
    { key: 'p50_us', head: 'p50', fmt: us },
    { key: 'p99_us', head: 'p99', fmt: us },
    { key: 'cpu_us_per_op', head: 'srv CPU/msg', fmt: us },
    { key: 'user_us_per_op', head: 'of it user', fmt: us },
    { key: 'syscalls_per_op', head: 'syscalls/msg', fmt: num(2) },
  ],
  'unix-echo': [
    { key: 'p50_us', head: 'p50', fmt: us },
    { key: 'cpu_us_per_op', head: 'srv CPU/msg', fmt: us },
    { key: 'user_us_per_op', head: 'of it user', fmt: us },
  ],
  http: [
    { key: 'p50_us', head: 'p50', fmt: us },
    { key: 'p99_us', head: 'p99', fmt: us },
    { key: 'cpu_us_per_op', head: 'srv CPU/req', fmt: us },
  ],
  // The load generator shares the machine's cores, so CPU per op (every server process and thread)
  // is the figure that does not depend on how the client's share falls.
  scaling: [
    { key: 'p50_us', head: 'p50', fmt: us },
    { key: 'cpu_us_per_op', head: 'srv CPU/op', fmt: us },
    { key: 'sys_share', head: 'kernel', fmt: share },
    { key: 'server_processes', head: 'processes', fmt: num(0) },
    { key: 'syscalls_per_op', head: 'syscalls/op', fmt: num(2) },
    { key: 'parks_per_op', head: 'parks/op', fmt: num(2) },
  ],
  memory: [
    { key: 'at_accept_b_per_conn', head: 'at accept', fmt: (x) => (Number.isFinite(x) ? `${(x / 1024).toFixed(1)} KiB` : '–') },
    { key: 'rss_before_mib', head: 'RSS before', fmt: (x) => (Number.isFinite(x) ? `${x.toFixed(0)} MiB` : '–') },
    { key: 'rss_after_mib', head: 'RSS after', fmt: (x) => (Number.isFinite(x) ? `${x.toFixed(0)} MiB` : '–') },
  ],
  'send-zc': [
    { key: 'cpu_s_per_gib', head: 'CPU/GiB', fmt: (x) => (Number.isFinite(x) ? `${x.toFixed(2)} s` : '–') },
    { key: 'sys_share', head: 'kernel', fmt: share },
    { key: 'zc_sends', head: 'zcSends', fmt: num(0) },
    { key: 'zc_copied', head: 'zcCopied', fmt: num(0) },
  ],
  'static-file': [
    { key: 'cpu_s_per_gib', head: 'srv CPU/GiB', fmt: (x) => (Number.isFinite(x) ? `${x.toFixed(2)} s` : '–') },
    { key: 'sys_share', head: 'kernel', fmt: share },
  ],
  syscalls: [
    { key: 'syscalls_per_op', head: 'rt.stats syscalls/op', fmt: num(3) },
    { key: 'parks_per_op', head: 'parks/op', fmt: num(3) },
    { key: 'wakeups_per_op', head: 'wakeups/op', fmt: num(3) },
    { key: 'sqes_per_submit', head: 'SQEs/submit', fmt: num(1) },
    { key: 'top', head: 'top syscalls per op', fmt: (x) => x ?? '' },
  ],
};

const measured = (r) => r.status === 'ok' || r.status === 'partial';
const statusText = (r) => (r.status === 'skipped' ? `skipped: ${r.reason}` : r.status === 'failed' ? `FAILED: ${r.reason}` : '');

/** The console table: one block per scenario, one line per contender. */
export function consoleTable(results, targets) {
  const lines = [];
  for (const s of results) {
    lines.push('', `${s.title}  (${s.unit}, ${s.higher ? 'higher' : 'lower'} is better; ratio vs ${baseLabel(s)}, paired by repetition)`);
    const cols = (COLUMNS[s.id] ?? []).filter((c) => c.key !== 'top');
    const w = (c) => Math.max(12, c.head.length);
    lines.push(
      `  ${cell('case', 22)} ${cell('contender', 30)} ${cell('median', 14, true)} ${cell('spread', 7, true)} ${cell('ratio', 7, true)}  ${cols.map((c) => cell(c.head, w(c), true)).join(' ')}`,
    );
    for (const c of s.cases) {
      for (const r of c.rows) {
        const head = `  ${cell(c.label, 22)} ${cell(r.label, 30)}`;
        if (!measured(r)) {
          lines.push(`${head} ${statusText(r)}`);
          continue;
        }
        const tail = r.status === 'partial' ? `  (partial: ${r.reason})` : '';
        lines.push(
          `${head} ${cell(formatValue(r.median, s.unit), 14, true)} ${cell(pct(r.spread, r.n), 7, true)} ${cell(ratio(r.ratio), 7, true)}  ${cols.map((col) => cell(col.fmt(r.extra[col.key]), w(col), true)).join(' ')}${tail}`,
        );
      }
    }
  }
  if (targets.length) {
    lines.push('', 'Targets (reported, not asserted)');
    for (const t of targets) lines.push(`  ${cell(targetMark(t), 7)} ${cell(t.text, 58)} ${targetDetail(t)}`);
  }
  return lines.join('\n');
}

function baseLabel(s) {
  for (const c of s.cases) {
    const b = c.rows.find((r) => r.id === s.baseline);
    if (b) return b.label;
  }
  return s.baseline;
}

const targetMark = (t) => (t.status === 'met' ? 'met' : t.status === 'missed' ? 'MISSED' : 'n/a');
function targetDetail(t) {
  if (t.status === 'n/a') return t.why;
  const gap = t.gap >= 0 ? `${(t.gap * 100).toFixed(0)}% to spare` : `${(-t.gap * 100).toFixed(0)}% short of target`;
  return `${t.shown} vs ${t.want} — ${gap}`;
}

const NOTES_BEGIN = '<!-- notes: kept across runs -->';
const NOTES_END = '<!-- /notes -->';

/** Hand-written notes already in RESULTS.md (kept when it is regenerated). */
export function keptNotes(file) {
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'utf8');
  const a = text.indexOf(NOTES_BEGIN);
  const b = text.indexOf(NOTES_END);
  return a >= 0 && b > a ? text.slice(a + NOTES_BEGIN.length, b).trim() : null;
}

const esc = (s) => String(s ?? '').replace(/\|/g, '\\|');

/** bench/RESULTS.md for a full run. */
export function markdown(run, notes) {
  const m = run.machine;
  const out = [];
  out.push('# rentio benchmarks', '');
  out.push(
    `Generated by \`${run.command}\` on ${run.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} (${run.elapsedS.toFixed(0)} s; ${run.config.reps} run${run.config.reps > 1 ? 's' : ''} per row${run.config.targetReps !== run.config.reps ? ` (${run.config.targetReps} in the cases that carry a target)` : ''}, rows interleaved; median and ±half the min–max spread; load average ${run.load?.start ?? '?'} at the start, ${run.load?.end ?? '?'} at the end). Raw figures: [\`results/${run.jsonName}\`](results/${run.jsonName}).`,
    '',
  );
  out.push(
    `**Machine**: Linux ${m.kernel}, ${m.cores} cores (${m.cpu}), ${m.memGiB} GiB; Node ${m.node}; liburing ${m.liburing ?? 'not found'}; Bun ${m.bun ?? 'missing'}; Deno ${m.deno ?? 'missing'}; ${m.fio ?? 'fio missing'}; ${m.wrk ?? 'wrk missing'}; ${m.gcc ?? 'gcc missing'}; rentio at ${m.commit ?? '?'}${m.uncommitted?.length ? ` plus uncommitted changes in ${m.uncommitted.map((p) => `packages/${p}`).join(', ')}` : ''} (built by the runner with \`tsc -b\`).`,
    '',
  );
  out.push(
    'The machine is shared (2 cores, other work running), and load generator and server share those cores: compare ratios within one run, not absolute figures across runs. Every ratio is against the Node row of the same case, paired by repetition: the median over repetitions of (row ÷ Node row of the same repetition), so load that drifts during the run cancels out; the spread is that of the row’s own runs. CPU per op (where shown) moves less with the machine’s load than throughput does.',
    '',
  );

  out.push('## Targets', '', 'Reported, never asserted.', '', '| target | measured | status | how far |', '|---|---|---|---|');
  for (const t of run.targets) {
    out.push(
      `| ${esc(t.text)} | ${t.status === 'n/a' ? '–' : t.shown} | ${t.status === 'met' ? 'met' : t.status === 'missed' ? '**missed**' : 'n/a'} | ${esc(t.status === 'n/a' ? t.why : targetDetail(t).split(' — ')[1])} |`,
    );
  }
  out.push('');

  for (const s of run.scenarios) {
    const cols = COLUMNS[s.id] ?? [];
    out.push(`## ${s.title}`, '', `${s.description}. Unit: ${s.unit}, ${s.higher ? 'higher' : 'lower'} is better.`, '');
    out.push(`![${s.title}](results/${s.id}.svg)`, '');
    out.push(`| case | contender | median | spread | vs ${esc(baseLabel(s))} |${cols.map((c) => ` ${c.head} |`).join('')}`);
    out.push(`|---|---|--:|--:|--:|${cols.map(() => '--:|').join('')}`);
    for (const c of s.cases) {
      for (const r of c.rows) {
        if (!measured(r)) {
          out.push(`| ${c.label} | ${esc(r.label)} | ${r.status} | | |${cols.map((col, i) => ` ${i === 0 ? esc(r.reason) : ''} |`).join('')}`);
          continue;
        }
        const label = r.status === 'partial' ? `${r.label} (partial: ${r.reason})` : r.label;
        out.push(
          `| ${c.label} | ${esc(label)} | ${formatValue(r.median, s.unit)} | ${pct(r.spread, r.n)} | ${ratio(r.ratio)} |${cols.map((col) => ` ${esc(col.fmt(r.extra[col.key]))} |`).join('')}`,
        );
      }
    }
    out.push('');
  }

  const missed = run.targets.filter((t) => t.status === 'missed');
  if (missed.length) {
    out.push('## Missed targets: what the profile shows', '');
    out.push(
      "For the echo targets, the line ends with the kernel floor (`bench/lib/floor.mjs`): what the run's C servers — the same recv and send with almost no user code — reached, and the user CPU per message the target leaves above their CPU per message.",
      '',
    );
    out.push(
      "Each row below was re-run once under `node --cpu-prof`, with its user/kernel CPU split from /proc. The profile samples the JS thread only: a function that calls through koffi is charged with the FFI call and the syscall it makes (so a driver's syscall wrapper looks hot when the kernel is), and `structuredClone` / `transfer` are the buffer detach of every rented op (Node 20 has no `ArrayBuffer.prototype.transfer`).",
      '',
    );
    for (const t of missed) {
      const p = run.profiles.find((x) => x.scenario === t.scenario && x.case === t.case && x.subject === t.subject);
      const floor = kernelFloor(run.scenarios, t);
      out.push(
        `- **${esc(t.text)}** — measured ${t.shown}. ${p ? p.text : 'not profiled (not a rentio row, or the profile run failed).'}${floor ? ` ${floor}` : ''}`,
      );
    }
    out.push('');
  }

  const absent = run.scenarios.flatMap((s) => s.cases.flatMap((c) => c.rows.filter((r) => !measured(r)).map((r) => ({ s, c, r }))));
  if (absent.length) {
    out.push('## Skipped and failed contenders', '');
    const seen = new Set();
    for (const { s, c, r } of absent) {
      const key = `${s.id}/${r.id}/${r.reason}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(`- ${s.id} · ${r.label} (${c.label}${s.cases.length > 1 ? ' and others with the same reason' : ''}): ${r.status} — ${esc(r.reason)}`);
    }
    out.push('');
  }

  out.push(
    '## Notes',
    '',
    NOTES_BEGIN,
    notes ?? '_Hand-written analysis goes here; the runner keeps this block when it regenerates the file._',
    NOTES_END,
    '',
  );
  out.push(
    '## How to run',
    '',
    '```sh',
    'npm run bench                          # every scenario, ~50 minutes on 2 cores',
    'npm run bench -- --only echo           # some scenarios (node bench/run.mjs --list names them)',
    'npm run bench -- --quick               # seconds-long smoke run, writes nothing here',
    '```',
    '',
  );
  return out.join('\n');
}
