// Memory held by idle connections that each wait in a read, both drivers side by side, with
// node:net as the poll-style reference.
//
//   node examples/idle-memory.mjs [--conns 2000] [--quick]
//
// A completion read must hand the kernel its buffer when it is submitted: an idle connection
// with a pending 64 KiB read pins 64 KiB for as long as the peer stays quiet. A readiness
// runtime could wait without a buffer and allocate one only when the socket turns readable —
// libuv does exactly that, so node:net's idle sockets hold no read buffer. rentio's API is
// rent-style on both drivers (the caller lends the buffer when it calls read()), so under epoll
// the buffer is held too: the driver keeps it for the retry. The kernel's own bookkeeping for a
// pending op (an io_uring request, an epoll registration: a few hundred bytes in kernel slabs)
// is not in this process's RSS.
//
// The clients live in another process (examples/lib/idle-clients.mjs), so the figures here are
// the server side only.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import koffi from 'koffi';
import { alloc } from '@rentio/core';
import { arg, bytes, closeAll, fmt, openBoth, quick, table } from './lib/util.mjs';

const SIZE = 64 * 1024;
const libc = koffi.load('libc.so.6');
const malloc_trim = libc.func('int malloc_trim(size_t pad)');
const setrlimit = libc.func('int setrlimit(int resource, void *rlim)');
const RLIMIT_NOFILE = 7;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

// --- how many connections the fd limit allows ---
// This process holds one fd per connection (the child holds the other end), plus a few dozen
// of its own. Raise the soft limit toward the hard one if needed; never past it.
function fdLimits() {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = line
    .trim()
    .split(/\s+/)
    .slice(3, 5)
    .map((v) => (v === 'unlimited' ? Infinity : Number(v)));
  return { soft, hard };
}
const RESERVE = 128;
let conns = Number(arg('conns', quick ? '200' : '2000'));
let { soft, hard } = fdLimits();
if (soft < conns + RESERVE && hard > soft) {
  const want = Math.min(hard, conns + RESERVE);
  setrlimit(RLIMIT_NOFILE, new BigUint64Array([BigInt(want), BigInt(hard === Infinity ? 2 ** 63 : hard)]));
  ({ soft, hard } = fdLimits());
}
if (soft < conns + RESERVE) conns = Math.max(10, soft - RESERVE);
console.log(`fd limit (ulimit -n): soft ${soft}, hard ${hard} → ${fmt(conns)} idle connections per row`);

// Freed memory goes back to the OS before each baseline, so rows measured later do not look
// cheaper by reusing what an earlier row freed.
async function settle() {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  malloc_trim(0);
  const { rss, arrayBuffers } = process.memoryUsage();
  return { rss, arrayBuffers };
}

// Bounded: `signal` aborts the server's waiting if the clients die or take longer than 30 s.
function startClients(port) {
  const child = spawn(process.execPath, [new URL('./lib/idle-clients.mjs', import.meta.url).pathname, String(port), String(conns)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const gaveUp = new AbortController();
  const timer = setTimeout(() => gaveUp.abort(new Error('idle clients took over 30 s')), 30_000);
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('connected') && resolve());
    gaveUp.signal.addEventListener('abort', () => reject(gaveUp.signal.reason));
  });
  ready.catch(() => {});
  const exited = new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      gaveUp.abort(new Error(`idle clients exited ${code}`));
      resolve();
    }),
  );
  return { ready, signal: gaveUp.signal, stop: () => (child.stdin.end(), exited) };
}

async function rentioRow(rt) {
  const base = await settle();
  const l = await rt.listen({ host: '127.0.0.1', port: 0, backlog: 1024 });
  const clients = startClients(l.address().port);
  const reads = [];
  for (let i = 0; i < conns; i++) {
    const s = await l.accept({ signal: clients.signal });
    const buf = alloc(SIZE);
    // A server reuses its read buffer, so after a connection's first message the pages are
    // resident; fill() stands in for that message (fresh calloc'd pages would not show in RSS).
    buf.fill(0);
    reads.push(
      s.read(buf).then(
        () => null,
        (err) => err,
      ),
    );
  }
  await clients.ready;
  const held = await settle();
  const st = rt.stats();
  // Closing the runtime cancels every pending read; each rejects carrying its buffer back.
  await rt.close();
  const errs = await Promise.all(reads);
  const returned = errs.filter((e) => e?.buf?.byteLength === SIZE).length;
  await clients.stop();
  return { base, held, inFlight: st.inFlight, returned };
}

async function nodeNetRow() {
  const base = await settle();
  const socks = [];
  const server = net.createServer({ backlog: 1024 }, (s) => {
    socks.push(s);
    // Flowing: libuv polls the socket and allocates a read buffer only once it is readable.
    s.on('data', () => {});
    s.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const clients = startClients(server.address().port);
  await clients.ready;
  while (socks.length < conns) {
    if (clients.signal.aborted) throw clients.signal.reason;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const held = await settle();
  for (const s of socks) s.destroy();
  await new Promise((resolve) => server.close(resolve));
  await clients.stop();
  return { base, held };
}

const drivers = await openBoth();
const rows = [];
let ok = true;
const row = (name, m, extra) => {
  const rss = (m.held.rss - m.base.rss) / conns;
  const ab = (m.held.arrayBuffers - m.base.arrayBuffers) / conns;
  rows.push([name, fmt(conns), bytes(rss), bytes(ab), bytes(m.held.arrayBuffers - m.base.arrayBuffers), extra]);
};
for (const d of drivers) {
  if (!d.rt) {
    rows.push([d.name, `skipped: ${d.reason}`]);
    continue;
  }
  const name = `rentio ${d.name} (${d.rt.driver.model})`;
  const m = await rentioRow(d.rt);
  if (m.returned !== conns) ok = false;
  row(name, m, `${fmt(m.inFlight)} reads pending; ${fmt(m.returned)} buffers handed back on close`);
}
row('node:net (readiness, buffer on ready)', await nodeNetRow(), 'no read pending: libuv waits without a buffer');

console.log(`\nmemory per idle connection, one pending read of ${SIZE / 1024} KiB each (measured, server side):`);
table(['server', 'connections', 'RSS / conn', 'ArrayBuffer / conn', 'ArrayBuffer total', 'notes'], rows);
console.log(`
rentio holds one 64 KiB buffer per waiting read on both drivers: under uring because the kernel
owns it until data arrives, under epoll because the rent API lent it up front and the driver
keeps it for the retry. A readiness server that allocates on readiness (node:net) holds none
while idle; a uring server that wants the same uses provided-buffer rings (the kernel picks a
buffer when data arrives), which rentio does not use yet.`);
await closeAll(drivers);
if (!ok) process.exit(1);
