/**
 * The scaling scenario's servers, on N cores: a 1 KiB echo server (`--proto echo`) or an HTTP
 * keep-alive server answering `Hello, World!` (`--proto http`), run as
 *   --impl rentio --driver uring|epoll --workers N   runOnAllCores: N worker threads, one runtime
 *                                                    each, listeners with reusePort (http: node:http over compat)
 *   --impl cluster --workers N                       node:cluster: N worker processes on node:net / node:http
 * Prints `{ ready, port, pids }` (every process whose CPU counts: /proc/<pid>/stat sums a
 * process's threads) once all N serve; ends when stdin closes.
 * @module
 */
import { isMainThread } from 'node:worker_threads';
import cluster from 'node:cluster';
import net from 'node:net';
import { emit, fail, numericStats, onCommands, parseArgs } from './common.mjs';

const BODY = 'Hello, World!';
const HOST = '127.0.0.1';

function handler(req, res) {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': BODY.length });
  res.end(BODY);
}

/** runOnAllCores' worker module: this file, in each worker thread. */
export default async function ({ rt, workerData, signal, ready }) {
  if (workerData.proto === 'http') {
    const http = await import('node:http');
    const { serve } = await import('@rentio/compat');
    const served = await serve(http.createServer(handler), { host: HOST, port: workerData.port, reusePort: true, runtime: rt });
    ready();
    await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
    served.closeAllConnections();
    await served.close();
    return;
  }
  const { alloc } = await import('@rentio/core');
  const l = await rt.listen({ host: HOST, port: workerData.port, reusePort: true });
  signal.addEventListener('abort', () => void l.close(), { once: true });
  ready();
  const echo = async (s) => {
    s.setNoDelay(true);
    let buf = alloc(64 * 1024);
    try {
      for (;;) {
        const [n, b] = await s.read(buf);
        if (n === 0) break;
        buf = await s.writeAll(b, { length: n });
      }
    } catch {
      // the load client resets its connections when it is done
    } finally {
      await s.close();
    }
  };
  for await (const s of l) void echo(s);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function clusterWorker() {
  const port = Number(process.env.SCALING_PORT);
  let server;
  if (process.env.SCALING_PROTO === 'http') server = (await import('node:http')).createServer(handler);
  else
    server = net.createServer({ noDelay: true }, (s) => {
      s.on('data', (d) => s.write(d));
      s.on('error', () => {});
    });
  server.listen(port, HOST, () => process.send({ listening: true }));
}

async function main() {
  const a = parseArgs();
  const workers = Number(a.workers) || 1;
  const port = Number(a.port) || (await freePort());
  if (a.impl === 'rentio') {
    const { runOnAllCores } = await import('@rentio/core');
    const pool = await runOnAllCores(import.meta.url, {
      workers,
      driver: a.driver,
      workerData: { port, proto: a.proto },
      signals: false,
      shutdownTimeout: 2000,
    });
    pool.on('error', fail);
    emit({ ready: true, port, pids: [process.pid], workers });
    onCommands(
      async (line) => {
        if (line === 'stats') emit({ stats: numericStats((await pool.stats()).total) });
      },
      () => void pool.close().then(() => process.exit(0)),
    );
  } else if (a.impl === 'cluster') {
    cluster.setupPrimary({ silent: false });
    const forked = Array.from({ length: workers }, () => cluster.fork({ SCALING_PORT: String(port), SCALING_PROTO: a.proto }));
    await Promise.all(forked.map((w) => new Promise((resolve) => w.on('message', (m) => m?.listening && resolve()))));
    emit({ ready: true, port, pids: [process.pid, ...forked.map((w) => w.process.pid)], workers });
    onCommands(
      () => {},
      () => {
        for (const w of forked) w.process.kill('SIGKILL');
        process.exit(0);
      },
    );
  } else fail(new Error(`unknown --impl ${a.impl}`));
}

if (isMainThread) {
  if (cluster.isPrimary) main().catch(fail);
  else clusterWorker().catch(fail);
}
