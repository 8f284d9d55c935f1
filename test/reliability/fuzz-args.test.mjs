// Random arguments at every op (issue 6, "Bad input", property test): fast-check sequences of 1–6
// calls with random — mostly wrong — arguments against files, streams, listeners and the runtime,
// run in a child process per driver. The child must not crash, and every call must throw an
// ERR_RENTIO_* error before reaching the driver, or settle with a correct value or a documented
// error (see fixtures/fuzz-args.mjs). The seed is random unless RENTIO_FUZZ_SEED is set; a failure
// prints it, so the run can be replayed.
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { eachDriver } from '../helpers/drivers.mjs';
import { jsonLines, runChild } from '../helpers/reliability.mjs';

const fixture = fileURLToPath(new URL('./fixtures/fuzz-args.mjs', import.meta.url));
const RUNS = Number(process.env.RENTIO_FUZZ_RUNS || 200);
const seed = Number(process.env.RENTIO_FUZZ_SEED || Math.floor(Math.random() * 2 ** 31));

t.comment(`fast-check seed ${seed} (replay with RENTIO_FUZZ_SEED=${seed})`);
await eachDriver(t, `random arguments at every op, ${RUNS} fast-check runs in a child`, async (t, _rt, driver) => {
  const r = await runChild([fixture, driver, String(RUNS), String(seed)], { timeout: 90000 });
  t.equal(r.signal, null, `the child was not killed by a signal (${r.signal})`);
  t.equal(r.code, 0, `the child did not crash (${r.stderr.split('\n').slice(0, 3).join(' | ')})`);
  const [out] = jsonLines(r.stdout);
  t.ok(out, 'it reported');
  if (!out) return;
  t.equal(out.runs, RUNS, `all ${RUNS} runs ran`);
  t.same(out.violations, [], `no call broke the rules (replay: RENTIO_FUZZ_SEED=${seed})`);
  t.ok(
    out.threw > 0 && out.resolved > 0 && out.rejected > 0,
    `every kind of outcome occurred (${out.threw} thrown, ${out.resolved} resolved, ${out.rejected} rejected, ${out.closedWhilePending} settled by close)`,
  );
  t.equal(out.inFlight - out.lingering, 0, 'nothing but long sleeps left in flight before the final close');
});
