// Helpers shared by the compat tests (not a test file: tap runs *.test.mjs only).
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

/** Open fds of this process. */
export function fdCount() {
  return readdirSync('/proc/self/fd').length;
}

export function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

/** Resolve once `emitter` emits `event` (reject on 'error' unless event is 'error'). */
export function once(emitter, event) {
  return new Promise((resolve, reject) => {
    const onErr = (e) => {
      emitter.off(event, on);
      reject(e);
    };
    const on = (...a) => {
      if (event !== 'error') emitter.off('error', onErr);
      resolve(a);
    };
    emitter.once(event, on);
    if (event !== 'error') emitter.once('error', onErr);
  });
}

/** Resolve once `stream` emitted 'close' (at once if it already did). */
export function closed(stream) {
  if (stream.closed && (stream._readableState?.closeEmitted || stream._writableState?.closeEmitted)) return Promise.resolve();
  return new Promise((resolve) => stream.once('close', resolve));
}

/**
 * Wait until the runtime has no op in flight and `extra()` holds, giving the loop up to `turns`
 * turns (a behaviour bound, not a clock: each turn lets completions be delivered).
 */
export async function settled(rt, extra = () => true, turns = 2000) {
  for (let i = 0; i < turns; i++) {
    if (rt.stats().inFlight === 0 && extra()) return true;
    await new Promise((r) => setImmediate(r));
  }
  return false;
}

/** Wait until `pred()` holds, giving the loop up to `turns` turns; resolves whether it did. */
export async function until(pred, turns = 2000) {
  for (let i = 0; i < turns; i++) {
    if (pred()) return true;
    await new Promise((r) => setImmediate(r));
  }
  return pred();
}

/** Staging slabs lent out (to ops or streams) right now. */
export function slabsLent(rt) {
  const s = rt.stats();
  return (s.compatPoolBuffers ?? 0) - (s.compatPoolFree ?? 0);
}

const BIG = 32 * 1024 * 1024;
let big;
/** 32 MiB of random bytes and their sha256, made once per process. */
export function bigData() {
  if (!big) {
    const data = randomBytes(BIG);
    big = { data, sha: sha256(data) };
  }
  return big;
}

/** Body of /cl and /chunked responses: depends on the request id so mixed-up responses show. */
export function bodyFor(id, n) {
  return Buffer.from(`${id}:`.padEnd(n, String.fromCharCode(97 + (id % 26))).slice(0, n));
}

/**
 * The HTTP handler every HTTP test serves:
 *   GET  /cl/<id>/<n>       content-length body of n bytes
 *   GET  /chunked/<id>/<n>  chunked body of n bytes in three writes
 *   POST /upload            responds with the sha256 of the request body and its length
 *   GET  /download          the 32 MiB bigData(), chunked, honouring back-pressure
 */
export function handler(req, res) {
  const [, kind, id, n] = req.url.split('/');
  if (kind === 'cl') {
    const body = bodyFor(+id, +n);
    res.setHeader('content-length', body.length);
    res.end(body);
  } else if (kind === 'chunked') {
    const body = bodyFor(+id, +n);
    const a = Math.floor(body.length / 3);
    res.write(body.subarray(0, a));
    res.write(body.subarray(a, 2 * a));
    res.end(body.subarray(2 * a));
  } else if (kind === 'upload') {
    const h = createHash('sha256');
    let len = 0;
    req.on('data', (c) => {
      h.update(c);
      len += c.length;
    });
    req.on('end', () => res.end(`${h.digest('hex')} ${len}`));
  } else if (kind === 'download') {
    const { data } = bigData();
    const slices = function* () {
      for (let o = 0; o < data.length; o += 100_000) yield data.subarray(o, o + 100_000);
    };
    Readable.from(slices(), { objectMode: false }).pipe(res);
  } else {
    res.statusCode = 404;
    res.end();
  }
}

/** One request with node:http (node:https for protocol 'https:'); resolves { status, headers, body }. */
export function httpRequest(opts, body) {
  return new Promise((resolve, reject) => {
    const req = (opts.protocol === 'https:' ? https : http).request(opts, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body === undefined) req.end();
    else if (body instanceof Readable) body.pipe(req);
    else req.end(body);
  });
}

/** 32 MiB of bigData() as a stream of 64 KiB chunks (a realistic upload). */
export function bigUploadStream() {
  const { data } = bigData();
  return Readable.from(
    (function* () {
      for (let o = 0; o < data.length; o += 65536) yield data.subarray(o, o + 65536);
    })(),
    { objectMode: false },
  );
}

/**
 * The HTTP workload of issue 4, with `send(opts)` doing one request:
 * `send({ method, path, body }) → { status, headers, body }`. Runs `total` keep-alive requests
 * over `concurrency` lanes (content-length and chunked, alternating), a 32 MiB upload and a
 * 32 MiB download, asserting every byte.
 */
export async function httpWorkload(t, send, { total = 1000, concurrency = 8 } = {}) {
  let next = 0;
  let bad = 0;
  const lane = async () => {
    while (next < total) {
      const id = next++;
      const n = 8 + ((id * 7919) % 3000);
      const kind = id % 2 ? 'chunked' : 'cl';
      const r = await send({ method: 'GET', path: `/${kind}/${id}/${n}` });
      const want = bodyFor(id, n);
      const framing = kind === 'cl' ? r.headers['content-length'] === String(n) : r.headers['transfer-encoding'] === 'chunked';
      if (r.status !== 200 || !want.equals(r.body) || !framing) bad++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  t.equal(bad, 0, `${total} keep-alive requests answered exactly (content-length and chunked)`);

  const { data, sha } = bigData();
  const up = await send({ method: 'POST', path: '/upload', body: 'upload' });
  t.equal(up.body.toString(), `${sha} ${data.length}`, '32 MiB upload arrives intact (sha256)');
  const down = await send({ method: 'GET', path: '/download' });
  t.equal(down.body.length, data.length, '32 MiB download: length');
  t.equal(sha256(down.body), sha, '32 MiB download: sha256');
}

/**
 * Run `fn(t, T)` once over plain node:net and once per driver over compat, with the same
 * assertions, so each expectation is shown to be Node's own. `T` gives the transport:
 *   T.name                 'node:net' or 'compat'
 *   T.Socket(opts)         an unconnected socket (`new net.Socket` / `new RentioSocket({ runtime })`)
 *   T.connect(...args)     `net.connect` / compat's `connect` on the runtime (net.connect's arguments)
 *   T.createConnection     for http's `createConnection` option (compat's takes `(opts, cb)`)
 *   T.serve(server, opts)  listen (node:net) / serve() (compat) on opts.host/port: resolves { port, close() }
 *   T.rt                   the runtime (undefined for node:net)
 */
export async function eachTransport(t, name, fn) {
  const net = await import('node:net');
  const compat = await import('@rentio/compat');
  const { eachDriver } = await import('../helpers/drivers.mjs');
  await t.test(`${name} [node:net]`, (t) =>
    fn(t, {
      name: 'node:net',
      Socket: (opts) => new net.Socket(opts),
      connect: (...args) => net.connect(...args),
      createConnection: (opts, cb) => net.createConnection(opts, cb),
      serve: (server, { host = '127.0.0.1', port = 0 } = {}) =>
        new Promise((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, host, () => {
            server.off('error', reject);
            resolve({
              port: server.address().port,
              close: () =>
                new Promise((r) => {
                  server.close(() => r());
                  server.closeAllConnections?.();
                }),
            });
          });
        }),
      rt: undefined,
    }),
  );
  await eachDriver(t, name, (t, rt) =>
    fn(t, {
      name: 'compat',
      Socket: (opts) => new compat.RentioSocket({ runtime: rt, ...opts }),
      connect: (...args) => {
        // net.connect's arguments, the runtime added to the options.
        if (typeof args[0] === 'object') return compat.connect({ runtime: rt, ...args[0] }, ...args.slice(1).map(noArgs));
        const s = new compat.RentioSocket({ runtime: rt });
        return s.connect(...args);
      },
      createConnection: (opts, cb) => compat.createConnection({ ...opts, runtime: rt }, cb),
      serve: async (server, { host = '127.0.0.1', port = 0 } = {}) => {
        const served = await compat.serve(server, { host, port, runtime: rt });
        return {
          port: served.port,
          close: () => {
            served.closeAllConnections();
            return served.close();
          },
          served,
        };
      },
      rt,
    }),
  );
}

/** net.connect's listener takes no arguments; compat's connect callback is `(err, socket)`. */
function noArgs(f) {
  return typeof f === 'function'
    ? (err) => {
        if (!err) f();
      }
    : f;
}
