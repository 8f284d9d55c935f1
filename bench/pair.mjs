/**
 * Paired A/B runs for the latency path: the same case for a few contenders, back to back in one
 * invocation, rotated each repetition; prints each contender's median, spread (±half min–max),
 * CPU per op, and its ratio to the first contender paired by repetition. For before/after
 * comparisons of a change on a loaded machine (`npm run bench` compares runtimes, not builds).
 *
 *   node bench/pair.mjs --case file --reps 5 new=rentio:uring base=rentio:uring@/path/to/old/checkout node=fs+UV_USE_IO_URING=1
 *   node bench/pair.mjs --case echo --conns 1 net=net uring=rentio:uring epoll=rentio:epoll
 *   node bench/pair.mjs --case unix-echo --conns 64 ...
 *   node bench/pair.mjs --case udp-flood new=rentio:uring dgram=dgram
 *
 * A contender is `label=impl[:driver][@root][+ENV=value...]`: `impl` is the workload's `--impl`
 * (fs, rentio, net), `root` a checkout whose bench/workloads run (default: this one).
 * Options: --case file|echo|unix-echo|udp-flood, --senders N (udp-flood: C senders side by side, 1), --reps N (5), --qd N (1), --bs N (4096), --conns N (1),
 * --warmup MS (300), --duration MS (1200), --json (one JSON line per run too).
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child } from './lib/child.mjs';
import { dataFile } from './scenarios/file.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const opts = { case: 'file', senders: 1, reps: 5, qd: 1, bs: 4096, conns: 1, warmup: 300, duration: 1200, json: false };
const contenders = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--json') opts.json = true;
  else if (a.startsWith('--')) opts[a.slice(2)] = a === '--case' ? argv[++i] : Number(argv[++i]);
  else contenders.push(parseContender(a));
}
if (contenders.length === 0) throw new Error('name at least one contender, e.g. new=rentio:uring');

function parseContender(s) {
  const [label, rest] = s.split('=', 2).length === 2 ? [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)] : [s, s];
  const [main, ...envs] = rest.split('+');
  const [implDriver, root] = main.split('@');
  const [impl, driver] = implDriver.split(':');
  const env = Object.fromEntries(envs.map((e) => e.split('=')));
  return { label, impl, driver, root: root ?? path.dirname(HERE), env };
}

/** Run a process to its end; resolves its last JSON line. */
function runJson(cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('error', reject);
    c.on('exit', (code) => {
      const line = out.trim().split('\n').pop();
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${out}`));
      resolve(JSON.parse(line));
    });
  });
}

/** CPU seconds (user, sys) of a process from /proc/<pid>/stat. */
function cpuOf(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / 100, sys: Number(fields[12]) / 100 };
}

async function runFile(c, data) {
  const r = await runJson(
    process.execPath,
    [
      path.join(c.root, 'bench/workloads/file-read.mjs'),
      '--impl',
      c.impl,
      ...(c.driver ? ['--driver', c.driver] : []),
      '--file',
      data.file,
      '--size',
      String(data.size),
      '--bs',
      String(opts.bs),
      '--qd',
      String(opts.qd),
      '--pattern',
      'rand',
      '--warmup',
      String(opts.warmup),
      '--duration',
      String(opts.duration),
    ],
    c.env,
  );
  return { value: r.ops / r.seconds, cpu: (r.cpu_user_us + r.cpu_sys_us) / r.ops, counters: perOp(r.counters, r.ops) };
}

function perOp(counters = {}, n) {
  const out = {};
  for (const k of ['syscalls', 'parks', 'wakeups', 'submits']) if (typeof counters[k] === 'number') out[k] = +(counters[k] / n).toFixed(3);
  return out;
}

async function runEcho(c, unix) {
  const dir = unix ? mkdtempSync(path.join(tmpdir(), 'pair-')) : null;
  const where = unix ? ['--path', path.join(dir, 's')] : ['--host', '127.0.0.1', '--port', '0'];
  const srv = spawn(
    process.execPath,
    [path.join(c.root, 'bench/workloads/echo-server.mjs'), '--impl', c.impl, ...(c.driver ? ['--driver', c.driver] : []), ...where],
    { env: { ...process.env, ...c.env }, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  try {
    const ready = await new Promise((resolve, reject) => {
      let buf = '';
      srv.stdout.on('data', (d) => {
        buf += d;
        for (const line of buf.split('\n').slice(0, -1)) {
          const m = JSON.parse(line);
          if (m.ready) resolve(m);
        }
        buf = buf.slice(buf.lastIndexOf('\n') + 1);
      });
      srv.on('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
    const cpu0 = cpuOf(srv.pid);
    const client = await runJson(path.join(HERE, 'build/echo-client'), [
      ...(unix ? ['--path', ready.path] : ['--host', '127.0.0.1', '--port', String(ready.port)]),
      '--conns',
      String(opts.conns),
      '--size',
      '1024',
      '--warmup',
      String(opts.warmup),
      '--duration',
      String(opts.duration),
    ]);
    const cpu1 = cpuOf(srv.pid);
    const all = client.total_msgs || client.msgs;
    return { value: client.msgs_per_s, cpu: ((cpu1.user - cpu0.user + cpu1.sys - cpu0.sys) * 1e6) / all, p50: client.p50_us, p99: client.p99_us };
  } finally {
    srv.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** One C sender floods 64-byte datagrams; the server counts what it received (pps over the send). */
async function runUdpFlood(c) {
  const srv = new Child(
    process.execPath,
    [
      path.join(c.root, 'bench/workloads/udp-server.mjs'),
      '--impl',
      c.impl,
      ...(c.driver ? ['--driver', c.driver] : []),
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--mode',
      'count',
    ],
    { env: c.env },
  );
  try {
    const ready = await srv.waitFor((m) => m.ready, 20000);
    const s0 = (await srv.ask('stats', (m) => m.stats)).stats;
    const cpu0 = srv.cpuTimes();
    const flood = () =>
      runJson(path.join(HERE, 'build/udp-client'), [
        '--host',
        '127.0.0.1',
        '--port',
        String(ready.port),
        '--mode',
        'flood',
        '--socks',
        '1',
        '--size',
        '64',
        '--warmup',
        String(opts.warmup),
        '--duration',
        String(opts.duration),
      ]);
    const clients = await Promise.all(Array.from({ length: opts.senders }, flood));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const cpu1 = srv.cpuTimes();
    const s1 = (await srv.ask('stats', (m) => m.stats)).stats;
    const received = s1.received - s0.received;
    // The senders ran side by side: the send lasted as long as the longest of them.
    const sendS = Math.max(...clients.map((c) => c.seconds * (c.total_sent / Math.max(1, c.sent))));
    const sent = clients.reduce((n, c) => n + c.total_sent, 0);
    return {
      value: received / sendS,
      delivered: received / Math.max(1, sent),
      cpu: ((cpu1.user - cpu0.user + cpu1.sys - cpu0.sys) * 1e6) / Math.max(1, received),
    };
  } finally {
    await srv.stop();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const data = opts.case === 'file' ? dataFile({ cfg: { fileSize: 256 * 2 ** 20 } }) : null;
  const runs = contenders.map(() => []);
  const load0 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  for (let rep = 0; rep < opts.reps; rep++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + rep) % contenders.length;
      const c = contenders[i];
      const r =
        opts.case === 'file'
          ? await runFile(c, data)
          : opts.case === 'udp-flood'
            ? await runUdpFlood(c)
            : await runEcho(c, opts.case === 'unix-echo');
      runs[i][rep] = r;
      if (opts.json) console.log(JSON.stringify({ rep, label: c.label, ...r }));
    }
  }
  const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`case ${opts.case} qd=${opts.qd} conns=${opts.conns} reps=${opts.reps}; load ${load0} → ${load1}`);
  for (let i = 0; i < contenders.length; i++) {
    const v = runs[i].map((r) => r.value);
    const m = median(v);
    const spread = ((Math.max(...v) - Math.min(...v)) / 2 / m) * 100;
    const ratio = median(runs[i].map((r, rep) => r.value / runs[0][rep].value));
    const cpu = median(runs[i].map((r) => r.cpu));
    const p50 = runs[i][0].p50 !== undefined ? ` p50 ${median(runs[i].map((r) => r.p50)).toFixed(1)} µs` : '';
    const ctr = runs[i][0].counters ? ' ' + JSON.stringify(runs[i][runs[i].length - 1].counters) : '';
    console.log(
      `${contenders[i].label.padEnd(12)} ${m.toFixed(0).padStart(8)}/s ±${spread.toFixed(1)}%  ×${ratio.toFixed(3)} vs ${contenders[0].label}  CPU ${cpu.toFixed(2)} µs/op${p50}${ctr}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
