/**
 * Echo server in Deno's own API (Deno.listen, conn.read → conn.write loop per connection).
 * Same protocol as echo-server.mjs.
 * @module
 */
import { emit, fail, onCommands, parseArgs } from './common.mjs';

const a = parseArgs(Deno.args);

async function serve(conn: Deno.TcpConn) {
  conn.setNoDelay(true);
  const buf = new Uint8Array(a.buf ?? 16384);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      let off = 0;
      while (off < n) off += await conn.write(buf.subarray(off, n));
    }
  } catch {
    // a reset peer ends its connection, not the server
  } finally {
    try {
      conn.close();
    } catch {
      /* already closed */
    }
  }
}

try {
  const l = Deno.listen({ hostname: a.host ?? '127.0.0.1', port: a.port ?? 0 });
  (async () => {
    for await (const conn of l) serve(conn);
  })().catch(fail);
  onCommands((line) => {
    if (line === 'stats') emit({ stats: {} });
  });
  emit({ ready: true, port: (l.addr as Deno.NetAddr).port });
} catch (err) {
  fail(err);
}
