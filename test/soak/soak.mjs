#!/usr/bin/env node
// Soak (issues 6 and 15): echo + file I/O with aborts mixed in, and HTTP keep-alive traffic through
// compat (an unmodified node:http server served by compat, an http.Agent keepAlive client whose
// sockets compat connects), for a long time, on each driver; RSS, heap, ArrayBuffer memory and
// open fds sampled at a fixed interval must stay flat.
//
//   npm run soak                                  10 minutes, both drivers side by side
//   node test/soak/soak.mjs --minutes 1 --driver uring --interval 5
//   node test/soak/soak.mjs --http 0              without the HTTP traffic (--http N: N clients)
//   RENTIO_SOAK_MINUTES=30 npm run soak
//   node test/soak/soak.mjs --faults 0            without the fault schedules
//   node test/soak/soak.mjs --cycles 0 --load 0   without the closing runs
//
// After the soak, issue 15's long runs (`npm test` runs them short):
//   --cycles N (default 100,000): test/reliability/cycles.test.mjs with RENTIO_CYCLES=N — N
//     open/read/close cycles on a file and N connect/close cycles per driver, fds and RSS flat
//     (`npm test`: 20,000);
//   --load N (default 10,000): test/reliability/load-10k.test.mjs with RENTIO_LOAD10K_CONNS=N — N
//     connections held at once, raw and through compat, per driver, 64 KiB each way
//     sha256-checked, fds back (`npm test`: 500).
//
// With --faults 1 (the default) each driver also gets a child running seeded fault schedules
// (test/reliability/faults-workload.mjs) back to back for the whole time, each schedule's
// invariants checked (a failure prints its seed); it is judged like the others ("<driver>+faults").
//
// Each driver runs in a child process of its own, so one's memory never counts for the other. The
// series is printed as it comes; the verdict at the end fails (exit 1) on any unexpected error, on
// fds that grew, or on memory that grew steadily: after the warm-up, the lowest sample of the last
// third above the highest of the first third by more than 10% and 16 MiB.
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    minutes: { type: 'string', default: process.env.RENTIO_SOAK_MINUTES || '10' },
    interval: { type: 'string', default: process.env.RENTIO_SOAK_INTERVAL || '10' },
    driver: { type: 'string', default: process.env.RENTIO_SOAK_DRIVER || 'both' },
    conns: { type: 'string', default: '32' },
    http: { type: 'string', default: process.env.RENTIO_SOAK_HTTP || '8' },
    faults: { type: 'string', default: process.env.RENTIO_SOAK_FAULTS || '1' },
    cycles: { type: 'string', default: process.env.RENTIO_SOAK_CYCLES || '100000' },
    load: { type: 'string', default: process.env.RENTIO_SOAK_LOAD || '10000' },
    child: { type: 'boolean', default: false },
    'faults-child': { type: 'boolean', default: false },
  },
});
const MINUTES = Number(opt.minutes);
const INTERVAL_S = Number(opt.interval);
const MiB = 2 ** 20;

// --- the parent: one child per driver, the series, the verdict ---

async function parent() {
  const drivers = opt.driver === 'both' ? ['epoll', 'uring'] : [opt.driver];
  const withFaults = Number(opt.faults) > 0;
  console.log(
    `soak: ${MINUTES} min per driver (${drivers.join(' and ')} side by side${withFaults ? ', each with a fault-schedule child' : ''}), a sample every ${INTERVAL_S} s`,
  );
  const self = fileURLToPath(import.meta.url);
  const jobs = drivers.flatMap((driver) =>
    withFaults
      ? [
          [driver, false],
          [driver, true],
        ]
      : [[driver, false]],
  );
  const results = await Promise.all(
    jobs.map(
      ([driver, faults]) =>
        new Promise((resolve) => {
          const label = faults ? `${driver}+faults` : driver;
          const c = spawn(
            process.execPath,
            [
              '--expose-gc',
              self,
              faults ? '--faults-child' : '--child',
              '--driver',
              driver,
              '--minutes',
              String(MINUTES),
              '--interval',
              String(INTERVAL_S),
              '--conns',
              opt.conns,
              '--http',
              opt.http,
            ],
            {
              stdio: ['ignore', 'pipe', 'inherit'],
            },
          );
          const samples = [];
          let summary = null;
          let rest = '';
          c.stdout.on('data', (d) => {
            const lines = (rest + d).split('\n');
            rest = lines.pop();
            for (const line of lines) {
              const m = JSON.parse(line);
              if (m.sample) {
                samples.push(m.sample);
                const s = m.sample;
                console.log(
                  `${label.padEnd(12)} t=${String(s.t).padStart(4)}s  rss ${mib(s.rss)}  heap ${mib(s.heap)}  arrayBuffers ${mib(s.arrayBuffers)}  fds ${String(s.fds).padStart(4)}  ops ${String(s.ops).padStart(8)} (+${s.opsDelta})  http ${String(s.http).padStart(7)} (+${s.httpDelta})  aborted ${s.aborted}  errors ${s.errors}`,
                );
              } else if (m.summary) summary = m.summary;
            }
          });
          c.on('exit', (code, signal) => resolve({ driver: label, faults, code, signal, samples, summary }));
        }),
    ),
  );
  let failed = false;
  console.log('\nseries (after warm-up):');
  for (const r of results) {
    const verdict = judge(r);
    failed ||= !verdict.ok;
    console.log(`${r.driver}:`);
    console.log(`  rss MiB      ${verdict.series.rss.join(' ')}`);
    console.log(`  heap MiB     ${verdict.series.heap.join(' ')}`);
    console.log(`  fds          ${verdict.series.fds.join(' ')}`);
    if (r.faults) {
      const s = r.summary;
      console.log(
        `  schedules    ${s?.schedules ?? '?'} (${s?.ops ?? '?'} ops, ${s?.bytes ?? '?'} bytes checked), ${s?.faults ?? '?'} faults: ${JSON.stringify(s?.counts ?? {})}`,
      );
      console.log(`  verdict      ${verdict.ok ? 'flat, every schedule held' : 'FAIL'}: ${verdict.why.join('; ')}`);
      continue;
    }
    console.log(
      `  ops          ${r.summary?.ops ?? '?'} (${r.summary?.echoed ?? '?'} echoes, ${r.summary?.fileOps ?? '?'} file ops, ${r.summary?.aborted ?? '?'} aborted, ${r.summary?.reconnects ?? '?'} reconnects)`,
    );
    console.log(
      `  http         ${r.summary?.http ?? '?'} requests on ${r.summary?.httpSockets ?? '?'} keep-alive sockets (${r.summary?.httpReused ?? '?'} on a reused socket)`,
    );
    const rate = (k) =>
      verdict.series.opsPerSec.length
        ? `${Math.min(...verdict.series.opsPerSec.map((x) => x[k]))}..${Math.max(...verdict.series.opsPerSec.map((x) => x[k]))}`
        : '?';
    console.log(`  per second   ops ${rate('ops')}, http requests ${rate('http')}`);
    console.log(`  verdict      ${verdict.ok ? 'flat' : 'FAIL'}: ${verdict.why.join('; ')}`);
  }
  if (Number(opt.cycles) > 0) {
    console.log(`\ncycles: ${opt.cycles} open/read/close and ${opt.cycles} connect/close per driver (test/reliability/cycles.test.mjs)`);
    failed = !(await longRun('cycles.test.mjs', { RENTIO_CYCLES: opt.cycles }, drivers)) || failed;
  }
  if (Number(opt.load) > 0) {
    console.log(`\nload: ${opt.load} connections held, raw and compat, per driver (test/reliability/load-10k.test.mjs)`);
    failed = !(await longRun('load-10k.test.mjs', { RENTIO_LOAD10K_CONNS: opt.load }, drivers)) || failed;
  }
  process.exit(failed ? 1 : 0);
}

/** A reliability test file run with `env` on `drivers`, its results passed through; true if it passed. */
function longRun(name, env, drivers) {
  const file = fileURLToPath(new URL(`../reliability/${name}`, import.meta.url));
  const all = { ...process.env, ...env, RENTIO_TEST_REQUIRE: drivers.join(','), RENTIO_TEST_DRIVERS: drivers.join(',') };
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [file], { env: all, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('exit', (code) => {
      for (const line of out.split('\n')) if (/^ {0,4}ok \d|not ok \d|^\s*# (?!Subtest)/.test(line)) console.log(`  ${line.trim()}`);
      console.log(`  verdict      ${code === 0 ? 'held' : 'FAIL'}`);
      resolve(code === 0);
    });
  });
}

const mib = (b) => `${(b / MiB).toFixed(1).padStart(6)} MiB`;

function judge({ faults, code, signal, samples, summary }) {
  const problems = [];
  if (code !== 0 || signal) problems.push(`the child ended with ${signal ?? `code ${code}`}`);
  if (!summary) problems.push('no summary');
  else if (summary.errors) problems.push(`${summary.errors} unexpected errors: ${summary.firstErrors.join(' | ')}`);
  else if (summary.inFlight) problems.push(`${summary.inFlight} ops still in flight at the end`);
  else if (!faults && Number(opt.http) > 0 && !(summary.http > 0)) problems.push('no HTTP request completed');
  else if (faults && !(summary.schedules > 0)) problems.push('no fault schedule completed');
  // Warm-up: the first sample (workers start, pools and JIT settle).
  const steady = samples.slice(1);
  const series = {
    rss: steady.map((s) => (s.rss / MiB).toFixed(0)),
    heap: steady.map((s) => (s.heap / MiB).toFixed(0)),
    fds: steady.map((s) => s.fds),
    opsPerSec: steady.map((s) => ({ ops: Math.round(s.opsDelta / INTERVAL_S), http: Math.round(s.httpDelta / INTERVAL_S) })),
  };
  if (steady.length < 3) {
    problems.push(`only ${steady.length} samples after warm-up: too few to judge growth (run longer)`);
    return { ok: false, why: problems, series };
  }
  const third = Math.max(1, Math.floor(steady.length / 3));
  const first = steady.slice(0, third);
  const last = steady.slice(-third);
  for (const key of ['rss', 'heap', 'arrayBuffers']) {
    const hi = Math.max(...first.map((s) => s[key]));
    const lo = Math.min(...last.map((s) => s[key]));
    if (lo > hi * 1.1 && lo - hi > 16 * MiB)
      problems.push(`${key} grew steadily: the first third peaked at ${mib(hi).trim()}, the last third never went below ${mib(lo).trim()}`);
  }
  const fd0 = steady[0].fds;
  const fdMax = Math.max(...steady.map((s) => s.fds));
  if (fdMax > fd0 + 4) problems.push(`fds grew from ${fd0} to ${fdMax}`);
  if (problems.length) return { ok: false, why: problems, series };
  return {
    ok: true,
    why: [`rss ${series.rss[0]}→${series.rss.at(-1)} MiB, heap ${series.heap[0]}→${series.heap.at(-1)} MiB, fds ${fd0}→${steady.at(-1).fds}`],
    series,
  };
}

// --- a child: the workload on one driver ---

async function child(driver) {
  const { alloc, createRuntime, own } = await import('@rentio/core');
  const rt = await createRuntime({ driver });
  const dir = mkdtempSync(join(tmpdir(), `rentio-soak-${driver}-`));
  const end = Date.now() + MINUTES * 60_000;
  const c = { ops: 0, echoed: 0, fileOps: 0, aborted: 0, reconnects: 0, http: 0, httpReused: 0, httpSockets: 0, errors: 0, firstErrors: [] };
  const oops = (where, e) => {
    c.errors++;
    if (c.firstErrors.length < 5) c.firstErrors.push(`${where}: ${e?.code ?? ''} ${e?.message ?? e}`);
  };
  const isAbort = (e) => e?.name === 'AbortError';
  const send = (m) => process.stdout.write(`${JSON.stringify(m)}\n`);

  // Echo server.
  const l = await rt.listen({ host: '127.0.0.1', port: 0, backlog: 1024 });
  const port = l.address().port;
  // Every connection's task, so shutdown waits for each to see its client's EOF before rt.close().
  const connections = new Set();
  const serving = (async () => {
    for await (const s of l) {
      const task = (async () => {
        let buf = alloc(65536);
        try {
          for (;;) {
            const [n, b] = await s.read(buf);
            buf = b;
            if (n === 0) break;
            buf = await s.writeAll(b, { length: n });
          }
        } catch (e) {
          if (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') oops('server', e);
        } finally {
          await s.close();
        }
      })();
      connections.add(task);
      // Not awaited here: shutdown awaits every task still in the set (and sees its rejection).
      void task.finally(() => connections.delete(task));
    }
  })();

  // Clients: request/response of random size; every 20th read aborted at a random moment (the
  // bytes it did not take are read by the next read); every 200th exchange reconnects.
  async function client() {
    while (Date.now() < end) {
      const s = await rt.connect({ host: '127.0.0.1', port });
      try {
        for (let i = 0; i < 200 && Date.now() < end; i++) {
          const size = randomInt(1, 64 * 1024);
          const out = own(randomBytes(size));
          const want = createHash('sha256').update(out).digest('hex');
          const writing = s.writeAll(out);
          const got = createHash('sha256');
          let have = 0;
          let buf = alloc(16384);
          while (have < size) {
            const ac = i % 20 === 0 ? new AbortController() : null;
            const p = s.read(buf, { length: Math.min(buf.byteLength, size - have), signal: ac?.signal });
            if (ac) setImmediate(() => ac.abort());
            try {
              const [n, b] = await p;
              buf = b;
              if (n === 0) throw new Error('EOF before the echo');
              got.update(b.subarray(0, n));
              have += n;
            } catch (e) {
              if (!isAbort(e)) throw e;
              c.aborted++;
              buf = e.buf;
            }
            c.ops++;
          }
          await writing;
          c.ops++;
          if (got.digest('hex') !== want) oops('echo', new Error('echoed bytes differ'));
          c.echoed++;
        }
      } catch (e) {
        oops('client', e);
      } finally {
        await s.close();
        c.reconnects++;
      }
    }
  }

  // Files: positioned writes and reads against a model of the file; open/close churn; some reads
  // and sleeps aborted (a cancelled read leaves the model untouched).
  async function files(k) {
    const path = join(dir, `f${k}`);
    const SIZE = 256 * 1024;
    const model = new Uint8Array(SIZE);
    while (Date.now() < end) {
      const f = await rt.open(path, 'w+');
      model.fill(0);
      try {
        for (let i = 0; i < 100 && Date.now() < end; i++) {
          const pos = randomInt(0, SIZE - 4096);
          const len = randomInt(1, 4096);
          const data = randomBytes(len);
          await f.writeAll(own(data), { position: pos });
          model.set(data, pos);
          const ac = i % 10 === 0 ? new AbortController() : null;
          if (ac) queueMicrotask(() => ac.abort());
          try {
            const rpos = randomInt(0, SIZE - 4096);
            const [n, b] = await f.read(alloc(4096), { position: rpos, signal: ac?.signal });
            const st = b.subarray(0, n);
            const expect = model.subarray(rpos, rpos + n);
            if (Buffer.compare(Buffer.from(st), Buffer.from(expect)) !== 0) oops('file', new Error(`read at ${rpos} differs from what was written`));
          } catch (e) {
            if (!isAbort(e)) throw e;
            c.aborted++;
          }
          if (i % 25 === 0) {
            const ac2 = new AbortController();
            const sleeping = rt.sleep(50, { signal: ac2.signal });
            ac2.abort();
            await sleeping.catch((e) => (isAbort(e) ? c.aborted++ : oops('sleep', e)));
          }
          c.fileOps += 2;
          c.ops += 2;
        }
        await f.truncate(0);
        c.ops++;
      } catch (e) {
        oops('files', e);
      } finally {
        await f.close();
      }
    }
  }

  const web = await httpTraffic(rt, c, oops, end);

  // Sampler.
  const t0 = Date.now();
  let lastOps = 0;
  let lastHttp = 0;
  const sampler = setInterval(() => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    const sample = {
      t: Math.round((Date.now() - t0) / 1000),
      rss: m.rss,
      heap: m.heapUsed,
      arrayBuffers: m.arrayBuffers,
      fds: readdirSync('/proc/self/fd').length,
      ops: c.ops,
      opsDelta: c.ops - lastOps,
      http: c.http,
      httpDelta: c.http - lastHttp,
      aborted: c.aborted,
      errors: c.errors,
    };
    lastOps = c.ops;
    lastHttp = c.http;
    send({ sample });
  }, INTERVAL_S * 1000);

  const conns = Number(opt.conns);
  await Promise.all([...Array.from({ length: conns }, client), ...Array.from({ length: 4 }, (_, k) => files(k)), web.clients]);
  clearInterval(sampler);
  await web.close();
  await l.close();
  await serving.catch((e) => oops('accept loop', e));
  // Clients have closed: each server task ends at its EOF. Closing the runtime first would cancel
  // reads still waiting for that EOF (ERR_RENTIO_RUNTIME_CLOSED), a shutdown race of this harness.
  await Promise.all(connections);
  const st = rt.stats();
  await rt.close();
  rmSync(dir, { recursive: true, force: true });
  send({ summary: { ...c, inFlight: st.inFlight } });
}

/**
 * HTTP keep-alive traffic through compat on `rt`, until `end`: an unmodified node:http server that
 * echoes each request body with its sha256 in a header, served by compat's serve(); `--http`
 * clients sharing one http.Agent (keepAlive, 8 sockets) whose sockets compat's createConnection
 * opens on the same runtime. Bodies of 0..64 KiB, checked both ways; every 250th request asks for
 * `Connection: close`, so keep-alive sockets are also retired and replaced all along.
 * Resolves `{ clients, close }`: the clients' promise, and the way to stop the server and agent.
 */
async function httpTraffic(rt, c, oops, end) {
  const clientsWanted = Number(opt.http);
  if (!(clientsWanted > 0)) return { clients: Promise.resolve(), close: async () => {} };
  const http = await import('node:http');
  const { createConnection, serve } = await import('@rentio/compat');
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    const parts = [];
    req.on('data', (d) => parts.push(d));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-sha256': sha(body) });
      res.end(body);
    });
  });
  const served = await serve(server, { runtime: rt, host: '127.0.0.1', port: 0 });
  class RentioAgent extends http.Agent {
    createConnection(options, cb) {
      c.httpSockets++;
      return createConnection({ ...options, runtime: rt }, cb);
    }
  }
  const agent = new RentioAgent({ keepAlive: true, maxSockets: 8 });
  const request = (body, close) =>
    new Promise((resolve, reject) => {
      const headers = { 'content-length': body.length };
      if (close) headers.connection = 'close';
      const req = http.request({ host: '127.0.0.1', port: served.port, method: 'POST', path: '/echo', agent, headers }, (res) => {
        const parts = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode, digest: res.headers['x-sha256'], body: Buffer.concat(parts), reused: req.reusedSocket }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  async function one() {
    for (let i = 1; Date.now() < end; i++) {
      const body = randomBytes(randomInt(0, 64 * 1024));
      try {
        const r = await request(body, i % 250 === 0);
        const want = sha(body);
        if (r.status !== 200 || r.digest !== want || sha(r.body) !== want)
          oops('http', new Error(`status ${r.status}: the echoed body or its digest differs`));
        c.http++;
        if (r.reused) c.httpReused++;
      } catch (e) {
        oops('http', e);
      }
    }
  }
  return {
    clients: Promise.all(Array.from({ length: clientsWanted }, one)),
    async close() {
      agent.destroy();
      await served.close();
    },
  };
}

if (opt.child) await child(opt.driver);
else if (opt['faults-child']) await (await import('./faults-child.mjs')).faultsChild(opt.driver, MINUTES, INTERVAL_S);
else await parent();
