#!/usr/bin/env node
// Side by side: the same `http.createServer(handler)` served plain (node:net) and over compat's
// serve() on each rentio driver, loaded by wrk (keep-alive). Prints req/s per run, the median per
// contender and its ratio to plain node:http measured in the same run. Reports; asserts nothing.
//
//   node packages/compat/scripts/http-bench.mjs [--duration 5] [--connections 50] [--rounds 3] [--body 13]
//
// Each server runs in its own child process (`--serve <mode>`), so wrk, the server and this
// script do not share an event loop. Contenders are interleaved round by round, so a noisy
// neighbour hurts all of them alike. Besides req/s it reports the server's CPU time per request
// (utime + stime from /proc/<pid>/stat over the measured run), which a busy 2-core machine
// disturbs much less than throughput.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};

if (args[0] === '--serve') {
  // Child: serve `mode` and print the port. Exit cleanly on SIGTERM (so --cpu-prof is written).
  const mode = args[1];
  process.on('SIGTERM', () => process.exit(0));
  const body = Buffer.alloc(Number(opt('body', 13)), 'x');
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(body);
  });
  if (mode === 'plain') {
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));
  } else {
    const { createRuntime } = await import('@rentio/core');
    const { serve } = await import('@rentio/compat');
    const runtime = await createRuntime({ driver: mode });
    const served = await serve(server, { port: 0, host: '127.0.0.1', runtime });
    let requests = 0;
    server.on('request', () => requests++);
    if (process.env.RENTIO_BENCH_STATS) process.on('exit', () => console.error(JSON.stringify({ requests, ...runtime.stats() })));
    console.log(served.port);
  }
} else {
  const duration = Number(opt('duration', 5));
  const connections = Number(opt('connections', 50));
  const rounds = Number(opt('rounds', 3));
  const bodySize = opt('body', '13');
  const modes = (opt('modes', 'plain,epoll,uring')).split(',');
  const self = fileURLToPath(import.meta.url);
  const results = Object.fromEntries(modes.map((m) => [m, []]));
  const cpu = Object.fromEntries(modes.map((m) => [m, []]));

  const start = (mode) => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [self, '--serve', mode, '--body', bodySize], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', (d) => resolve({ child, port: Number(String(d).trim()) }));
    child.once('exit', (code) => reject(new Error(`${mode} server exited (${code})`)));
  });
  const cpuTicks = (pid) => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks
  };
  const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
  const wrk = (port, pid) => {
    const before = cpuTicks(pid);
    const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${duration}s`, `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
    const ticks = cpuTicks(pid) - before;
    const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
    const total = /(\d+) requests in/.exec(out);
    const errors = /Non-2xx|Socket errors: .*/.exec(out);
    return { rps: rps ? Number(rps[1]) : NaN, usPerReq: total ? (ticks * TICK_US) / Number(total[1]) : NaN, errors: errors ? errors[0] : '' };
  };

  console.log(`wrk -t1 -c${connections} -d${duration}s, body ${bodySize} B, ${rounds} rounds, modes ${modes.join(' ')}`);
  for (let r = 1; r <= rounds; r++) {
    for (const mode of modes) {
      let server;
      try {
        server = await start(mode);
      } catch (err) {
        console.log(`round ${r} ${mode.padEnd(6)} skipped: ${err.message}`);
        continue;
      }
      wrk(server.port, server.child.pid); // warm-up (JIT, pool, connection set-up), not counted
      const { rps, usPerReq, errors } = wrk(server.port, server.child.pid);
      server.child.kill();
      results[mode].push(rps);
      cpu[mode].push(usPerReq);
      console.log(`round ${r} ${mode.padEnd(6)} ${rps.toFixed(0).padStart(8)} req/s  ${usPerReq.toFixed(1).padStart(6)} µs CPU/req ${errors}`);
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const base = median(results.plain ?? []);
  const baseCpu = median(cpu.plain ?? []);
  console.log('\nmode     median req/s  vs plain   median µs CPU/req  plain/this   runs (req/s)');
  for (const mode of modes) {
    if (!results[mode].length) continue;
    const m = median(results[mode]);
    const c = median(cpu[mode]);
    console.log(`${mode.padEnd(8)} ${m.toFixed(0).padStart(12)}  ${base ? (m / base).toFixed(2).padStart(7) + 'x' : '       -'}   ${c.toFixed(1).padStart(17)}  ${baseCpu ? (baseCpu / c).toFixed(2).padStart(9) + 'x' : '         -'}   ${results[mode].map((x) => x.toFixed(0)).join(' ')}`);
  }
}
