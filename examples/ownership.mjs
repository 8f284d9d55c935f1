// Why the caller's buffer is detached while the kernel owns it, and what code that tries to
// touch it sees — on both drivers side by side; then how @rentio/compat gives poll-style
// streams (write() and reuse the Buffer at once) their usual contract on top.
//
//   node examples/ownership.mjs
//
// Under completion (uring) the kernel holds the buffer's address from submission until the CQE:
// it may write a read's bytes into it, or read a write's bytes out of it, at any moment in
// between, on another CPU. Under readiness (epoll) each syscall touches it only while it runs,
// but an op that waits (a read for data, a write for room in the socket) comes back to the same
// memory on every retry. In both, a change made meanwhile would be a silent data race, so rentio
// takes the memory away: lending a buffer detaches the caller's ArrayBuffer (byteLength 0), and
// the op resolves with a new view of the same memory once nobody else can touch it.
import koffi from 'koffi';
import { alloc, own } from '@rentio/core';
import { closeAll, fmt, openBoth, table, turn } from './lib/util.mjs';

const SIZE = 64 * 1024;

// What a synchronous misuse throws (its code), or what it returned.
function attempt(fn) {
  try {
    const v = fn();
    if (v && typeof v.catch === 'function') v.catch(() => {});
    return 'accepted (!)';
  } catch (err) {
    return err.code ?? `${err.name}: ${err.message.split('\n')[0]}`;
  }
}

async function rentContract(rt) {
  const l = await rt.listen({ host: '127.0.0.1', port: 0 });
  const c = await rt.connect({ host: '127.0.0.1', port: l.address().port });
  const s = await l.accept();
  const out = {};

  const buf = alloc(SIZE);
  buf[0] = 1;
  const addr = koffi.address(buf);
  const pending = s.read(buf);
  out.during = `${buf.byteLength}`;
  out.readIdx = String(buf[0]);
  buf[0] = 99;
  out.writeIdx = buf[0] === undefined ? 'dropped: buf[0] reads back undefined' : `kept: ${buf[0]} (!)`;
  out.fill = attempt(() => buf.fill(7));
  out.relend = attempt(() => c.read(buf));
  // The read stays pending across event-loop turns until the peer writes: the whole time, the
  // memory belongs to the op.
  for (let i = 0; i < 3; i++) await turn();
  out.stillLent = `${buf.byteLength}`;
  await c.writeAll(own('hello'));
  const [n, back] = await pending;
  out.back = `[${n}, ${back.byteLength} B holding "${Buffer.from(back.subarray(0, n))}"]`;
  out.landed = back[0] === 99 ? 'yes (!)' : 'no: the memory holds only what the kernel wrote';
  out.same = koffi.address(back) === addr ? 'yes (same address)' : 'no (!)';
  out.caller = `${buf.byteLength} (stays detached; use the one handed back)`;

  // A big write to a peer that is not reading yet: the kernel (or the driver's retries) reads
  // from this memory until the last byte is in the socket, however many turns that takes.
  const BIG = 16 * 1024 * 1024; // more than loopback's socket buffers hold
  const big = alloc(BIG);
  big.fill(0x42);
  let turns = 0;
  let done = false;
  const writing = c.writeAll(big).then((b) => {
    done = true;
    return b;
  });
  const drain = (async () => {
    let rb = alloc(SIZE);
    let got = 0;
    for (let i = 0; i < 5; i++) await turn(); // let the socket buffers fill first
    while (got < BIG) {
      const [k, b] = await s.read(rb);
      rb = b;
      got += k;
    }
  })();
  while (!done) {
    await turn();
    turns++;
  }
  const bigBack = await writing;
  await drain;
  out.bigWrite = `${turns} event-loop turns (handed back: ${bigBack.byteLength / 1048576} MiB, unchanged: ${bigBack.every((x) => x === 0x42)})`;

  // Buffers that cannot be lent without breaking memory the caller does not own.
  out.pooled = attempt(() => c.write(Buffer.from('pooled')));
  out.view = attempt(() => c.write(alloc(64).subarray(8)));
  out.shared = attempt(() => c.write(new Uint8Array(new SharedArrayBuffer(64))));

  await c.close();
  await s.close();
  await l.close();
  return out;
}

// compat: a stream.Duplex over a rentio TcpStream. A poll-style writer may change its Buffer the
// moment write() returns, so compat copies the bytes into a staging slab at once and lends the
// slab, never the caller's memory.
async function compatStaging(rt, compat) {
  const l = await rt.listen({ host: '127.0.0.1', port: 0 });
  const sock = compat.connect({ host: '127.0.0.1', port: l.address().port, runtime: rt });
  const s = await l.accept();
  await new Promise((resolve, reject) => (sock.connecting ? sock.once('connect', resolve).once('error', reject) : resolve()));
  const small = Buffer.from('original bytes');
  const large = Buffer.alloc(200 * 1024, 0x61); // larger than a 64 KiB slab: staged across several
  const expected = Buffer.concat([small, large]);
  sock.write(small);
  sock.write(large);
  const lengths = `${small.byteLength} / ${large.byteLength}`;
  small.fill(0x58); // 'X': changed right after write() returned
  large.fill(0x58);
  sock.end();
  const chunks = [];
  let rb = alloc(SIZE);
  for (;;) {
    const [n, b] = await s.read(rb);
    if (n === 0) break;
    chunks.push(Buffer.from(b.subarray(0, n)));
    rb = b;
  }
  const got = Buffer.concat(chunks);
  // Close our end; the duplex sees EOF and, not allowing half-open, closes too.
  const closed = new Promise((resolve) => (sock.closed ? resolve() : sock.once('close', resolve)));
  sock.resume();
  await s.close();
  await closed;
  await l.close();
  const st = rt.stats();
  return {
    got: got.equals(expected)
      ? `the original bytes (${fmt(got.length)} B, first: "${got.subarray(0, 14)}")`
      : `CHANGED bytes (!) "${got.subarray(0, 14)}"`,
    ok: got.equals(expected),
    lengths,
    slabs: `${st.compatPoolBuffers} made, ${st.compatPoolBuffers - st.compatPoolFree} lent now`,
  };
}

const drivers = await openBoth();
const results = [];
for (const d of drivers) results.push(d.rt ? await rentContract(d.rt) : null);

const rows = [
  ["byteLength of the caller's view during a pending read", 'during'],
  ['read buf[0] while lent', 'readIdx'],
  ['write buf[0] = 99 while lent', 'writeIdx'],
  ['buf.fill(7) while lent', 'fill'],
  ['lend it to another op while lent', 'relend'],
  ['byteLength 3 turns later, still pending', 'stillLent'],
  ['the read resolves', 'back'],
  ['did the write of 99 reach the memory?', 'landed'],
  ['same memory handed back', 'same'],
  ["caller's old view afterwards", 'caller'],
  ['a 16 MiB writeAll to a slow reader: lent for', 'bigWrite'],
  ['lend a pooled Buffer (Buffer.from)', 'pooled'],
  ['lend a subarray', 'view'],
  ['lend a SharedArrayBuffer view', 'shared'],
].map(([label, key]) => [label, ...results.map((r, i) => (r ? r[key] : `skipped: ${drivers[i].reason}`))]);
console.log('\nthe rent contract, same on both drivers (measured):');
table(['what the caller does', ...drivers.map((d) => (d.rt ? `${d.name} (${d.rt.driver.model})` : d.name))], rows);
console.log(`
Why: under uring the kernel holds the buffer's address from submit to CQE and may read or write
it at any moment in between; under epoll the driver comes back to the same memory on every retry
(the 16 MiB write above went out over many turns either way). A change made meanwhile would race
with the kernel, so the engine takes the memory from the caller (detach) and the op hands the
same memory back when it is done. Pooled Buffers, subarrays and shared memory are refused:
detaching them would break memory the caller does not own alone.`);

// compat may be mid-change in this workspace: use it when it loads, say so when it does not.
let compat;
try {
  compat = await import('@rentio/compat');
  if (typeof compat.connect !== 'function') throw new Error('no connect() export');
} catch (err) {
  console.log(`\n@rentio/compat is not usable here (${err.message.split('\n')[0]}): staging not shown.`);
  compat = null;
}
let compatOk = true;
if (compat) {
  const crow = [];
  for (const d of drivers) crow.push(d.rt ? await compatStaging(d.rt, compat) : null);
  compatOk = crow.every((r) => !r || r.ok);
  console.log('\n@rentio/compat: duplex.write(buf), then buf.fill("X") at once (measured):');
  table(
    ['', ...drivers.map((d) => (d.rt ? `${d.name} (${d.rt.driver.model})` : d.name))],
    [
      ["caller's Buffers after write() (byteLength)", ...crow.map((r) => r?.lengths ?? 'skipped')],
      ['the peer received', ...crow.map((r) => r?.got ?? 'skipped')],
      ['staging slabs (64 KiB)', ...crow.map((r) => r?.slabs ?? 'skipped')],
    ],
  );
  console.log(`
compat copies each write() into pooled staging slabs before it returns and lends those to the
kernel, so Buffers stay attached and reusable, as node:net promises; the cost is one memcpy per
write. Raw rentio skips that copy by taking the caller's memory instead.`);
}
await closeAll(drivers);
const contractOk = results.every((r) => !r || (r.during === '0' && r.relend === 'ERR_RENTIO_BUFFER_DETACHED' && r.same.startsWith('yes')));
if (!contractOk || !compatOk) process.exit(1);
