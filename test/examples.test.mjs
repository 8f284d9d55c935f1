// Smoke test of the examples: the plan `npm run examples` runs (examples/run-all.mjs), each run
// a child process with bounded work — practical examples once per driver, comparative ones once
// (they compare both drivers in one process). Each must exit 0 and print what it promises.
import t from 'tap';
import { plan, probeDrivers, runOne } from '../examples/run-all.mjs';

// Some twenty child processes (all-cores starts worker threads too): on a shared 2-core machine
// this file may take longer than the runner's 120 s.
t.setTimeout(600_000);
const probe = await probeDrivers();
for (const item of plan(probe)) {
  const name = item.driver ? `example ${item.run.name} [${item.driver}]` : `example ${item.run.name} (uring and epoll)`;
  if (item.skip) {
    t.test(name, { skip: `driver ${item.driver} unavailable: ${item.skip}` }, () => {});
    continue;
  }
  await t.test(name, async (t) => {
    // The examples run as users run them: without tap's loaders (NODE_OPTIONS), which would
    // slow every child's start-up and are not what the examples are about.
    const r = await runOne(item, { timeoutMs: 60_000, env: { NODE_OPTIONS: undefined } });
    const detail = { stdout: r.stdout.slice(-4000), stderr: r.stderr.slice(-4000) };
    t.notOk(r.timedOut, 'finished within its timeout', detail);
    t.equal(r.code, 0, 'exited 0', detail);
    t.same(r.missing, [], 'printed every expected line', detail);
  });
}
