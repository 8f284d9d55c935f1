/**
 * UDP server: `--impl dgram` (node:dgram, 'message' → send) or `--impl rentio --driver
 * uring|epoll` (the socket's datagrams through a buffer pool, `sock.messages(pool)`: a batch per
 * receive — a multishot RECVMSG under uring, one recvmmsg per readiness under epoll; an echo copies
 * each into one of a few send buffers). `--impl rentio-recv` keeps the earlier shape: `--loops`
 * concurrent recv → send loops, each renting one buffer.
 * `--mode echo` sends every datagram back to its sender; `--mode count` only counts them.
 * Prints {"ready":true,"port":N}; stdin "stats" → {"stats":{...,"received":N}}; stdin end or
 * SIGTERM ends it.
 * --host 127.0.0.1 --port 0 [--mode echo] [--loops 4]
 * @module
 */
import { emit, fail, numericStats, onCommands, parseArgs } from './common.mjs';

const a = parseArgs();
const host = a.host ?? '127.0.0.1';
const echo = (a.mode ?? 'echo') === 'echo';
let received = 0;

async function dgramServer() {
  const dgram = await import('node:dgram');
  const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  sock.on('message', (msg, rinfo) => {
    received++;
    if (echo) sock.send(msg, rinfo.port, rinfo.address);
  });
  sock.on('error', () => {});
  await new Promise((resolve) => sock.bind(a.port ?? 0, host, resolve));
  return { port: sock.address().port, stats: () => ({ received }) };
}

async function rentioServer() {
  const { createRuntime, alloc } = await import('@rentio/core');
  const rt = await createRuntime({ driver: a.driver });
  const sock = await rt.bindUdp({ type: 'udp4', address: host, port: a.port ?? 0 });
  sock.setRecvBufferSize(4 << 20);
  const pool = await rt.bufferPool({ size: 2048, count: 512 });
  // Send buffers an echo copies into, back here when their send resolves.
  const free = Array.from({ length: 64 }, () => alloc(2048));
  const sent = ([, b]) => free.push(b);
  const lost = (err) => free.push(err.buf);
  const loop = async () => {
    for await (const d of sock.messages(pool)) {
      received++;
      if (echo && free.length > 0) {
        const b = free.pop();
        const n = d.length;
        b.set(d.bytes);
        // A client that went away: its ICMP is its business (the send may report it).
        sock.send(b, { length: n, port: d.port, address: d.address }).then(sent, lost);
      }
      d.release();
    }
  };
  loop().catch(fail);
  return { port: sock.address().port, stats: () => ({ ...numericStats(rt.stats()), received }) };
}

async function rentioRecvServer() {
  const { createRuntime, alloc } = await import('@rentio/core');
  const rt = await createRuntime({ driver: a.driver });
  const sock = await rt.bindUdp({ type: 'udp4', address: host, port: a.port ?? 0 });
  sock.setRecvBufferSize(4 << 20);
  const loop = async () => {
    let buf = alloc(65536);
    for (;;) {
      const [n, b, from] = await sock.recv(buf);
      received++;
      buf = b;
      if (echo) {
        try {
          [, buf] = await sock.send(buf, { length: n, port: from.port, address: from.address });
        } catch (err) {
          // A client that went away: its ICMP is its business (the send may report it).
          buf = err.buf;
        }
      }
    }
  };
  for (let i = 0; i < (a.loops ?? 4); i++) loop().catch(fail);
  return { port: sock.address().port, stats: () => ({ ...numericStats(rt.stats()), received }) };
}

async function main() {
  const srv =
    a.impl === 'dgram'
      ? await dgramServer()
      : a.impl === 'rentio'
        ? await rentioServer()
        : a.impl === 'rentio-recv'
          ? await rentioRecvServer()
          : fail(new Error(`unknown --impl ${a.impl}`));
  onCommands((line) => {
    if (line === 'stats') emit({ stats: srv.stats() });
  });
  emit({ ready: true, port: srv.port });
}

main().catch(fail);
