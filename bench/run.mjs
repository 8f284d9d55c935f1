#!/usr/bin/env node
/**
 * `npm run bench`: rentio side by side with Node, Bun, Deno, fio and C references.
 *
 *   node bench/run.mjs                 every scenario (~10 min on 2 cores); writes
 *                                      bench/results/<date>.json, bench/results/*.svg, bench/RESULTS.md
 *   node bench/run.mjs --quick         seconds-long smoke run (tiny sizes, one run per row);
 *                                      writes only bench/results/tmp/quick.json
 *   node bench/run.mjs --only echo     the named scenario(s), comma-separated; writes
 *                                      bench/results/tmp/<date>-only-<names>.json
 *   --reps N (default 3; 5 for the cases that carry a target)  --duration MS  --[no-]profile (missed targets under --cpu-prof; default: not in
 *   --quick)  --strict (exit 1 if a contender failed)  --[no-]build (`tsc -b` first; default:
 *   not in --quick)  --list  --render results/<date>.json (rewrite RESULTS.md and the charts from a
 *   full run's figures, measuring nothing)  --node system|<major>|<path> (the Node every Node contender runs on;
 *   default: the Node running the runner; a major is installed on first use by
 *   scripts/install-node.mjs)
 *
 * Every contender runs in its own child process; rows are interleaved and repeated; the table
 * gives the median, the spread and the ratio to the Node row measured in the same run.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { killAll } from './lib/child.mjs';
import { reexecUnder, resolveNode } from './lib/node-choice.mjs';
import { countSteps, runScenario } from './lib/engine.mjs';
import { BENCH, TMP, buildC, buildRentio, findTools, machineInfo, oneLine, probeRentio } from './lib/env.mjs';
import { clock } from './lib/format.mjs';
import { kernelFloor } from './lib/floor.mjs';
import { describeProfile, summarizeCpuProfile } from './lib/profile.mjs';
import { consoleTable, keptNotes, markdown } from './lib/report.mjs';
import { chart } from './lib/svg.mjs';
import { evaluateTargets } from './lib/targets.mjs';
import { echo } from './scenarios/echo.mjs';
import { fileRand, fileSeq } from './scenarios/file.mjs';
import { http } from './scenarios/http.mjs';
import { udpFlood, udpPingPong, unixEcho } from './scenarios/local.mjs';
import { memory } from './scenarios/memory.mjs';
import { syscalls } from './scenarios/syscalls.mjs';
import { scaling } from './scenarios/scaling.mjs';
import { sendZc } from './scenarios/send-zc.mjs';
import { staticFile } from './scenarios/static-file.mjs';

const SCENARIOS = [fileRand, fileSeq, echo, unixEcho, udpPingPong, udpFlood, http, memory, syscalls, scaling, sendZc, staticFile];

function parseCli(argv) {
  const o = {
    quick: false,
    only: null,
    reps: null,
    duration: null,
    profile: null,
    strict: false,
    list: false,
    build: null,
    node: null,
    render: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--only') o.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a.startsWith('--only=')) o.only = a.slice(7).split(',').filter(Boolean);
    else if (a === '--reps') o.reps = Number(argv[++i]);
    else if (a === '--duration') o.duration = Number(argv[++i]);
    else if (a === '--no-profile') o.profile = false;
    else if (a === '--profile') o.profile = true;
    else if (a === '--strict') o.strict = true;
    else if (a === '--no-build') o.build = false;
    else if (a === '--build') o.build = true;
    else if (a === '--list') o.list = true;
    else if (a === '--node') o.node = argv[++i] ?? '';
    else if (a === '--render') o.render = argv[++i] ?? '';
    else if (a === '--help' || a === '-h') {
      console.log(readme());
      process.exit(0);
    } else {
      console.error(`bench: unknown argument ${a}\n${readme()}`);
      process.exit(2);
    }
  }
  if (o.only) {
    const bad = o.only.filter((n) => !SCENARIOS.some((s) => s.id === n));
    if (bad.length) {
      console.error(`bench: no scenario ${bad.join(', ')} (have: ${SCENARIOS.map((s) => s.id).join(', ')})`);
      process.exit(2);
    }
  }
  if (o.reps !== null && !(Number.isInteger(o.reps) && o.reps >= 1 && o.reps <= 20)) {
    console.error('bench: --reps must be 1..20');
    process.exit(2);
  }
  if (o.duration !== null && !(o.duration >= 50 && o.duration <= 60000)) {
    console.error('bench: --duration must be 50..60000 ms');
    process.exit(2);
  }
  return o;
}

function readme() {
  return 'usage: node bench/run.mjs [--quick] [--only file-rand,file-seq,echo,unix-echo,udp-pingpong,udp-flood,http,memory,syscalls,scaling,send-zc,static-file] [--reps N] [--duration MS] [--[no-]profile] [--strict] [--[no-]build] [--node system|MAJOR|PATH] [--render RUN.json] [--list]';
}

/** Sizes and durations: full (the published table) and quick (a smoke test). */
function config(o) {
  const hardNofile = Number(execFileSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim()) || 1024;
  const cfg = o.quick
    ? {
        reps: 1,
        targetReps: 1,
        fileSize: 16 << 20,
        fileQDs: [64],
        warmupMs: 50,
        durationMs: 150,
        echoConns: [64],
        httpConns: 64,
        httpSeconds: 1,
        httpWarmupS: 0,
        idleConns: 200,
        idleBuf: 4096,
        idleSettleMs: 0,
        straceOps: [200, 2000],
        sendBytes: 32 << 20,
        sendWarmupBytes: 0,
        staticFileSize: 64 << 20,
      }
    : {
        reps: 3,
        targetReps: 5,
        fileSize: 256 << 20,
        fileQDs: [1, 64],
        warmupMs: 300,
        durationMs: 1200,
        echoConns: [1, 64, 256],
        httpConns: 64,
        httpSeconds: 2,
        httpWarmupS: 1,
        idleConns: 10000,
        idleBuf: 4096,
        // V8's memory reducer shrinks the young generation once allocation stops: after 5–10 s on
        // Node 20, 10–20 s on Node 22 (measured by hand at 10,000 connections).
        idleSettleMs: 25000,
        straceOps: [2000, 12000],
        sendBytes: 1 << 30,
        sendWarmupBytes: 64 << 20,
        staticFileSize: 1 << 30,
      };
  cfg.quick = o.quick;
  if (o.reps) cfg.reps = cfg.targetReps = o.reps;
  if (o.duration) cfg.durationMs = o.duration;
  // Server and client each need one fd per connection, plus their own.
  if (cfg.idleConns + 1024 > hardNofile) cfg.idleConns = Math.max(100, hardNofile - 1024);
  cfg.hardNofile = hardNofile;
  return cfg;
}

/** The progress line: rewritten in place on a terminal, one line per run otherwise. */
function progress(total) {
  const tty = process.stderr.isTTY;
  const t0 = Date.now();
  let done = 0;
  const clear = () => {
    if (tty) process.stderr.write('\r\x1b[K');
  };
  return {
    step(what) {
      done++;
      const el = (Date.now() - t0) / 1000;
      const left = done > 1 ? ` · ~${clock((el / (done - 1)) * (total - done + 1))} left` : '';
      const line = `[${String(done).padStart(String(total).length)}/${total} · ${clock(el)}${left}] ${what}`;
      if (tty) process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns || 120) - 1)}`);
      else process.stderr.write(line + '\n');
    },
    skipSteps(n) {
      total -= n;
    },
    note(msg) {
      clear();
      process.stderr.write(`  ! ${msg}\n`);
    },
    end() {
      clear();
    },
  };
}

/** Re-run each rentio row that missed a target once under --cpu-prof and say what it shows. */
async function profileMissed(ctx, results, targets) {
  const out = [];
  const done = new Set();
  for (const t of targets.filter((x) => x.status === 'missed')) {
    const key = `${t.scenario}/${t.case}/${t.subject}`;
    if (done.has(key)) continue;
    done.add(key);
    const sc = SCENARIOS.find((s) => s.id === t.scenario);
    const kase = sc.cases(ctx).find((k) => k.id === t.case);
    const def = sc.contenders(ctx).find((c) => c.id === t.subject);
    if (!def || def.skip || !/^(rentio|compat|raw)-/.test(def.id)) continue;
    const dir = mkdtempSync(path.join(TMP, 'prof-'));
    ctx.progress.note(`profiling ${t.scenario} ${kase.label} · ${def.label}`);
    try {
      const r = await def.run(kase, { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
      const main = readdirSync(dir)
        .filter((f) => f.split('.').at(-3) === '0')
        .map((f) => path.join(dir, f));
      const summary = summarizeCpuProfile(dir, main[0]);
      out.push({ scenario: t.scenario, case: t.case, subject: t.subject, value: r.value, summary, text: describeProfile(summary, r.extra) });
    } catch (err) {
      out.push({ scenario: t.scenario, case: t.case, subject: t.subject, text: `the profile run failed: ${oneLine(err.message)}` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

/**
 * Write RESULTS.md and the charts again from a full run's JSON, measuring nothing: for when what
 * the report derives from the figures (columns, the kernel floor) changed after the run.
 */
function render(jsonPath) {
  const run = JSON.parse(readFileSync(jsonPath, 'utf8'));
  for (const s of run.scenarios) writeFileSync(path.join(BENCH, 'results', `${s.id}.svg`), chart(s));
  const md = path.join(BENCH, 'RESULTS.md');
  writeFileSync(md, markdown(run, keptNotes(md)));
  console.log(`bench: wrote bench/RESULTS.md and ${run.scenarios.length} charts from ${jsonPath}`);
  return 0;
}

async function main() {
  const o = parseCli(process.argv.slice(2));
  if (o.list) {
    for (const s of SCENARIOS) console.log(`${s.id.padEnd(10)} ${s.title}`);
    return 0;
  }
  if (o.render) return render(o.render);
  // On the Node running this unless --node names another (see lib/node-choice.mjs).
  if (!process.env.RENTIO_BENCH_NODE && o.node !== null) {
    const { bin, why } = resolveNode(o.node);
    if (why) process.stderr.write(`bench: ${why}; measuring on Node ${process.versions.node}\n`);
    const code = await reexecUnder(bin, { RENTIO_BENCH_NODE: bin });
    if (code !== null) return code;
  }
  const t0 = Date.now();
  const cfg = config(o);
  const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const load = { start: loadavg() };
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  // Every loop below is bounded; this is the bound on the whole run. --quick takes 30–200 s on
  // an idle 2-core machine and 250 s beside a soak, so its bound leaves room for a loaded one; a
  // full run of twelve scenarios (idle memory alone waits 20 s per run) takes 45–50 minutes, and
  // up to a fifth more when this shared machine is in its slow regime.
  const capMinutes = o.quick ? 8 : 75;
  const cap = setTimeout(() => {
    console.error(`\nbench: gave up after ${capMinutes} minutes`);
    killAll();
    process.exit(3);
  }, capMinutes * 60000);
  cap.unref();
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.on(sig, () => {
      console.error(`\nbench: ${sig}, ending children`);
      killAll();
      process.exit(130);
    });

  mkdirSync(TMP, { recursive: true });
  const tools = findTools();
  const machine = machineInfo(tools);
  process.stderr.write(
    `bench: Linux ${machine.kernel}, ${machine.cores} cores, Node ${machine.node}, liburing ${machine.liburing ?? '–'}, Bun ${machine.bun ?? '–'}, Deno ${machine.deno ?? '–'}${o.quick ? ' (quick)' : ''}\n`,
  );
  // --quick runs inside `npm test`, whose pretest has just built: building again could race it.
  if (o.build ?? !o.quick) {
    const failed = await buildRentio();
    if (failed) process.stderr.write(`bench: ${failed}; measuring whatever dist/ holds\n`);
  }
  const [built, rentio] = await Promise.all([buildC(tools.gcc), probeRentio()]);
  for (const [k, v] of Object.entries(rentio))
    if (v) process.stderr.write(`bench: ${k === 'compat' ? '@rentio/compat' : `rentio ${k}`} skipped: ${v}\n`);
  for (const [k, v] of Object.entries(built)) if (typeof v !== 'string') process.stderr.write(`bench: ${k} not built: ${v.error}\n`);

  const ctx = { quick: o.quick, cfg, tools, built, rentio };
  const chosen = SCENARIOS.filter((s) => !o.only || o.only.includes(s.id));
  ctx.progress = progress(chosen.reduce((n, s) => n + countSteps(ctx, s), 0));

  const results = [];
  for (const s of chosen) {
    try {
      results.push(await runScenario(ctx, s));
    } catch (err) {
      ctx.progress.note(`${s.id} could not run: ${oneLine(err.message)}`);
    }
  }
  const targets = evaluateTargets(results);
  const profiles = (o.profile ?? !o.quick) ? await profileMissed(ctx, results, targets) : [];
  ctx.progress.end();

  const date = new Date().toISOString();
  const day = date.slice(0, 10);
  const full = !o.quick && !o.only;
  const jsonName = o.quick ? 'quick.json' : o.only ? `${day}-only-${o.only.join('+')}.json` : `${day}.json`;
  load.end = loadavg();
  const run = {
    date,
    command,
    load,
    elapsedS: (Date.now() - t0) / 1000,
    machine,
    config: cfg,
    rentio,
    built,
    scenarios: results,
    targets,
    profiles,
    jsonName,
  };
  const jsonPath = full ? path.join(BENCH, 'results', jsonName) : path.join(TMP, jsonName);
  writeFileSync(jsonPath, JSON.stringify(run, null, 2) + '\n');
  if (full) {
    for (const s of results) writeFileSync(path.join(BENCH, 'results', `${s.id}.svg`), chart(s));
    const md = path.join(BENCH, 'RESULTS.md');
    writeFileSync(md, markdown(run, keptNotes(md)));
  }

  console.log(consoleTable(results, targets));
  for (const p of profiles) console.log(`\nprofile ${p.scenario} ${p.case} ${p.subject}: ${p.text}`);
  for (const t of targets.filter((x) => x.status === 'missed')) {
    const floor = kernelFloor(results, t);
    if (floor) console.log(`\nfloor of "${t.text}": ${floor}`);
  }
  const rows = results.flatMap((s) => s.cases.flatMap((c) => c.rows));
  const count = (st) => rows.filter((r) => r.status === st).length;
  const tcount = (st) => targets.filter((t) => t.status === st).length;
  const wrote = full
    ? `wrote ${path.relative(process.cwd(), jsonPath)}, bench/RESULTS.md and ${results.length} charts`
    : `wrote ${path.relative(process.cwd(), jsonPath)}`;
  console.log(
    `\nbench${o.quick ? ' --quick' : ''}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s — ${results.length} scenarios, ${count('ok') + count('partial')} rows measured, ${count('skipped')} skipped, ${count('failed')} failed; targets ${tcount('met')} met, ${tcount('missed')} missed, ${tcount('n/a')} n/a; ${wrote}`,
  );
  return o.strict && count('failed') + count('partial') > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`bench: ${err.stack ?? err}`);
    killAll();
    process.exit(1);
  },
);
