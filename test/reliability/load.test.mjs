// Load (issue 6): 1,000 concurrent connections, each sending 1 MiB in random-sized chunks to an
// echo server on the same runtime, read back with random-sized windows and checked by sha256 —
// per driver, in a child with `ulimit -n 8192` (2,000 sockets plus the runtime's own fds).
// Asserted: none lost, none corrupted, every op settled. The time is printed, never asserted.
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { eachDriver } from '../helpers/drivers.mjs';
import { fdLimit, jsonLines, runChild } from '../helpers/reliability.mjs';

const fixture = fileURLToPath(new URL('./fixtures/load.mjs', import.meta.url));
const CONNS = Number(process.env.RENTIO_LOAD_CONNS || 1000);
const BYTES = Number(process.env.RENTIO_LOAD_BYTES || 1 << 20);
t.setTimeout(300_000);
// Two sockets per connection plus the runtime's own: the soft limit is raised in the child, up to
// what the hard limit allows (raising the hard limit needs root).
const { nofile, why } = fdLimit(2 * CONNS + 200);

await eachDriver(t, `load: ${CONNS} connections × ${BYTES} bytes echoed, checked by sha256`, async (t, _rt, driver) => {
  if (why) return t.skip(`${why} by ${CONNS} connections`);
  // The timeout only keeps a hang from stalling the suite; it is not a speed requirement.
  const r = await runChild([fixture, driver, String(CONNS), String(BYTES)], { nofile, timeout: 240_000 });
  t.equal(r.signal, null, `the child was not killed (${r.timedOut ? 'timed out' : (r.signal ?? 'no signal')})`);
  t.equal(r.code, 0, `the child exited cleanly (${r.stderr.split('\n').slice(0, 3).join(' | ')})`);
  const [out] = jsonLines(r.stdout);
  t.ok(out, 'it reported');
  if (!out) return;
  t.equal(out.driver, driver);
  t.equal(out.completed, CONNS, `all ${CONNS} connections completed`);
  t.equal(out.lost, 0, `0 lost (${out.errors.join(', ') || 'no errors'})`);
  t.equal(out.corrupted, 0, '0 corrupted: every echo matched its sha256');
  t.equal(out.serverErrors, 0, 'the server side saw no errors');
  t.equal(out.inFlight, 0, 'nothing left in flight');
  t.comment(`${driver}: ${CONNS} × ${BYTES} B echoed in ${out.ms} ms (${out.mibPerSec} MiB/s both ways)`);
});
