/**
 * Echo server in Bun's own socket API (Bun.listen): what a Bun user writes for a fast TCP server.
 * Same protocol as echo-server.mjs.
 * @module
 */
import { emit, fail, onCommands, parseArgs } from './common.mjs';

const a = parseArgs(Bun.argv.slice(2));

type State = { backlog: Uint8Array | null };

try {
  const server = Bun.listen<State>({
    hostname: a.host ?? '127.0.0.1',
    port: a.port ?? 0,
    socket: {
      open(s) {
        s.data = { backlog: null };
        s.setNoDelay?.(true);
      },
      data(s, d) {
        if (s.data.backlog) {
          s.data.backlog = concat(s.data.backlog, d);
          return;
        }
        const n = s.write(d);
        // write() may take part of it under back-pressure: keep the rest for drain().
        if (n < d.byteLength) s.data.backlog = d.slice(n);
      },
      drain(s) {
        const b = s.data.backlog;
        if (!b) return;
        const n = s.write(b);
        s.data.backlog = n < b.byteLength ? b.slice(n) : null;
      },
      error() {},
    },
  });
  onCommands(
    (line) => {
      if (line === 'stats') emit({ stats: {} });
    },
    () => {
      server.stop(true);
      process.exit(0);
    },
  );
  emit({ ready: true, port: server.port });
} catch (err) {
  fail(err);
}

function concat(x: Uint8Array, y: Uint8Array): Uint8Array {
  const out = new Uint8Array(x.byteLength + y.byteLength);
  out.set(x);
  out.set(y, x.byteLength);
  return out;
}
