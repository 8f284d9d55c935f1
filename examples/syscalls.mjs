// How many times each model enters the kernel per 1,000 reads/writes — measured, both drivers
// side by side, from rt.stats() deltas around the same workload.
//
//   node examples/syscalls.mjs [--quick]
//
// Readiness (epoll) does try + wait + retry: every socket op first tries its nonblocking syscall;
// one that would block (EAGAIN) waits until Node's loop sees the epoll fd readable, then the
// driver collects the events (epoll_wait) and retries the syscall. Regular files cannot be
// polled, so each file op is a blocking pread on a worker thread plus eventfd hand-offs back.
// Completion (uring) writes one SQE per op into the ring in memory and submits every SQE queued
// in an event-loop turn with one io_uring_enter; completions are read from the CQ ring in memory.
//
// Counted: `syscalls` is every syscall the driver made (epoll's file workers included);
// `wakeups` is how often Node's loop woke the driver (each one an epoll_wait inside libuv that
// returned for the driver's fd); kernel entries = syscalls + wakeups.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alloc, own } from '@rentio/core';
import { closeAll, fmt, now, openBoth, quick, since, table } from './lib/util.mjs';

const ROUND_TRIPS = quick ? 200 : 2000;
const FILE_READS = quick ? 2000 : 20000;
const FILE_SIZE = (quick ? 8 : 64) * 1024 * 1024;
const MSG = 64;

// Stats deltas over one measured window.
async function measure(rt, body) {
  const a = rt.stats();
  const t0 = now();
  await body();
  const ms = since(t0);
  const b = rt.stats();
  const d = (k) => (b[k] ?? 0) - (a[k] ?? 0);
  return { ops: d('completed'), ms, syscalls: d('syscalls'), wakeups: d('wakeups'), submits: d('submits'), sqes: d('sqesSubmitted') };
}

// `conns` connections, each doing `rounds` ping-pongs of MSG bytes. The client lends its write
// and read buffers in the same turn: under uring both SQEs go out in one submit.
async function pingPong(rt, conns, rounds) {
  const l = await rt.listen({ host: '127.0.0.1', port: 0 });
  const echoes = [];
  const accepting = (async () => {
    for (let i = 0; i < conns; i++) {
      const s = await l.accept();
      s.setNoDelay(true);
      echoes.push(
        (async () => {
          let buf = alloc(MSG);
          for (;;) {
            const [n, b] = await s.read(buf);
            if (n === 0) break;
            buf = await s.writeAll(b, { length: n });
          }
          await s.close();
        })(),
      );
    }
  })();
  const clients = await Promise.all(Array.from({ length: conns }, () => rt.connect({ host: '127.0.0.1', port: l.address().port, noDelay: true })));
  await accepting;
  const state = clients.map((c) => ({ c, w: own('p'.repeat(MSG)), r: alloc(MSG) }));
  const round = async (st) => {
    const pw = st.c.write(st.w);
    let [got, r] = await st.c.read(st.r);
    while (got < MSG) {
      const [n, b] = await st.c.read(r, { offset: got });
      r = b;
      got += n;
    }
    st.r = r;
    st.w = (await pw)[1];
  };
  // One warm-up round outside the window: first-time costs (epoll_ctl ADD on first EAGAIN) are
  // per connection, not per op.
  await Promise.all(state.map(round));
  const m = await measure(rt, () =>
    Promise.all(
      state.map(async (st) => {
        for (let i = 0; i < rounds; i++) await round(st);
      }),
    ),
  );
  await Promise.all(state.map((st) => st.c.shutdown()));
  await Promise.all(echoes);
  await Promise.all(state.map((st) => st.c.close()));
  await l.close();
  return m;
}

// The server side of an echo whose client is another process (examples/lib/pinger.mjs): here
// the driver must wait for the network, as a real server does, instead of finding the peer's
// reply already there when its own submit returns.
async function echoForPeer(rt, rounds) {
  const l = await rt.listen({ host: '127.0.0.1', port: 0 });
  const peer = spawn(
    process.execPath,
    [new URL('./lib/pinger.mjs', import.meta.url).pathname, String(l.address().port), '1', String(rounds), String(MSG)],
    { stdio: 'inherit' },
  );
  const exited = new Promise((resolve, reject) => peer.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pinger exited ${code}`)))));
  const s = await l.accept({ signal: AbortSignal.timeout(30_000) });
  s.setNoDelay(true);
  const m = await measure(rt, async () => {
    let buf = alloc(MSG);
    for (;;) {
      const [n, b] = await s.read(buf);
      if (n === 0) break;
      buf = await s.writeAll(b, { length: n });
    }
  });
  await s.close();
  await l.close();
  await exited;
  return m;
}

// `total` random 4 KiB reads from a page-cached file with `depth` reads in flight.
async function fileReads(rt, path, depth, total) {
  const f = await rt.open(path, 'r');
  const blocks = FILE_SIZE / 4096;
  // Warm-up: under epoll this starts the file workers, which are per runtime, not per op.
  await Promise.all(Array.from({ length: depth }, () => f.read(alloc(4096), { position: 0 })));
  let issued = 0;
  const m = await measure(rt, () =>
    Promise.all(
      Array.from({ length: depth }, async () => {
        let buf = alloc(4096);
        while (issued < total) {
          issued++;
          const [, b] = await f.read(buf, { position: Math.floor(Math.random() * blocks) * 4096 });
          buf = b;
        }
      }),
    ),
  );
  await f.close();
  return m;
}

const drivers = await openBoth();
const dir = mkdtempSync(join(tmpdir(), 'rentio-syscalls-'));
const path = join(dir, 'data.bin');
writeFileSync(path, randomBytes(FILE_SIZE));
readFileSync(path); // into the page cache: these are reads the kernel serves from memory

const workloads = [
  ['tcp echo server, peer in another process', (rt) => echoForPeer(rt, ROUND_TRIPS)],
  ['tcp ping-pong in-process, 1 conn', (rt) => pingPong(rt, 1, ROUND_TRIPS)],
  ['tcp ping-pong in-process, 16 conns', (rt) => pingPong(rt, 16, Math.ceil(ROUND_TRIPS / 16))],
  ['file 4 KiB reads, QD 1', (rt) => fileReads(rt, path, 1, FILE_READS)],
  ['file 4 KiB reads, QD 8', (rt) => fileReads(rt, path, 8, FILE_READS)],
  ['file 4 KiB reads, QD 64', (rt) => fileReads(rt, path, 64, FILE_READS)],
];

const rows = [];
for (const [name, run] of workloads) {
  for (const d of drivers) {
    if (!d.rt) {
      rows.push([name, d.name, 'skipped', null, null, null, null, null, null]);
      continue;
    }
    const m = await run(d.rt);
    const per1k = (x) => fmt((x / m.ops) * 1000);
    const uring = d.rt.driver.model === 'completion';
    rows.push([
      name,
      `${d.name} (${d.rt.driver.model})`,
      fmt(m.ops),
      per1k(m.syscalls),
      per1k(m.wakeups),
      per1k(m.syscalls + m.wakeups),
      uring ? per1k(m.submits) : null,
      uring ? fmt(m.sqes / Math.max(m.submits, 1), 1) : null,
      fmt((m.ms * 1000) / m.ops, 1),
    ]);
  }
}
rmSync(dir, { recursive: true, force: true });

console.log('\nkernel entries per 1,000 reads/writes (measured):');
table(
  ['workload', 'driver', 'ops', 'syscalls /1k', 'loop wakeups /1k', 'kernel entries /1k', 'submits (io_uring_enter) /1k', 'SQEs per submit', 'µs/op'],
  rows,
);
console.log(`
In-process ping-pong has both ends on one runtime: under uring the peer's reply is usually
  complete by the time the submit that sent the request returns, so the driver is rarely woken.
epoll: every socket op is one syscall when it can go at once; one that would block adds a
  loop wakeup, an epoll_wait and a retry. Every file op is a pread on a worker thread plus the
  eventfd write/read that hands the result back. Batching changes neither.
uring: ops queued in one turn share one io_uring_enter (SQEs per submit grows with the queue
  depth). Its other syscalls are io_uring_enter(GETEVENTS) on wakeups and the credential guard's
  getresuid/getresgid pair (CVE-2024-22017). Wall-clock figures come from a shared machine:
  compare the counts.`);
await closeAll(drivers);
