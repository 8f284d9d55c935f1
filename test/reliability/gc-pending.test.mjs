// Memory the kernel holds (issue 15), per driver, in a child with --expose-gc (see
// fixtures/gc-pending.mjs): 4,352 reads pending on 128 sockets and 4 FIFOs, their promises,
// buffers and handles unreferenced, gc() forced again and again while fresh buffers of the same
// size are allocated, then the data arrives. Asserted: no crash; every op settles, with its own
// buffer (canaries intact, only the window written, with the bytes sent); the fresh buffers were
// never written (no write into memory a collected buffer gave back); every byte sent read once.
// Then the same with the runtime itself unreferenced: the process exits by itself once all
// settled, or exits cleanly through process.exit() with the reads still pending.
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { eachDriver } from '../helpers/drivers.mjs';
import { jsonLines, runChild } from '../helpers/reliability.mjs';

const fixture = fileURLToPath(new URL('./fixtures/gc-pending.mjs', import.meta.url));
t.setTimeout(300_000);

/** Run the fixture; the timeout only keeps a hang (a process that never exits) from stalling the suite. */
async function run(t, driver, scenario) {
  const r = await runChild(['--expose-gc', fixture, driver, scenario], { timeout: 60_000 });
  t.equal(r.signal, null, `no crash, and the process exited by itself (${r.timedOut ? 'it hung: killed' : (r.signal ?? 'no signal')})`);
  t.equal(r.code, 0, `exit code 0 (${r.stderr.split('\n').slice(0, 3).join(' | ')})`);
  t.equal(r.stderr, '', 'nothing on stderr');
  const [out] = jsonLines(r.stdout);
  t.ok(out, 'it reported');
  return out;
}

function settledIntact(t, out) {
  t.equal(out.inFlightArmed, out.started, `${out.started} reads were in flight`);
  t.equal(out.pendingAfterGc, out.started, 'none settled during the collections (the data had not come)');
  t.equal(out.resolved, out.started, `every read settled, with bytes (${out.rejected} rejected: ${out.errors.join(', ') || 'none'})`);
  t.equal(out.noBuffer + out.wrongLength, 0, 'each came back with its own buffer');
  t.equal(out.canaries, 0, 'no canary byte around any window changed');
  t.equal(out.wrongBytes, 0, 'each window holds only the bytes sent (0x5a), the rest untouched');
  t.equal(out.eof, 0, 'no read saw a spurious EOF');
  t.equal(out.bytes, out.expectedBytes, `every byte sent was read exactly once (${out.expectedBytes})`);
  t.equal(out.sentinelsBroken, 0, `none of the ${out.sentinels} buffers allocated during the collections was written`);
}

await eachDriver(t, 'gc with 4,352 unreferenced reads pending on sockets and FIFOs, then the data: all settle intact', async (t, _rt, driver) => {
  const out = await run(t, driver, 'dropped');
  if (!out) return;
  t.equal(out.inFlightAfterGc, out.started, 'the runtime still counts them all in flight after the collections');
  settledIntact(t, out);
  t.equal(out.inFlightEnd, 0, 'nothing in flight at the end');
  t.equal(out.handlesEnd, 0, 'rt.close() closed the unreferenced handles');
  t.equal(out.fdsEnd, out.fdsStart, `no fd leaked (${out.fdsStart})`);
});

await eachDriver(
  t,
  'gc with the runtime unreferenced and 4,352 reads pending, then the data: all settle, the process exits by itself',
  async (t, _rt, driver) => {
    const out = await run(t, driver, 'orphan');
    if (out) settledIntact(t, out);
  },
);

await eachDriver(t, 'gc with the runtime unreferenced and reads pending forever: process.exit(0) exits cleanly', async (t, _rt, driver) => {
  const out = await run(t, driver, 'orphan-exit');
  if (!out) return;
  t.equal(out.inFlightArmed, out.started, `${out.started} reads were in flight`);
  t.equal(out.pendingAfterGc, out.started, 'all still pending after the collections');
});
