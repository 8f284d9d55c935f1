/**
 * The scaling scenario in Bun: N Bun processes (Bun runs JS on one thread), each listening on
 * one port with `reusePort` — the echo server of echo-server.bun.ts (`--proto echo`, Bun.listen)
 * or `Hello, World!` over Bun.serve (`--proto http`). The parent prints `{ ready, port, pids }`
 * once every child serves; it kills them when stdin closes.
 * @module
 */
import { emit, fail, onCommands, parseArgs } from './common.mjs';

const a = parseArgs(Bun.argv.slice(2));
const HOST = '127.0.0.1';

type State = { backlog: Uint8Array | null };

function child(port: number, proto: string): void {
  if (proto === 'http') {
    Bun.serve({ hostname: HOST, port, reusePort: true, fetch: () => new Response('Hello, World!', { headers: { 'Content-Type': 'text/plain' } }) });
  } else {
    Bun.listen<State>({
      hostname: HOST,
      port,
      reusePort: true,
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
    } as Parameters<typeof Bun.listen<State>>[0]);
  }
  emit({ ready: true });
}

async function parent(): Promise<void> {
  const workers = Number(a.workers) || 1;
  // Bind once to learn a free port, then let every child join it with reusePort.
  const probe = Bun.listen({ hostname: HOST, port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  const kids = Array.from({ length: workers }, () =>
    Bun.spawn([process.execPath, import.meta.path, '--child', '--port', String(port), '--proto', String(a.proto)], {
      stdout: 'pipe',
      stderr: 'inherit',
      stdin: 'ignore',
    }),
  );
  await Promise.all(
    kids.map(async (k) => {
      const reader = k.stdout.getReader();
      let text = '';
      while (!text.includes('"ready"')) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`a Bun child exited before serving: ${text}`);
        text += new TextDecoder().decode(value);
      }
    }),
  );
  emit({ ready: true, port, pids: [process.pid, ...kids.map((k) => k.pid)], workers });
  onCommands(
    () => {},
    () => {
      for (const k of kids) k.kill(9);
      process.exit(0);
    },
  );
}

function concat(x: Uint8Array, y: Uint8Array): Uint8Array {
  const out = new Uint8Array(x.byteLength + y.byteLength);
  out.set(x);
  out.set(y, x.byteLength);
  return out;
}

try {
  if (a.child) child(Number(a.port), String(a.proto));
  else await parent();
} catch (err) {
  fail(err);
}
