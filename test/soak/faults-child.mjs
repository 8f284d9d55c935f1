// The soak's fault-schedule child (issue 15): seeded fault schedules (test/reliability/
// faults-workload.mjs) one after another on one driver until the time is up, each with its
// invariants checked; samples RSS, heap and fds between schedules (fds only there: mid-schedule
// they count the schedule's own sockets). A violation prints its seed, replayable with
// `RENTIO_FAULT_SEED=<seed> npx tap test/reliability/faults.test.mjs`.
import { randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSchedule } from '../reliability/faults-workload.mjs';

/** Run schedules on `driver` for `minutes`, writing JSON lines `{ sample }` and a final `{ summary }` to stdout. */
export async function faultsChild(driver, minutes, intervalS) {
  const dir = mkdtempSync(join(tmpdir(), `rentio-soak-faults-${driver}-`));
  const send = (m) => process.stdout.write(`${JSON.stringify(m)}\n`);
  // process.stdout's first use makes its pipe a libuv stream, and libuv's first stream opens a
  // spare /dev/null (its EMFILE trick, kept for the loop's life): done here, before the first
  // schedule counts its fds, not inside whichever schedule the first sample lands in (that read
  // as a leaked fd: seeds 243603857 and 1998149511, +1 fd to /dev/null, never replayable).
  send({ started: driver });
  const end = Date.now() + minutes * 60_000;
  const c = { ops: 0, schedules: 0, faults: 0, counts: {}, bytes: 0, errors: 0, firstErrors: [], http: 0, aborted: 0 };
  let fds = readdirSync('/proc/self/fd').length;
  const t0 = Date.now();
  let lastOps = 0;
  const sampler = setInterval(() => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    send({
      sample: {
        t: Math.round((Date.now() - t0) / 1000),
        rss: m.rss,
        heap: m.heapUsed,
        arrayBuffers: m.arrayBuffers,
        fds,
        ops: c.ops,
        opsDelta: c.ops - lastOps,
        http: 0,
        httpDelta: 0,
        aborted: c.schedules,
        errors: c.errors,
      },
    });
    lastOps = c.ops;
  }, intervalS * 1000);
  // Warm-up without faults (the epoll driver's first file workers leave Node's own fds behind).
  await runSchedule({ driver, seed: 0, dir, rate: 0 });
  while (Date.now() < end) {
    const seed = randomInt(2 ** 31);
    const r = await runSchedule({ driver, seed, dir });
    c.schedules++;
    c.ops += r.ops;
    c.faults += r.faults;
    c.bytes += r.bytes;
    for (const [k, n] of Object.entries(r.counts)) c.counts[k] = (c.counts[k] ?? 0) + n;
    if (r.violations.length) {
      c.errors++;
      process.stderr.write(`${driver}+faults: seed ${seed} failed (replay: RENTIO_FAULT_SEED=${seed}): ${r.violations.join('; ')}\n`);
      if (c.firstErrors.length < 5) c.firstErrors.push(`seed ${seed}: ${r.violations.slice(0, 3).join('; ')}`);
    }
    fds = readdirSync('/proc/self/fd').length;
  }
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
  send({ summary: { ...c, inFlight: 0 } });
}
