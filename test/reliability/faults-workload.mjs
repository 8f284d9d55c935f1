// One seeded fault schedule over a mixed workload (issue 15), shared by faults.test.mjs and the
// soak's --faults mode: echo over TCP, a file copy, writeAll of a large buffer, an abort storm of
// reads and sleeps, a handle closed and the runtime closed with ops in flight — all on one
// runtime while a FaultPlan (from @rentio/core/testing) injects faults at the drivers' result
// points. Afterwards the invariants are checked and returned as a list of violations (empty: the
// run held):
// - every op settled exactly once (its promise settled, no "completed twice" warning, the
//   runtime's submitted === completed and inFlight 0);
// - every rented buffer handed back, whole, on success, error, abort and close;
// - no byte lost, duplicated or reordered on any stream: what a side received is a prefix of what
//   the other sent (all of it when the stream finished), compared by sha256;
// - no fd left open (/proc/self/fd back to its count before the runtime was made);
// - rt.close() completed.
// Two flavours per seed (its low bit): "benign" faults only (EINTR, EAGAIN, short, late, cancel
// races, SQ full, CQ overflow, refused submits), which the drivers and writeAll must absorb —
// every stream and copy then completes intact; and "hard" ones with ENOMEM, ENOBUFS, EBADF and
// ECONNRESET too, where an op may fail but nothing may be lost, leaked or left hanging.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alloc, createRuntime } from '@rentio/core';
import { FaultPlan, setFaultPlan } from '@rentio/core/testing';
import { fdCount } from '../helpers/util.mjs';

export const BENIGN = ['EINTR', 'EAGAIN', 'short', 'late', 'cancelRace', 'sqFull', 'cqOverflow', 'submitRefused'];
const sha = (b) => createHash('sha256').update(b).digest('hex');
const turn = () => new Promise((r) => setImmediate(r));
const isAbort = (e) => e?.name === 'AbortError';
const isClosed = (e) => e?.code === 'ERR_RENTIO_HANDLE_CLOSED' || e?.code === 'ERR_RENTIO_RUNTIME_CLOSED';

/** A small PRNG for the workload's own choices (sizes, abort moments), from the same seed. */
function rng(seed) {
  let s = (seed ^ 0x5bd1e995) >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

/** Settle tracking: every op promise goes through `op()`; buffers rented are counted back. */
class Ledger {
  started = 0;
  settledCount = 0;
  rented = 0;
  returned = 0;
  bad = [];
  /** Track an op that rents `buf`: `start(buf)` starts it (the size is read first: renting detaches the buffer). */
  rent(buf, start) {
    const size = buf.byteLength;
    let p;
    try {
      p = start(buf);
    } catch (error) {
      // Refused before it took the buffer (the handle was closed): the caller still holds it.
      p = Promise.reject(Object.assign(error, { buf }));
    }
    return this.#track(p, size, start);
  }

  /** Track an op that rents nothing: `start()` starts it; resolves { value, error }. */
  op(start) {
    let p;
    try {
      p = start();
    } catch (error) {
      p = Promise.reject(error);
    }
    return this.#track(p, -1, start);
  }

  /** What is still pending, by the code that started it (for a hang's report). */
  pending = new Map();

  #track(p, size, start) {
    const id = this.started;
    this.pending.set(id, String(start).slice(0, 60));
    p = p.finally(() => this.pending.delete(id));
    this.started++;
    if (size >= 0) this.rented++;
    let once = false;
    return p.then(
      (value) =>
        this.#settle(once, (once = true), { value, buf: Array.isArray(value) ? value[1] : value instanceof Uint8Array ? value : undefined }, size),
      (error) => this.#settle(once, (once = true), { error, buf: error?.buf }, size),
    );
  }

  #settle(twice, _, out, size) {
    if (twice) this.bad.push('an op settled twice');
    this.settledCount++;
    if (size >= 0) {
      if (out.buf instanceof Uint8Array && out.buf.byteLength === size) this.returned++;
      else
        this.bad.push(`buffer of ${size} bytes not handed back (${out.error ? out.error.code || out.error.name : 'ok'}: got ${out.buf?.byteLength})`);
    }
    return out;
  }
}

/**
 * Run one schedule on `driver`. Returns { violations, counts, ops, bytes }.
 * @param {{ driver: string, seed: number, dir: string, rate?: number, scale?: number }} o
 */
export async function runSchedule({ driver, seed, dir, rate = 0.05, scale = 1 }) {
  const benign = (seed & 1) === 0;
  const rand = rng(seed);
  const v = [];
  const warns = [];
  const onWarn = (w) => {
    if (w.name === 'RentioWarning') warns.push(w.message);
  };
  process.on('warning', onWarn);
  const fds0 = fdCount();
  const fdsBefore = fdTargets();
  const plan = new FaultPlan(seed, { rate, kinds: benign ? BENIGN : undefined });
  const L = new Ledger();
  const parts = new Set();
  let bytes = 0;
  const rt = await createRuntime({ driver });
  setFaultPlan(plan);
  // A watchdog against hangs (a hang is a failure that prints its seed, not a stuck test run).
  let hung = null;
  const watchdog = new Promise((resolve) => {
    hung = setTimeout(() => resolve('hang'), 30000 * scale);
  });
  const strict = (what, r) => {
    if (r.error && benign && !isAbort(r.error) && !isClosed(r.error)) v.push(`${what}: ${r.error.code || r.error.name}: ${r.error.message}`);
    return r;
  };
  try {
    const work = (async () => {
      // A listener per pair, so each connect meets its own accept.
      const pair = async () => {
        const l = await L.op(() => rt.listen({ port: 0, host: '127.0.0.1' }));
        if (l.error) return strict('listen', l) && null;
        const listener = l.value;
        const c = await L.op(() => rt.connect({ host: '127.0.0.1', port: listener.address().port }));
        let s = null;
        // An accept may fail (hard faults): the connection waits in the backlog, try again.
        for (let i = 0; !c.error && s === null && i < 8; i++) {
          const a = await L.op(() => listener.accept());
          if (a.error) strict('accept', a);
          else s = a.value;
        }
        await L.op(() => listener.close());
        if (c.error) return strict('connect', c) && null;
        if (s === null) {
          await L.op(() => c.value.close());
          return null;
        }
        return [c.value, s];
      };
      const part = (name, p) => {
        parts.add(name);
        return p.finally(() => parts.delete(name));
      };
      await Promise.all([
        ...Array.from({ length: 3 }, (_, i) =>
          part(
            `echo ${i}`,
            echo(L, pair, rand, strict, v, i, (n) => (bytes += n), scale),
          ),
        ),
        part(
          'bulk',
          bulk(L, pair, rand, strict, v, (n) => (bytes += n), scale),
        ),
        part(
          'copy',
          copy(L, rt, rand, strict, v, dir, seed, (n) => (bytes += n), scale),
        ),
        part(
          'storm',
          storm(L, rt, pair, rand, strict, v, (n) => (bytes += n)),
        ),
      ]);
      await part('close mid-flight', closeMidFlight(L, pair, v));
      // Runtime close with ops in flight: reads on a fresh pair and a sleep.
      const p = await pair();
      if (p)
        for (let i = 0; i < 4; i++)
          L.rent(alloc(4096), (b) => p[1].read(b)).then((r) => r.error && !isClosed(r.error) && strict('read at runtime close', r));
      L.op(() => rt.sleep(60000)).then((r) => !isClosed(r.error) && v.push('a sleep survived runtime close'));
      await turn();
    })();
    if ((await Promise.race([work.then(() => 'done'), watchdog])) === 'hang') {
      const st = rt.stats();
      v.push(
        `workload hung: ${[...parts].join(', ')} unfinished; ${st.inFlight} ops in flight (${st.waitingForReadiness} waiting for readiness), ${plan.held} results held; pending: ${[...L.pending.values()].join(' | ')}`,
      );
    }
    const closed = rt.close().then(() => 'closed');
    const closeWatch = new Promise((resolve) => setTimeout(() => resolve('hang'), 30000 * scale).unref());
    if ((await Promise.race([closed, closeWatch])) === 'hang') v.push('rt.close() did not complete');
  } catch (err) {
    v.push(`threw: ${err?.stack ?? err}`);
  } finally {
    setFaultPlan(null);
  }
  await Promise.race([plan.drain(), watchdog]);
  clearTimeout(hung);
  // Let every settle reaction run before counting.
  for (let i = 0; i < 3; i++) await turn();
  process.off('warning', onWarn);
  const st = rt.stats();
  if (st.inFlight !== 0 || st.submitted !== st.completed)
    v.push(`runtime: ${st.submitted} submitted, ${st.completed} completed, ${st.inFlight} in flight`);
  if (L.settledCount !== L.started) v.push(`${L.started - L.settledCount} of ${L.started} ops never settled`);
  if (L.returned !== L.rented) v.push(`${L.rented - L.returned} of ${L.rented} rented buffers not handed back`);
  for (const w of warns) v.push(`warning: ${w}`);
  // A leaked fd stays; one Node or the kernel is still releasing (a worker's, a ring's) goes within
  // a few turns: look again before calling it a leak.
  let fds = fdCount();
  for (let i = 0; i < 20 && fds !== fds0; i++) {
    await new Promise((r) => setTimeout(r, 25));
    fds = fdCount();
  }
  if (fds !== fds0) v.push(`fds: ${fds0} before, ${fds} after (${fdDiff(fdsBefore, fdTargets())})`);
  v.push(...L.bad);
  return { violations: v, benign, counts: plan.counts, faults: plan.total, ops: st.submitted, bytes };
}

/** fd → what it refers to, for a leak's report. */
function fdTargets() {
  const out = new Map();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out.set(fd, readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // gone between the listing and the readlink (the listing's own fd)
    }
  }
  return out;
}

function fdDiff(a, b) {
  const gone = [...a].filter(([fd, to]) => b.get(fd) !== to).map(([fd, to]) => `-${fd}:${to}`);
  const added = [...b].filter(([fd, to]) => a.get(fd) !== to).map(([fd, to]) => `+${fd}:${to}`);
  return [...gone, ...added].join(' ');
}

/** Close a stream pair, counting both closes. */
async function closePair(L, [a, b]) {
  await Promise.all([L.op(() => a.close()), L.op(() => b.close())]);
}

/** Read until EOF or an error; returns { bytes, error }. */
async function drain(L, s, size) {
  const parts = [];
  let buf = alloc(size);
  for (;;) {
    const r = await L.rent(buf, (b) => s.read(b));
    if (r.error) {
      // The reading side gave up: closing it ends the writer's wait too (EPIPE/ECONNRESET there).
      await L.op(() => s.close());
      return { bytes: Buffer.concat(parts), error: r };
    }
    buf = r.buf;
    const n = r.value[0];
    if (n === 0) return { bytes: Buffer.concat(parts), error: null };
    parts.push(Buffer.from(buf.subarray(0, n)));
  }
}

/** What `got` says about a stream that sent `sent`: a violation, or null. */
function compare(what, sent, got, complete) {
  if (got.length > sent.length) return `${what}: ${got.length} bytes received of ${sent.length} sent (duplicated)`;
  if (sha(got) !== sha(sent.subarray(0, got.length))) return `${what}: received bytes are not a prefix of those sent (lost, duplicated or reordered)`;
  if (complete && got.length !== sent.length) return `${what}: ${got.length} of ${sent.length} bytes arrived`;
  return null;
}

/** Echo: the client writes random chunks, the server echoes, the client hashes what came back. */
async function echo(L, pair, rand, strict, v, i, count, scale) {
  const p = await pair();
  if (!p) return;
  const [c, s] = p;
  const size = (16 + rand(48)) * 1024 * scale;
  const data = randomBytes(size);
  // true when the server echoed everything and shut down cleanly (else it closed early).
  const server = (async () => {
    let buf = alloc(4096 + rand(8192));
    for (;;) {
      const r = await L.rent(buf, (b) => s.read(b));
      if (r.error) return !(strict(`echo ${i} server read`, r) && (await L.op(() => s.close())));
      buf = r.buf;
      const n = r.value[0];
      if (n === 0) {
        const d = await L.op(() => s.shutdown('write'));
        return !(d.error && strict(`echo ${i} server shutdown`, d) && (await L.op(() => s.close())));
      }
      const w = await L.rent(buf, (b) => s.writeAll(b, { length: n }));
      if (w.error) return !(strict(`echo ${i} server write`, w) && (await L.op(() => s.close())));
      buf = w.buf;
    }
  })();
  const reader = drain(L, c, 8192);
  let sent = 0;
  let ok = true;
  while (sent < size) {
    const n = Math.min(size - sent, 1 + rand(32768));
    const chunk = alloc(n);
    chunk.set(data.subarray(sent, sent + n));
    const w = await L.rent(chunk, (b) => c.writeAll(b));
    if (w.error) {
      strict(`echo ${i} client write`, w);
      // writeAll may have moved part of the chunk (short writes) before the error.
      sent += w.error.bytesWritten ?? 0;
      ok = false;
      break;
    }
    sent += n;
  }
  if (ok) {
    const r = await L.op(() => c.shutdown('write'));
    if (r.error) ok = !strict(`echo ${i} client shutdown`, r);
  }
  // A failed side ends the exchange: closing the client ends the server's reads too.
  if (!ok) await L.op(() => c.close());
  const got = await reader;
  if (got.error && !ok) got.error = null;
  else if (got.error) strict(`echo ${i} client read`, got.error);
  const served = await server;
  // Everything must come back when neither side failed; a prefix of it otherwise.
  const bad = compare(`echo ${i}`, data.subarray(0, sent), got.bytes, ok && served && !got.error);
  if (bad) v.push(bad);
  count(got.bytes.length);
  await closePair(L, p);
}

/** writeAll of one large buffer; the peer hashes what it read. */
async function bulk(L, pair, rand, strict, v, count, scale) {
  const p = await pair();
  if (!p) return;
  const [c, s] = p;
  const size = (512 + rand(1536)) * 1024 * scale;
  const data = randomBytes(size);
  const buf = alloc(size);
  buf.set(data);
  const reader = drain(L, s, 65536);
  const w = await L.rent(buf, (b) => c.writeAll(b));
  let written = size;
  if (w.error) {
    strict('bulk writeAll', w);
    written = w.error.bytesWritten ?? 0;
  } else {
    const r = await L.op(() => c.shutdown('write'));
    // A failed shutdown sends no FIN: close instead, so the reader still sees the end.
    if (r.error) strict('bulk shutdown', r) && (await L.op(() => c.close()));
  }
  if (w.error) await L.op(() => c.close());
  const got = await reader;
  if (got.error && !w.error) strict('bulk read', got.error);
  // What arrived is a prefix of the buffer (bytesWritten may lag a send that failed after it moved bytes).
  const bad =
    compare('bulk', data, got.bytes, false) ??
    (!w.error && !got.error && got.bytes.length !== written ? `bulk: ${got.bytes.length} of ${written} bytes arrived` : null);
  if (bad) v.push(bad);
  count(got.bytes.length);
  await closePair(L, p);
}

/** Copy a file with positioned reads and writeAll; compare both files. */
async function copy(L, rt, rand, strict, v, dir, seed, count, scale) {
  const size = (64 + rand(448)) * 1024 * scale;
  const data = randomBytes(size);
  const src = join(dir, `src-${seed}`);
  const dst = join(dir, `dst-${seed}`);
  writeFileSync(src, data);
  const a = await L.op(() => rt.open(src, 'r'));
  if (a.error) return strict('open src', a);
  const b = await L.op(() => rt.open(dst, 'w'));
  if (b.error) {
    strict('open dst', b);
    return L.op(() => a.value.close());
  }
  const [from, to] = [a.value, b.value];
  let buf = alloc(16384 + rand(49152));
  let pos = 0;
  let ok = true;
  for (;;) {
    const r = await L.rent(buf, (b) => from.read(b, { position: pos }));
    if (r.error) {
      ok = !strict('copy read', r);
      break;
    }
    buf = r.buf;
    const n = r.value[0];
    if (n === 0) break;
    const w = await L.rent(buf, (b) => to.writeAll(b, { length: n, position: pos }));
    if (w.error) {
      ok = !strict('copy write', w);
      break;
    }
    buf = w.buf;
    pos += n;
  }
  await Promise.all([L.op(() => from.close()), L.op(() => to.close())]);
  const got = readFileSync(dst);
  const bad = compare('copy', data, got.subarray(0, pos), ok);
  if (bad) v.push(bad);
  else if (ok && got.length !== size) v.push(`copy: ${got.length} of ${size} bytes`);
  count(pos);
}

/**
 * An abort storm: one read at a time, each with a signal aborted at a chosen moment, while the
 * peer sends a known stream; plus sleeps aborted. Every read that resolved carried the next bytes
 * of the stream; every aborted one carried none.
 */
async function storm(L, rt, pair, rand, strict, v, count) {
  const p = await pair();
  if (!p) return;
  const [c, s] = p;
  const data = randomBytes(64 * 1024);
  const writer = (async () => {
    for (let sent = 0; sent < data.length;) {
      const n = Math.min(data.length - sent, 1 + rand(2048));
      const chunk = alloc(n);
      chunk.set(data.subarray(sent, sent + n));
      const w = await L.rent(chunk, (b) => c.writeAll(b));
      if (w.error) return strict('storm write', w) && L.op(() => c.close());
      sent += n;
      if (rand(4) === 0) await turn();
    }
    const r = await L.op(() => c.shutdown('write'));
    if (r.error) strict('storm shutdown', r) && (await L.op(() => c.close()));
  })();
  const sleeps = [];
  const parts = [];
  let aborts = 0;
  for (let i = 0; ; i++) {
    const ac = new AbortController();
    const pr = L.rent(alloc(1 + rand(4096)), (b) => s.read(b, { signal: ac.signal }));
    const moment = rand(5);
    if (moment === 0) ac.abort();
    else if (moment === 1) void Promise.resolve().then(() => ac.abort());
    else if (moment === 2) void turn().then(() => ac.abort());
    else if (moment === 3)
      void turn()
        .then(turn)
        .then(() => ac.abort());
    if (i % 8 === 0) {
      const sc = new AbortController();
      sleeps.push(L.op(() => rt.sleep(1 + rand(5), { signal: sc.signal })).then((r) => r.error && !isAbort(r.error) && strict('storm sleep', r)));
      if (rand(2)) void turn().then(() => sc.abort());
    }
    const r = await pr;
    if (r.error) {
      if (isAbort(r.error)) {
        aborts++;
        if (!(r.buf instanceof Uint8Array)) v.push('storm: an aborted read did not hand its buffer back');
        continue;
      }
      strict('storm read', r);
      await L.op(() => s.close());
      break;
    }
    const [n, b] = r.value;
    if (n === 0) break;
    parts.push(Buffer.from(b.subarray(0, n)));
  }
  await writer;
  await Promise.all(sleeps);
  const got = Buffer.concat(parts);
  const bad = compare('storm', data, got, false);
  if (bad) v.push(bad);
  count(got.length);
  await closePair(L, p);
  return aborts;
}

/** A handle closed with a read and a write in flight: both settle, with their buffers. */
async function closeMidFlight(L, pair, v) {
  const p = await pair();
  if (!p) return;
  const [c, s] = p;
  const rd = L.rent(alloc(8192), (b) => s.read(b));
  const big = alloc(8 * 1024 * 1024);
  const wr = L.rent(big, (b) => c.writeAll(b));
  await turn();
  await Promise.all([L.op(() => s.close()), L.op(() => c.close())]);
  const [r, w] = await Promise.all([rd, wr]);
  for (const [what, x] of [
    ['read', r],
    ['writeAll', w],
  ])
    if (x.error && !isClosed(x.error) && !x.error.code) v.push(`close mid-flight ${what}: ${x.error.message}`);
}
