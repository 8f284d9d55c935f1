// Deterministic fault injection (issue 15): mixed workloads under seeded fault schedules, on each
// driver, with the invariants checked after every run (see faults-workload.mjs). A failure names
// its seed; `RENTIO_FAULT_SEED=<seed> npx tap test/reliability/faults.test.mjs` replays exactly
// that schedule. `RENTIO_FAULT_SCHEDULES=N` changes the budget (default 20 per driver here; the
// soak's --faults mode runs them for as long as it lasts).
import t from 'tap';
import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alloc, createRuntime } from '@rentio/core';
import { FaultPlan, setFaultPlan } from '@rentio/core/testing';
import { eachDriver, unavailable } from '../helpers/drivers.mjs';
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

// The uring bugs the schedules found, each pinned by a fault of one kind.
const uringWhy = await unavailable('uring');
void t.test(
  'uring: a CQE interrupted by a signal (EINTR) is submitted again; a CLOSE interrupted closed',
  { skip: uringWhy && `uring unavailable: ${uringWhy}` },
  async (t) => {
    const dir = tmpDir(t);
    const path = join(dir, 'f');
    writeFileSync(path, Buffer.alloc(4096, 7));
    const rt = await createRuntime({ driver: 'uring' });
    const plan = new FaultPlan(11, { rate: 0.5, kinds: ['EINTR'] });
    setFaultPlan(plan);
    const results = [];
    try {
      for (let i = 0; i < 20; i++) {
        const f = await rt.open(path, 'r');
        const [n] = await f.read(alloc(4096), { position: 0 });
        results.push(n);
        await f.close();
      }
    } finally {
      setFaultPlan(null);
    }
    await rt.close();
    t.ok(plan.counts.EINTR > 0, `${plan.counts.EINTR} EINTR injected`);
    t.same(results, Array(20).fill(4096), 'every read read the whole file; every open and close resolved');
  },
);

void t.test(
  'uring: a submit refused (EAGAIN/EBUSY) with nothing in the kernel is retried, not left waiting for a wake',
  { skip: uringWhy && `uring unavailable: ${uringWhy}` },
  async (t) => {
    // A seed whose first submit is refused: the sleep is then the only op, nothing in the kernel.
    let seed = 1;
    while (new FaultPlan(seed, { rate: 0.5, kinds: ['submitRefused'] }).refuseSubmit() === 0) seed++;
    const rt = await createRuntime({ driver: 'uring' });
    const plan = new FaultPlan(seed, { rate: 0.5, kinds: ['submitRefused'] });
    setFaultPlan(plan);
    let hung;
    try {
      const r = await Promise.race([rt.sleep(1).then(() => 'slept'), new Promise((res) => (hung = setTimeout(res, 20000, 'hung')))]);
      t.equal(r, 'slept');
    } finally {
      clearTimeout(hung);
      setFaultPlan(null);
    }
    t.ok(plan.counts.submitRefused > 0, `${plan.counts.submitRefused} submits refused`);
    await rt.close();
  },
);
