// A Unix domain socket echo server and its clients, on the driver RENTIO_DRIVER picks.
//
//   node examples/unix-echo.mjs                                  bounded clients on a temp path, exit
//   node examples/unix-echo.mjs --abstract                       the same on a Linux abstract name
//   node examples/unix-echo.mjs --clients 16 --messages 1000 --size 4096
//   node examples/unix-echo.mjs --serve --path /tmp/echo.sock    serve until Ctrl-C
//                                                                (try: printf hi | nc -U -q1 /tmp/echo.sock)
//
// The same stream API as TCP — listen({ path }) instead of { port }, connect({ path }) — with one
// rented buffer per connection passed from read to write and back. A filesystem path is refused
// with EADDRINUSE if something is already there (nothing is unlinked for you); closing the
// listener removes the socket file it created. An abstract name ('\0name') lives only as long as
// the socket and never touches the filesystem.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alloc, own } from '@rentio/core';
import { arg, flag, fmt, now, quick, runtimeFromEnv, since } from './lib/util.mjs';

const serve = flag('serve');
const abstract = flag('abstract');
const clients = Number(arg('clients', quick ? '4' : '8'));
const messages = Number(arg('messages', quick ? '100' : '1000'));
const size = Number(arg('size', '1024'));
const dir = serve ? null : mkdtempSync(join(tmpdir(), 'rentio-unix-echo-'));
const path = arg('path', abstract ? `\0rentio-unix-echo-${process.pid}` : join(dir ?? tmpdir(), 'echo.sock'));
const shown = path.startsWith('\0') ? `@${path.slice(1)} (abstract)` : path;

const rt = await runtimeFromEnv();
const listener = await rt.listen({ path, readableAll: !abstract && serve, writableAll: !abstract && serve });
console.log(`listening on ${shown}`);

let served = 0;
let echoed = 0;
async function echo(s) {
  let buf = alloc(64 * 1024);
  try {
    for (;;) {
      const [n, b] = await s.read(buf);
      if (n === 0) break;
      buf = await s.writeAll(b, { length: n });
      echoed += n;
    }
    await s.shutdown();
  } catch (err) {
    if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE' && err.code !== 'ERR_RENTIO_RUNTIME_CLOSED') throw err;
  } finally {
    await s.close();
    served++;
  }
}

const serving = (async () => {
  const conns = new Set();
  for await (const s of listener) {
    const c = echo(s).finally(() => conns.delete(c));
    conns.add(c);
  }
  await Promise.all(conns);
})();

async function stop() {
  await listener.close();
  await serving;
  const st = rt.stats();
  console.log(`served ${served} connection(s), echoed ${fmt(echoed)} bytes; syscalls ${st.syscalls}, wakeups ${st.wakeups}`);
  if (!abstract) console.log(`socket file removed on close: ${!existsSync(path)}`);
  await rt.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

if (serve) {
  process.once('SIGINT', () => void stop());
} else {
  const t0 = now();
  let intact = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, id) => {
      const c = await rt.connect({ path });
      let out = own(`${id}:`.padEnd(size, 'x'));
      const expect = Buffer.from(out);
      let back = alloc(size);
      let ok = true;
      for (let i = 0; i < messages; i++) {
        out = await c.writeAll(out);
        let got = 0;
        while (got < size) {
          const [n, b] = await c.read(back, { offset: got });
          if (n === 0) throw new Error('server closed early');
          back = b;
          got += n;
        }
        ok &&= Buffer.from(back.buffer).equals(expect);
      }
      await c.shutdown();
      const [eof] = await c.read(back);
      await c.close();
      if (ok && eof === 0) intact++;
    }),
  );
  const secs = since(t0) / 1000;
  console.log(
    `clients: ${intact === clients ? `${clients} × ${messages} messages of ${size} B echoed intact` : `${clients - intact} client(s) got wrong bytes`} (${fmt((clients * messages) / secs)} msg/s)`,
  );
  await stop();
  if (intact !== clients) process.exitCode = 1;
}
