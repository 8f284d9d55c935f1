// A TCP echo server on the driver RENTIO_DRIVER picks (uring | epoll | auto).
//
//   node examples/echo-server.mjs [--port 7007] [--host 127.0.0.1]      serve until Ctrl-C
//   node examples/echo-server.mjs --once                                 exit after one connection
//   node examples/echo-server.mjs --clients 8 --messages 500             run a bounded client, exit
//
// Each connection rents one buffer and passes it from read to write and back: the read hands
// back the memory the kernel filled, and writeAll hands it back once the kernel has sent it, so a
// connection holds exactly one buffer however many messages it echoes.
import { alloc, own } from '@rentio/core';
import { arg, flag, fmt, now, runtimeFromEnv, since } from './lib/util.mjs';

const host = arg('host', '127.0.0.1');
const port = Number(arg('port', '0'));
const once = flag('once');
const clients = Number(arg('clients', '0'));
const messages = Number(arg('messages', '200'));
const size = Number(arg('size', '1024'));

const rt = await runtimeFromEnv();
const listener = await rt.listen({ host, port });
console.log(`listening on ${host}:${listener.address().port}`);

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
  } catch (err) {
    // A peer that resets is the peer's business; anything else is ours.
    if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE' && err.code !== 'ERR_RENTIO_RUNTIME_CLOSED') throw err;
  } finally {
    await s.close();
    served++;
  }
}

const serving = (async () => {
  const conns = new Set();
  // The for-await loop ends (without throwing) when the listener is closed.
  for await (const s of listener) {
    s.setNoDelay(true);
    const c = echo(s).finally(() => conns.delete(c));
    conns.add(c);
    if (once) {
      await listener.close();
      break;
    }
  }
  await Promise.all(conns);
})();

async function stop() {
  await listener.close();
  await serving;
  const st = rt.stats();
  console.log(`served ${served} connection(s), echoed ${fmt(echoed)} bytes; syscalls ${st.syscalls}, wakeups ${st.wakeups}`);
  await rt.close();
}

if (clients > 0) {
  // Bounded clients: each sends `messages` messages and checks every echoed byte.
  const t0 = now();
  await Promise.all(
    Array.from({ length: clients }, async (_, id) => {
      const c = await rt.connect({ host, port: listener.address().port, noDelay: true });
      let out = own(`${id}:`.padEnd(size, 'x'));
      const expect = Buffer.from(out);
      let back = alloc(size);
      for (let i = 0; i < messages; i++) {
        out = await c.writeAll(out);
        let got = 0;
        while (got < size) {
          const [n, b] = await c.read(back, { offset: got });
          if (n === 0) throw new Error('server closed early');
          back = b;
          got += n;
        }
        if (!expect.equals(back)) throw new Error(`client ${id}: message ${i} came back different`);
      }
      await c.close();
    }),
  );
  const ms = since(t0);
  console.log(
    `clients: ${clients} × ${messages} messages of ${size} B echoed intact in ${ms.toFixed(0)} ms (${fmt((clients * messages) / (ms / 1000))} msg/s)`,
  );
  await stop();
} else if (once) {
  await serving;
  await stop();
} else {
  console.log('serving until stopped (Ctrl-C)');
  const onSignal = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    void stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
