/**
 * HTTP keep-alive server for wrk: every request gets `Hello, World!` as text/plain.
 *   --impl plain                    node:http createServer on node:net
 *   --impl compat --driver D        the same node:http server, its sockets from @rentio/compat
 *   --impl raw --driver D           a minimal responder on raw rentio TcpStreams: counts request
 *                                   ends (CRLF CRLF) and writes a fixed response per request —
 *                                   no parser, no headers object: the headroom under node:http
 * Prints {"ready":true,"port":N}; stdin "stats" → {"stats":{...}}; stdin end or SIGTERM ends it.
 * @module
 */
import { emit, fail, numericStats, onCommands, parseArgs } from './common.mjs';

const a = parseArgs();
const host = a.host ?? '127.0.0.1';
const BODY = 'Hello, World!';

const handler = (req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': BODY.length });
  res.end(BODY);
};

async function plain() {
  const http = await import('node:http');
  const server = http.createServer(handler);
  await new Promise((resolve, reject) => server.listen(0, host, resolve).on('error', reject));
  return { port: server.address().port, stats: () => ({}) };
}

async function compat() {
  const http = await import('node:http');
  const { createRuntime } = await import('@rentio/core');
  const { serve } = await import('@rentio/compat');
  const rt = await createRuntime({ driver: a.driver });
  // The same server object as plain(); compat accepts with a rentio listener and hands each
  // connection to it as a net.Socket-like Duplex.
  const served = await serve(http.createServer(handler), { port: 0, host, runtime: rt });
  return { port: served.port, stats: () => numericStats(rt.stats()) };
}

async function raw() {
  const { createRuntime, alloc, own } = await import('@rentio/core');
  const rt = await createRuntime({ driver: a.driver });
  const l = await rt.listen({ host, port: 0 });
  const RESPONSE = `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`;
  const END = [13, 10, 13, 10];
  const serve = async (s) => {
    s.setNoDelay(true);
    let buf = alloc(16384);
    let out = own(RESPONSE);
    let matched = 0; // bytes of CRLF CRLF matched so far, across reads
    try {
      for (;;) {
        let n;
        [n, buf] = await s.read(buf);
        if (n === 0) break;
        let requests = 0;
        for (let i = 0; i < n; i++) {
          const c = buf[i];
          matched = c === END[matched] ? matched + 1 : c === 13 ? 1 : 0;
          if (matched === 4) {
            requests++;
            matched = 0;
          }
        }
        for (; requests > 0; requests--) out = await s.writeAll(out);
      }
    } catch {
      // a reset peer ends its connection, not the server
    } finally {
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
