/**
 * Idle-connection server in Bun's socket API (Bun.listen with a data handler). Same protocol as
 * idle-server.mjs.
 * @module
 */
import { emit, fail, onCommands, parseArgs } from './common.mjs';

const a = parseArgs(Bun.argv.slice(2));
const target: number = a.conns ?? 10000;
let accepted = 0;

try {
  const server = Bun.listen({
    hostname: a.host ?? '127.0.0.1',
    port: 0,
    socket: {
      open() {
        if (++accepted === target) emit({ accepted });
      },
      data() {},
      error() {},
    },
  });
  onCommands(
    (line) => {
      if (line !== 'gc') return;
      Bun.gc(true);
      emit({ gc: true });
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
