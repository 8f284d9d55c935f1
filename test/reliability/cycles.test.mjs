// Cycles (issue 15): open/read/close on a file and connect/close against a listener on the same
// runtime, N times each (100,000 by hand; RENTIO_CYCLES, default 20,000 in `npm test`), per
// driver, in a child with --expose-gc. Resources are sampled after gc once warmed up (10% of the
// cycles, at least 1,000) and at the end: fds equal, RSS grown by less than 16 MiB, heap in use
// by less than 4 MiB, nothing in flight, no handle left. The child's young generation is capped
// at 2 MiB semi-spaces: by default V8 grows it to 16 MiB semi-spaces as allocation goes on, and
// the pages it touches along the way (~30 MiB over the first 20,000-80,000 cycles, heap in use
// flat) would read as RSS growth without being a leak. The child runs without tap's loader
// (`bare`), which holds native memory of its own as the child works.
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { eachDriver } from '../helpers/drivers.mjs';
import { jsonLines, runChild } from '../helpers/reliability.mjs';

const fixture = fileURLToPath(new URL('./fixtures/cycles.mjs', import.meta.url));
const CYCLES = Number(process.env.RENTIO_CYCLES || 20_000);
const MiB = 2 ** 20;
const V8 = ['--expose-gc', '--max-semi-space-size=2'];
// The timeout only keeps a hang from stalling the suite; it is not a speed requirement.
const TIMEOUT = 60_000 + CYCLES * 3;
t.setTimeout(4 * TIMEOUT);
const mib = (b) => `${(b / MiB).toFixed(1)} MiB`;

for (const [kind, what] of [
  ['file', 'open/read/close cycles on a file'],
  ['connect', 'connect/close cycles against a listener on the runtime'],
]) {
  await eachDriver(t, `${CYCLES} ${what}: fds and RSS flat`, async (t, _rt, driver) => {
    const r = await runChild([...V8, fixture, driver, kind, String(CYCLES)], { timeout: TIMEOUT, bare: true });
    t.equal(r.signal, null, `the child was not killed (${r.timedOut ? 'timed out' : (r.signal ?? 'no signal')})`);
    t.equal(r.code, 0, `the child exited cleanly (${r.stderr.split('\n').slice(0, 3).join(' | ')})`);
    const [out] = jsonLines(r.stdout);
    t.ok(out, 'it reported');
    if (!out) return;
    const { warm, end } = out;
    t.equal(out.errors, 0, `every cycle worked (${out.firstErrors.join(', ') || 'no errors'})`);
    t.equal(end.fds, warm.fds, `fds equal after warm-up and at the end (${warm.fds})`);
    t.ok(end.rss - warm.rss < 16 * MiB, `RSS grew by less than 16 MiB (${mib(warm.rss)} → ${mib(end.rss)})`);
    t.ok(end.heap - warm.heap < 4 * MiB, `heap in use grew by less than 4 MiB (${mib(warm.heap)} → ${mib(end.heap)})`);
    t.equal(out.inFlight, 0, 'nothing in flight');
    t.equal(out.handles, 0, 'no handle left open');
    t.ok(out.submitted >= CYCLES * 3, `every cycle reached the driver (${out.submitted} ops)`);
    t.comment(
      `${driver} ${kind}: ${CYCLES} cycles; after ${out.warmup}: rss ${mib(warm.rss)} fds ${warm.fds}; end: rss ${mib(end.rss)} fds ${end.fds} (start: rss ${mib(out.start.rss)} fds ${out.start.fds})`,
    );
  });
}
