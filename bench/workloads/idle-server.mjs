/**
 * Idle-connection server for the memory scenario: accepts connections and leaves each with one
 * pending read. `--impl net` (a 'data' listener: libuv polls, no buffer until bytes arrive) or
 * `--impl rentio --driver uring|epoll` (a read renting a `--buf`-byte buffer, as a rentio server
 * holds one per connection).
 * Prints {"ready":true,"port":N}, then {"accepted":N} when `--conns` are in; stdin "gc" →
 * collects garbage and prints {"gc":true}. Run with --expose-gc.
 * @module
 */
import { emit, fail, onCommands, parseArgs } from './common.mjs';

const a = parseArgs();
const host = a.host ?? '127.0.0.1';
const target = a.conns ?? 10000;
const held = [];
let accepted = 0;
const counted = () => {
  if (++accepted === target) emit({ accepted });
};

async function netServer() {
  const net = await import('node:net');
  const server = net.createServer((s) => {
    held.push(s);
    s.on('data', () => {});
    s.on('error', () => {});
    counted();
  });
  await new Promise((resolve, reject) => server.listen({ port: 0, host, backlog: 4096 }, resolve).on('error', reject));
  return server.address().port;
}

async function rentioServer() {
  const { createRuntime, alloc } = await import('@rentio/core');
  const rt = await createRuntime({ driver: a.driver });
  const l = await rt.listen({ host, port: 0, backlog: 4096 });
  (async () => {
    for await (const s of l) {
      held.push(s);
      s.read(alloc(a.buf ?? 4096)).catch(() => {});
      counted();
    }
  })().catch(fail);
  return l.address().port;
}

async function main() {
  const port = a.impl === 'net' ? await netServer() : a.impl === 'rentio' ? await rentioServer() : fail(new Error(`unknown --impl ${a.impl}`));
  onCommands((line) => {
    if (line !== 'gc') return;
    globalThis.gc?.();
    globalThis.gc?.();
    emit({ gc: true });
  });
  emit({ ready: true, port });
}

main().catch(fail);
