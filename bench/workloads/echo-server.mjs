/**
 * Echo server: `--impl net` (node:net, 'data' → write) or `--impl rentio --driver uring|epoll`
 * (one async read → writeAll loop per connection, renting one buffer each; with `--pool N`, each
 * read draws from one runtime pool of N `--buf`-byte buffers instead — uring's provided-buffer ring
 * with multishot recv, epoll's read on readiness — and the bytes are copied into the connection's
 * write buffer and the lease released before the write, as a server that parses in place would).
 * Prints {"ready":true,"port":N} (and "path" with --path); stdin "stats" → {"stats":{...}}; stdin
 * end or SIGTERM ends it.
 * --host 127.0.0.1 --port 0 [--buf 16384] [--pool 512]   or   --path /tmp/echo.sock (a Unix domain socket)
 * @module
 */
import { emit, fail, numericStats, onCommands, parseArgs } from './common.mjs';

const a = parseArgs();
const host = a.host ?? '127.0.0.1';
const bufSize = a.buf ?? 16384;

async function netServer() {
  const net = await import('node:net');
  const server = net.createServer({ noDelay: true }, (s) => {
    s.on('data', (d) => s.write(d));
    s.on('error', () => s.destroy());
  });
  if (a.path) {
    await new Promise((resolve, reject) => server.listen(a.path, resolve).on('error', reject));
    return { port: 0, path: a.path, stats: () => ({}) };
  }
  await new Promise((resolve, reject) => server.listen(a.port ?? 0, host, resolve).on('error', reject));
  return { port: server.address().port, stats: () => ({}) };
}

async function rentioServer() {
  const { createRuntime, alloc } = await import('@rentio/core');
  const rt = await createRuntime({ driver: a.driver });
  const l = a.path ? await rt.listen({ path: a.path }) : await rt.listen({ host, port: a.port ?? 0 });
  const pool = a.pool ? await rt.bufferPool({ size: bufSize, count: a.pool }) : null;
  const serve = async (s) => {
    if (pool) return servePooled(s);
    if (!a.path) s.setNoDelay(true);
    let buf = alloc(bufSize);
    try {
      for (;;) {
        let n;
        [n, buf] = await s.read(buf);
        if (n === 0) break;
        buf = await s.writeAll(buf, { length: n });
      }
    } catch {
      // a reset peer ends its connection, not the server
    } finally {
      await s.close().catch(() => {});
    }
  };
  const servePooled = async (s) => {
    if (!a.path) s.setNoDelay(true);
    // A lease is a view into the pool's buffer, not a rentable buffer: its bytes go out through
    // the connection's own write buffer, so the pool buffer goes back before the write waits.
    let out = alloc(bufSize);
    try {
      for (;;) {
        const [n, lease] = await s.read(pool);
        if (n === 0) break;
        out.set(lease.bytes);
        lease.release();
        out = await s.writeAll(out, { length: n });
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
  return { port: a.path ? 0 : l.address().port, path: a.path, stats: () => numericStats(rt.stats()) };
}

async function main() {
  const srv = a.impl === 'net' ? await netServer() : a.impl === 'rentio' ? await rentioServer() : fail(new Error(`unknown --impl ${a.impl}`));
  onCommands((line) => {
    if (line === 'stats') emit({ stats: srv.stats() });
  });
  emit({ ready: true, port: srv.port, ...(srv.path ? { path: srv.path } : {}) });
}

main().catch(fail);
