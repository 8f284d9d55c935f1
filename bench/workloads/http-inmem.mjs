/**
 * node:http's own cost per request, with no kernel under it: the HTTP scenario's server
 * (`Hello, World!`, keep-alive) given `--conns` in-memory connections — Duplex streams handed to it
 * with `server.emit('connection')` — each sending its next `GET /` once the previous response has
 * arrived, as wrk does. What remains is node:http's parser, request and response objects, headers
 * and the Duplex stream machinery every net.Socket-like socket brings (compat's sockets are
 * Duplexes too); this Duplex's own code is a few lines.
 * The HTTP targets' floor (bench/lib/floor.mjs) adds it to the raw responder's CPU per request
 * (the kernel's recv + send and a minimal transport) for the least any socket layer under an
 * unmodified node:http can spend.
 * Prints {"value": req/s, "user_us_per_req", "sys_us_per_req", "requests"} after `--seconds`.
 * Usage: node http-inmem.mjs [--conns 64] [--seconds 2] [--warmup 1]
 * @module
 */
import http from 'node:http';
import { Duplex } from 'node:stream';
import { emit, parseArgs } from './common.mjs';

const a = parseArgs();
const CONNS = a.conns ?? 64;
const BODY = 'Hello, World!';
const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': BODY.length });
  res.end(BODY);
});

let completed = 0;

/** A keep-alive client's end of one connection: counts response bytes, sends the next request. */
class Connection extends Duplex {
  remoteAddress = '127.0.0.1';
  remotePort = 1;
  #received = 0;
  /** @param {number} responseBytes one whole response's size; Infinity to only count */
  constructor(responseBytes) {
    super();
    this.responseBytes = responseBytes;
    this.seen = 0;
  }
  _read() {}
  _write(chunk, _enc, cb) {
    this.#took(chunk.length);
    cb();
  }
  _writev(chunks, cb) {
    for (const c of chunks) this.#took(c.chunk.length);
    cb();
  }
  #took(n) {
    this.seen += n;
    this.#received += n;
    if (this.#received < this.responseBytes) return;
    this.#received -= this.responseBytes;
    completed++;
    // The next request in a later turn, as from a socket: never re-entering the response's write.
    setImmediate(() => this.push(REQUEST));
  }
}

/** One request on a counting connection: the response's size in bytes. */
async function responseSize() {
  const c = new Connection(Infinity);
  server.emit('connection', c);
  c.push(REQUEST);
  while (c.seen === 0 || !(await settled(c))) await new Promise((r) => setTimeout(r, 5));
  c.destroy();
  return c.seen;
}
const settled = async (c) => {
  const before = c.seen;
  await new Promise((r) => setTimeout(r, 20));
  return c.seen === before;
};

const size = await responseSize();
const conns = Array.from({ length: CONNS }, () => new Connection(size));
for (const c of conns) {
  server.emit('connection', c);
  c.push(REQUEST);
}
await new Promise((r) => setTimeout(r, (a.warmup ?? 1) * 1000));
const n0 = completed;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await new Promise((r) => setTimeout(r, (a.seconds ?? 2) * 1000));
const cpu = process.cpuUsage(cpu0);
const requests = completed - n0;
const seconds = (performance.now() - t0) / 1000;
emit({ value: requests / seconds, requests, user_us_per_req: cpu.user / requests, sys_us_per_req: cpu.system / requests, response_bytes: size });
process.exit(0);
