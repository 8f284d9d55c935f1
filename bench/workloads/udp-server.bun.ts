/**
 * UDP server in Bun's own API (Bun.udpSocket): what a Bun user writes. Same protocol as
 * udp-server.mjs (`--mode echo | count`).
 * @module
 */
import { emit, fail, onCommands, parseArgs } from './common.mjs';

const a = parseArgs(Bun.argv.slice(2));
const echo = (a.mode ?? 'echo') === 'echo';
let received = 0;

try {
  const sock = await Bun.udpSocket({
    hostname: a.host ?? '127.0.0.1',
    port: a.port ?? 0,
    socket: {
      data(s, buf, port, addr) {
        received++;
        if (!echo) return;
        // A client that already closed its socket answers with ICMP port unreachable, and Bun's
        // next send throws ECONNREFUSED: a UDP echo server drops that reply, as node:dgram does.
        try {
          s.send(buf, port, addr);
        } catch {
          // dropped
        }
      },
      // The same ICMP can also surface asynchronously, as the socket's error: without a handler
      // Bun throws it as uncaught and exits 1 (seen once in a bench --quick run under CI).
      error() {
        // dropped, as above
      },
    },
  });
  onCommands(
    (line) => {
      if (line === 'stats') emit({ stats: { received } });
    },
    () => {
      sock.close();
      process.exit(0);
    },
  );
  emit({ ready: true, port: sock.port });
} catch (err) {
  fail(err);
}
