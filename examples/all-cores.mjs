// All cores: a raw TCP echo server and an HTTP server (node:http over @rentio/compat) on every
// core — one worker thread per core, each with its own runtime, each listening with reusePort
// so the kernel spreads connections among them. Prints per-worker connection counts.
//
//   node examples/all-cores.mjs [--workers N] [--port 7007] [--http-port 8080]   serve until Ctrl-C
//   node examples/all-cores.mjs --quick                                         64 echo + 64 HTTP clients, then exit
//
// This file is both the main program and the module each worker runs: runOnAllCores imports it
// in every worker and calls its default export with that worker's runtime.
import http from 'node:http';
import net from 'node:net';
import { isMainThread } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { alloc, runOnAllCores } from '@rentio/core';
import { serve } from '@rentio/compat';
import { arg, flag, quick } from './lib/util.mjs';

/** One worker: both servers on its own runtime until the pool stops it. */
export default async function ({ rt, workerId, workerData, signal, ready }) {
  let echoConns = 0;
  let httpConns = 0;
  rt.addStat('echoConnections', () => echoConns);
  rt.addStat('httpConnections', () => httpConns);
  const echo = await rt.listen({ host: workerData.host, port: workerData.port, reusePort: true });
  const server = http.createServer((req, res) => res.end(`hello from worker ${workerId}\n`));
  server.on('connection', () => httpConns++);
  const served = await serve(server, { host: workerData.host, port: workerData.httpPort, reusePort: true, runtime: rt });
  // On stop: stop accepting; open connections finish (http closes its idle keep-alive ones).
  signal.addEventListener('abort', () => void echo.close(), { once: true });
  ready();
  const conns = [];
  for await (const s of echo) {
    echoConns++;
    conns.push(echoUntilEof(s));
  }
  await Promise.all([...conns, served.close()]);
}

async function echoUntilEof(s) {
  let buf = alloc(16 * 1024);
  try {
    for (;;) {
      const [n, b] = await s.read(buf);
      if (n === 0) break;
      buf = await s.writeAll(b, { length: n });
    }
  } catch {
    // a reset peer ends just this connection
  } finally {
    await s.close();
  }
}

if (isMainThread) {
  const host = arg('host', '127.0.0.1');
  const workers = Number(arg('workers', String(quick ? 2 : availableParallelism())));
  const port = Number(arg('port', quick ? String(await freePort(host)) : '7007'));
  const httpPort = Number(arg('http-port', quick ? String(await freePort(host)) : '8080'));
  const pool = await runOnAllCores(import.meta.url, { workers, workerData: { host, port, httpPort } });
  pool.on('error', (err) => console.error(`worker ${err.workerId} failed:`, err));
  const first = (await pool.stats()).perWorker[0];
  console.log(`driver: ${first.driver} (${first.model})`);
  console.log(`${workers} workers: echo on ${host}:${port}, http on ${host}:${httpPort} (SO_REUSEPORT)`);
  const report = async () => {
    const { perWorker, total } = await pool.stats();
    for (const w of perWorker.sort((a, b) => a.workerId - b.workerId))
      console.log(`  worker ${w.workerId}: ${w.echoConnections} echo connection(s), ${w.httpConnections} http connection(s)`);
    console.log(`  total: ${total.echoConnections} echo, ${total.httpConnections} http`);
  };
  if (quick || flag('once')) {
    const echoed = await Promise.all(Array.from({ length: 64 }, (_, i) => echoOnce(host, port, `message ${i}`)));
    const agent = new http.Agent({ keepAlive: false });
    const bodies = await Promise.all(Array.from({ length: 64 }, () => get(host, httpPort, agent)));
    console.log(`echo: ${echoed.filter(Boolean).length}/64 connections echoed intact`);
    console.log(`http: ${bodies.filter((b) => b.startsWith('hello')).length}/64 requests answered`);
    await report();
    await pool.close();
    console.log('closed: every worker stopped gracefully');
  } else {
    const timer = setInterval(() => void report(), 5000);
    pool.on('exit', () => pool.size === 0 && clearInterval(timer));
    console.log('Ctrl-C stops every worker gracefully');
  }
}

function freePort(host) {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, host, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function echoOnce(host, port, msg) {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, host, () => c.end(msg));
    let got = '';
    c.setEncoding('utf8');
    c.on('data', (d) => (got += d));
    c.on('end', () => resolve(got === msg));
    c.on('error', reject);
  });
}

function get(host, port, agent) {
  return new Promise((resolve, reject) => {
    http
      .get({ host, port, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}
