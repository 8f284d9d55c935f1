/**
 * Idle-connection server for the memory scenario: accepts connections and leaves each with one
 * pending read. `--impl net` (a 'data' listener: libuv polls, no buffer until bytes arrive) or
 * `--impl rentio --driver uring|epoll` (a read renting a `--buf`-byte buffer, as a rentio server
 * holds one per connection; with `--pool N`, a read through an N-buffer pool instead, and with
 * `--pool N --callback`, that read as `readWith(pool, callback)`: no promise per read), or
 * `--impl compat --driver uring|epoll` (node:net's server code over compat sockets).
 * Prints {"ready":true,"port":N}, then {"accepted":N} when `--conns` are in; stdin "gc" →
 * collects garbage and prints {"gc":true}; stdin "heap PATH" → collects garbage, writes a V8 heap
 * snapshot to PATH (to see where an idle connection's bytes go) and prints {"heap":PATH}.
 * Run with --expose-gc.
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

function ignore() {}

async function rentioServer() {
  const { createRuntime, alloc } = await import('@rentio/core');
  const rt = await createRuntime({ driver: a.driver });
  // --pool: every pending read goes through one buffer pool (made before the baseline is taken),
  // so a connection holds a buffer only while bytes are in it.
  const pool = a.pool ? await rt.bufferPool({ size: a.buf ?? 4096, count: a.pool }) : null;
  const l = await rt.listen({ host, port: 0, backlog: 4096 });
  (async () => {
    for await (const s of l) {
      held.push(s);
      if (pool && a.callback) s.readWith(pool, ignore);
      else (pool ? s.read(pool) : s.read(alloc(a.buf ?? 4096))).catch(ignore);
      counted();
    }
  })().catch(fail);
  return l.address().port;
}

/** --impl compat: net.Server over rentio (compat's serve), each socket flowing with a 'data' listener, as node:net's. */
async function compatServer() {
  const net = await import('node:net');
  const { createRuntime } = await import('@rentio/core');
  const { serve, createConnection } = await import('@rentio/compat');
  const rt = await createRuntime({ driver: a.driver });
  let warm = true;
  const server = net.createServer((s) => {
    s.on('data', () => {});
    s.on('error', () => {});
    if (warm) return;
    held.push(s);
    counted();
  });
  const served = await serve(server, { host, port: 0, backlog: 4096, runtime: rt });
  // One connection that moves a byte before the baseline: compat's per-runtime pieces (read pool,
  // staging slabs) exist by then, so what is measured is the per-connection cost.
  await new Promise((resolve, reject) => {
    const c = createConnection({ host, port: served.port, runtime: rt }, () => c.end('x'));
    c.on('error', reject).on('close', resolve).resume();
  });
  warm = false;
  return served.port;
}

async function main() {
  const port =
    a.impl === 'net'
      ? await netServer()
      : a.impl === 'rentio'
        ? await rentioServer()
        : a.impl === 'compat'
          ? await compatServer()
          : fail(new Error(`unknown --impl ${a.impl}`));
  onCommands(async (line) => {
    if (line.startsWith('heap ')) {
      globalThis.gc?.();
      const v8 = await import('node:v8');
      emit({ heap: v8.writeHeapSnapshot(line.slice(5)), mem: process.memoryUsage() });
      return;
    }
    if (line !== 'gc') return;
    globalThis.gc?.();
    globalThis.gc?.();
    // Per V8 space (committed and used), for reading where RSS beyond the live heap goes.
    const { getHeapSpaceStatistics } = await import('node:v8');
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, [s.physical_space_size, s.space_used_size]]));
    emit({ gc: true, mem: process.memoryUsage(), spaces });
  });
  emit({ ready: true, port });
}

main().catch(fail);
