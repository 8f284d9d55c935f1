/**
 * Idle-connection server in Deno's API: each connection has one pending conn.read into its own
 * `--buf`-byte buffer. Same protocol as idle-server.mjs; run with --v8-flags=--expose-gc.
 * @module
 */
import { emit, fail, onCommands, parseArgs } from './common.mjs';

const a = parseArgs(Deno.args);
const target: number = a.conns ?? 10000;
const held: Deno.TcpConn[] = [];
let accepted = 0;

try {
  const l = Deno.listen({ hostname: a.host ?? '127.0.0.1', port: 0 });
  (async () => {
    for await (const conn of l) {
      held.push(conn);
      conn.read(new Uint8Array(a.buf ?? 4096)).catch(() => {});
      if (++accepted === target) emit({ accepted });
    }
  })().catch(fail);
  onCommands((line) => {
    if (line !== 'gc') return;
    (globalThis as { gc?: () => void }).gc?.();
    emit({ gc: true });
  });
  emit({ ready: true, port: (l.addr as Deno.NetAddr).port });
} catch (err) {
  fail(err);
}
