/**
 * Static-file HTTP server: every request gets `--file` whole (200, Content-Length, then the bytes)
 * and the connection closes (the client asks `Connection: close`).
 *   --impl plain                    node:http on node:net, `pipeline(fs.createReadStream(file), res)`
 *   --impl compat --driver D        the same node:http server over @rentio/compat sockets (`serve()`),
 *                                   the body from compat's `createReadStream` on the same runtime
 *   --impl raw --driver D           a raw rentio responder: accept, read the request head to its
 *                                   CRLF CRLF, write the response head, `sendFile` the file
 *                                   (uring: IORING_OP_SPLICE through a pipe; epoll: sendfile(2))
 * Prints {"ready":true,"port":N}; stdin "stats" → {"stats":{...}}; stdin end or SIGTERM ends it.
 * --file PATH [--host 127.0.0.1]
 * @module
 */
import { statSync } from 'node:fs';
import { emit, fail, numericStats, onCommands, parseArgs } from './common.mjs';

const a = parseArgs();
const host = a.host ?? '127.0.0.1';
const file = String(a.file);
const size = statSync(file).size;
const HEAD = `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`;

/** node:http's handler for plain and compat: the body through a file read stream. */
function handler(openStream, pipeline) {
  return (req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
    pipeline(openStream(), res).catch(() => res.destroy());
  };
}

async function plain() {
  const http = await import('node:http');
  const { createReadStream } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  const server = http.createServer(handler(() => createReadStream(file), pipeline));
  await new Promise((resolve, reject) => server.listen(0, host, resolve).on('error', reject));
  return { port: server.address().port, stats: () => ({}) };
}

async function compat() {
  const http = await import('node:http');
  const { pipeline } = await import('node:stream/promises');
  const { createRuntime } = await import('@rentio/core');
  const { serve, createReadStream } = await import('@rentio/compat');
  const rt = await createRuntime({ driver: a.driver });
  const server = http.createServer(handler(() => createReadStream(file, { runtime: rt }), pipeline));
  const served = await serve(server, { port: 0, host, runtime: rt });
  return { port: served.port, stats: () => numericStats(rt.stats()) };
}

async function raw() {
  const { createRuntime, alloc, own } = await import('@rentio/core');
  const rt = await createRuntime({ driver: a.driver });
  const l = await rt.listen({ host, port: 0 });
  const END = [13, 10, 13, 10];
  const serve = async (s) => {
    s.setNoDelay(true);
    let buf = alloc(8192);
    let f = null;
    try {
      // The request head: read until its blank line (a GET has no body to wait for).
      for (let matched = 0; matched < 4;) {
        let n;
        [n, buf] = await s.read(buf);
        if (n === 0) return;
        for (let i = 0; i < n && matched < 4; i++) matched = buf[i] === END[matched] ? matched + 1 : buf[i] === 13 ? 1 : 0;
      }
      f = await rt.open(file);
      await s.writeAll(own(HEAD));
      const sent = await s.sendFile(f, { length: size });
      if (sent !== size) throw new Error(`sendFile sent ${sent} of ${size} bytes`);
      await s.shutdown();
    } catch (err) {
      // ends this connection, not the server; said on stderr so a short body has a reason
      process.stderr.write(`static-server: ${err?.stack ?? err}\n`);
    } finally {
      await f?.close().catch(() => {});
      await s.close().catch(() => {});
    }
  };
  (async () => {
    for await (const s of l) void serve(s);
  })().catch(fail); // serve() never rejects: it catches per connection
  return { port: l.address().port, stats: () => numericStats(rt.stats()) };
}

async function main() {
  const impls = { plain, compat, raw };
  if (!impls[a.impl]) throw new Error(`unknown --impl ${a.impl}`);
  const srv = await impls[a.impl]();
  onCommands((line) => {
    if (line === 'stats') emit({ stats: srv.stats() });
  });
  emit({ ready: true, port: srv.port });
}

main().catch(fail);
