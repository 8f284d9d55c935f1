// Deterministic fault injection (issue 15): mixed workloads under seeded fault schedules, on each
// driver, with the invariants checked after every run (see faults-workload.mjs). A failure names
// its seed; `RENTIO_FAULT_SEED=<seed> npx tap test/reliability/faults.test.mjs` replays exactly
// that schedule. `RENTIO_FAULT_SCHEDULES=N` changes the budget (default 20 per driver here; the
// soak's --faults mode runs them for as long as it lasts).
import t from 'tap';
import { randomInt } from 'node:crypto';
import { eachDriver } from '../helpers/drivers.mjs';
import { tmpDir } from '../helpers/util.mjs';
import { runSchedule } from './faults-workload.mjs';

const replay = process.env.RENTIO_FAULT_SEED;
const seeds =
  replay !== undefined ? [Number(replay) >>> 0] : Array.from({ length: Number(process.env.RENTIO_FAULT_SCHEDULES || 20) }, () => randomInt(2 ** 31));

await eachDriver(
  t,
  `${seeds.length} seeded fault schedules: every op settles once, buffers back, streams intact, no fd leaked`,
  async (t, _rt, driver) => {
    const dir = tmpDir(t);
    // Warm-up without faults: the first file op starts the epoll driver's worker threads, whose
    // first start leaves Node's own fds behind; counting starts after it.
    await runSchedule({ driver, seed: 0, dir, rate: 0 });
    const totals = {};
    let faults = 0;
    let ops = 0;
    for (const seed of seeds) {
      const r = await runSchedule({ driver, seed, dir });
      faults += r.faults;
      ops += r.ops;
      for (const [k, n] of Object.entries(r.counts)) totals[k] = (totals[k] ?? 0) + n;
      t.same(
        r.violations,
        [],
        `seed ${seed} (${r.benign ? 'benign' : 'hard'} faults, ${r.faults} injected, ${r.ops} ops): replay with RENTIO_FAULT_SEED=${seed}`,
      );
    }
    t.ok(faults > 0, 'faults were injected');
    t.comment(`${driver}: ${seeds.length} schedules, ${ops} ops, ${faults} faults: ${JSON.stringify(totals)}`);
  },
);
