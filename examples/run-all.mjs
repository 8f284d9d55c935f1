// `npm run examples`: every example as a child process with bounded work and a timeout — the
// practical ones once per driver (RENTIO_DRIVER=uring, then epoll), the comparative ones once
// (they open both drivers themselves). Prints a PASS / FAIL / SKIP line per run and the tables
// the comparative examples measured; exits non-zero when any run failed.
//
//   npm run examples                 (node examples/run-all.mjs [--verbose] [--only NAME])
//
// A driver that cannot work on this machine is skipped with its reason, unless it is named in
// RENTIO_TEST_REQUIRE (as for the test suite), where its absence is a failure.
// test/examples.test.mjs runs the same plan under tap.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRuntime } from '@rentio/core';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const DRIVERS = ['uring', 'epoll'];
const d = (driver) => new RegExp(`^driver: ${driver} \\(${driver === 'uring' ? 'completion' : 'readiness'}\\)`, 'm');
// A comparative example names each driver it ran, or the reason it skipped one.
const both = (available) => DRIVERS.map((name) => (available.has(name) ? d(name) : new RegExp(`^driver: ${name} skipped`, 'm')));

/**
 * Every run. `perDriver` runs once per driver with RENTIO_DRIVER set; otherwise once.
 * `expect(available)` lists what must appear in stdout; `drive(port)` plays the client for a
 * server that serves until its client is done.
 */
export const RUNS = [
  { name: 'demo', file: 'demo.mjs', perDriver: true, expect: (drv) => [d(drv), /^echo: 1000 round trips/m, /byte-exact: true/] },
  {
    name: 'echo-server --clients',
    file: 'echo-server.mjs',
    args: ['--clients', '4', '--messages', '100'],
    perDriver: true,
    expect: (drv) => [d(drv), /clients: 4 × 100 messages of 1024 B echoed intact/, /served 4 connection\(s\), echoed 409,600 bytes/],
  },
  {
    name: 'echo-server --once',
    file: 'echo-server.mjs',
    args: ['--once'],
    perDriver: true,
    drive: echoClient,
    expect: (drv) => [d(drv), /^listening on 127\.0\.0\.1:\d+/m, /served 1 connection\(s\), echoed 16,384 bytes/],
  },
  {
    name: 'unix-echo',
    file: 'unix-echo.mjs',
    args: ['--quick'],
    perDriver: true,
    expect: (drv) => [
      d(drv),
      /^listening on \/.*echo\.sock$/m,
      /clients: 4 × 100 messages of 1024 B echoed intact/,
      /served 4 connection\(s\), echoed 409,600 bytes/,
      /socket file removed on close: true/,
    ],
  },
  {
    name: 'unix-echo --abstract',
    file: 'unix-echo.mjs',
    args: ['--quick', '--abstract'],
    perDriver: true,
    expect: (drv) => [d(drv), /^listening on @rentio-unix-echo-\d+ \(abstract\)$/m, /clients: 4 × 100 messages of 1024 B echoed intact/],
  },
  {
    name: 'udp-ping',
    file: 'udp-ping.mjs',
    args: ['--quick'],
    perDriver: true,
    expect: (drv) => [
      d(drv),
      /^pings: 200\/200 answered intact, 64 B each/m,
      /oversized echo: 64 of 256 bytes kept, truncated: true/,
      /echoed 201 datagram\(s\)/,
    ],
  },
  {
    name: 'udp-ping --ipv6',
    file: 'udp-ping.mjs',
    args: ['--quick', '--ipv6'],
    perDriver: true,
    expect: (drv) => [d(drv), /^echoing datagrams on \[::1\]:\d+/m, /^pings: 200\/200 answered intact/m],
  },
  {
    name: 'file-copy',
    file: 'file-copy.mjs',
    args: ['--quick'],
    perDriver: true,
    expect: (drv) => [d(drv), /^copy: 4\.0 MiB \/ 4\.0 MiB \(100%\)/m, /byte-exact: true/],
  },
  {
    name: 'http-compat',
    file: 'http-compat.mjs',
    args: ['--quick'],
    perDriver: true,
    expect: (drv) => [d(drv), /over @rentio\/compat/, /client: 60 requests .* answered correctly/, /lent now 0/],
  },
  {
    name: 'all-cores',
    file: 'all-cores.mjs',
    args: ['--quick'],
    perDriver: true,
    expect: (drv) => [
      d(drv),
      /^echo: 64\/64 connections echoed intact/m,
      /^http: 64\/64 requests answered/m,
      /^ {2}worker 0: [1-9]\d* echo connection\(s\), [1-9]\d* http connection\(s\)/m,
      /^ {2}worker 1: [1-9]\d* echo connection\(s\), [1-9]\d* http connection\(s\)/m,
      /^ {2}total: 64 echo, 64 http/m,
      /closed: every worker stopped gracefully/,
    ],
  },
  {
    name: 'syscalls',
    file: 'syscalls.mjs',
    args: ['--quick'],
    expect: (av) => [
      ...both(av),
      ...[...av].flatMap((x) => [
        new RegExp(`^\\| tcp echo server, peer in another process +\\| ${x} `, 'm'),
        new RegExp(`^\\| file 4 KiB reads, QD 64 +\\| ${x} `, 'm'),
      ]),
    ],
  },
  {
    name: 'cancel',
    file: 'cancel.mjs',
    args: ['--quick'],
    expect: (av) => [
      ...both(av),
      ...[...av].flatMap((x) => [
        new RegExp(`^\\| ${x} \\(\\w+\\) +\\| +40 \\|.*\\| 40/40 +\\| 40/40 +\\| 40/40 +\\| 40/40 +\\| 40/40 +\\|$`, 'm'),
        new RegExp(`^\\| ${x} \\(\\w+\\) +\\| +40 \\|.*\\| +0 \\|$`, 'm'),
      ]),
    ],
  },
  {
    name: 'files',
    file: 'files.mjs',
    args: ['--quick'],
    expect: (av) => [
      /^epoll_ctl\(EPOLL_CTL_ADD, regular file fd \d+, EPOLLIN\) = -1 EPERM/m,
      ...both(av),
      ...[...av].map((x) => new RegExp(`^\\| ${x} \\(\\w+\\) +\\| +[\\d,]+ \\|`, 'm')),
    ],
  },
  {
    name: 'ownership',
    file: 'ownership.mjs',
    expect: (av) => [
      ...both(av),
      /^\| lend it to another op while lent +\|( ERR_RENTIO_BUFFER_DETACHED +\|)+$/m,
      /^\| lend a pooled Buffer \(Buffer\.from\) +\|( ERR_RENTIO_BUFFER_POOLED +\|)+$/m,
      /^\| same memory handed back +\|( yes \(same address\) +\|)+$/m,
      /the peer received +\|( the original bytes .*\|)+$|@rentio\/compat is not usable here/m,
    ],
  },
  {
    name: 'idle-memory',
    file: 'idle-memory.mjs',
    args: ['--quick'],
    expect: (av) => [
      ...both(av),
      ...[...av].map((x) => new RegExp(`^\\| rentio ${x} .*; 200 buffers handed back on close +\\|$`, 'm')),
      /^\| node:net /m,
    ],
  },
];

/** `null` when `driver` works here, else why not. Probed in a child: this process stays driver-free. */
export async function probeDrivers() {
  const out = new Map();
  for (const name of DRIVERS) {
    try {
      const rt = await createRuntime({ driver: name });
      await rt.close();
      out.set(name, null);
    } catch (err) {
      if (err.code !== 'ERR_RENTIO_DRIVER_UNAVAILABLE') throw err;
      out.set(name, err.reason ?? err.message);
    }
  }
  return out;
}

/**
 * The runs to make: `{ run, driver, skip }` — driver null for a comparative run, skip the reason
 * a driver is unavailable (null when the run goes ahead).
 */
export function plan(probe, only = null) {
  const required = new Set(
    (process.env.RENTIO_TEST_REQUIRE || '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const available = new Set(DRIVERS.filter((x) => probe.get(x) === null || required.has(x)));
  const out = [];
  for (const run of RUNS) {
    if (only && run.name !== only && run.file !== only && run.file !== `${only}.mjs`) continue;
    if (run.perDriver) for (const driver of DRIVERS) out.push({ run, driver, available, skip: available.has(driver) ? null : probe.get(driver) });
    else out.push({ run, driver: null, available, skip: available.size === 0 ? 'no driver works here' : null });
  }
  return out;
}

/**
 * Run one planned example (`env` adds to the child's environment; an undefined value removes a
 * variable). Resolves `{ ok, code, signal, timedOut, ms, stdout, stderr, missing }`
 * where `missing` lists the expected patterns stdout did not show.
 */
export function runOne({ run, driver, available }, { timeoutMs = 45_000, env: extraEnv = {} } = {}) {
  const env = { ...process.env, FORCE_COLOR: '0', ...extraEnv };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  if (driver) env.RENTIO_DRIVER = driver;
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [here(run.file), ...(run.args ?? [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let driving = null;
    let timedOut = false;
    child.stdout.on('data', (c) => {
      stdout += c;
      const m = run.drive && !driving && /^listening on ([\d.]+):(\d+)/m.exec(stdout);
      if (m) driving = run.drive(m[1], Number(m[2])).catch((err) => `client failed: ${err.message}`);
    });
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // `driving` never rejects: its .catch above turns a client failure into a message.
      void Promise.resolve(driving).then((clientError) => {
        if (clientError) stderr += `\n${clientError}`;
        const expect = run.expect(driver ?? available);
        const missing = expect.filter((re) => !re.test(stdout)).map(String);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        resolve({ ok: code === 0 && !timedOut && missing.length === 0 && !clientError, code, signal, timedOut, ms, stdout, stderr, missing });
      });
    });
  });
}

/** The bounded client for `echo-server --once`: 16 writes of 1 KiB, every byte checked, then end. */
async function echoClient(host, port) {
  const sock = net.connect({ host, port });
  const sent = Buffer.alloc(16 * 1024);
  for (let i = 0; i < sent.length; i++) sent[i] = (i * 31) & 0xff;
  const chunks = [];
  const done = new Promise((resolve, reject) => {
    sock.on('data', (c) => chunks.push(c));
    sock.on('end', resolve);
    sock.on('error', reject);
  });
  await new Promise((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  for (let i = 0; i < 16; i++) sock.write(sent.subarray(i * 1024, (i + 1) * 1024));
  // Half-close: the server echoes what it has, sees EOF, closes, and we see 'end'.
  sock.end();
  await done;
  if (!Buffer.concat(chunks).equals(sent)) throw new Error('echo came back different');
  return null;
}

function label({ run, driver }) {
  return driver ? `${run.name} [${driver}]` : `${run.name} [uring+epoll]`;
}

async function main() {
  const verbose = process.argv.includes('--verbose');
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt > 0 ? process.argv[onlyAt + 1] : null;
  const t0 = process.hrtime.bigint();
  const probe = await probeDrivers();
  for (const [name, why] of probe) console.log(`driver ${name}: ${why === null ? 'available' : `unavailable — ${why}`}`);
  let failed = 0;
  let passed = 0;
  let skipped = 0;
  for (const item of plan(probe, only)) {
    if (item.skip) {
      skipped++;
      console.log(`SKIP  ${label(item)} — driver unavailable: ${item.skip}`);
      continue;
    }
    const r = await runOne(item);
    const status = r.ok ? 'PASS' : 'FAIL';
    if (r.ok) passed++;
    else failed++;
    const why = r.ok ? '' : r.timedOut ? ' — timed out' : r.code !== 0 ? ` — exit ${r.code ?? r.signal}` : ' — expected output missing';
    console.log(`${status}  ${label(item)}  ${(r.ms / 1000).toFixed(1)} s${why}`);
    // Comparative examples: show what they measured (their tables and notes).
    const show = verbose || !r.ok || !item.driver;
    if (show) {
      const lines = r.stdout
        .trimEnd()
        .split('\n')
        .filter((l) => verbose || !r.ok || !/^driver: /.test(l));
      for (const l of lines) console.log(`      ${l}`);
    }
    if (!r.ok) {
      for (const m of r.missing) console.log(`      missing: ${m}`);
      for (const l of r.stderr.trimEnd().split('\n').slice(-20)) if (l) console.log(`      stderr: ${l}`);
    }
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`\nexamples: ${passed} passed, ${failed} failed, ${skipped} skipped in ${secs.toFixed(1)} s`);
  process.exitCode = failed > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
