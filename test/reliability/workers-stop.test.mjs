// 8 worker_threads workers, each with its own runtime, echoing and reading files back, then all
// stopped mid-flight from outside (issue 12): terminate() or the main thread's exit. The process
// lives on (or exits 0), and no kernel object of the runtimes is left behind.
// RENTIO_WORKERS_SOAK_MS sets how long they run (default 3000; 30000 for the long run by hand).
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { eachDriver } from '../helpers/drivers.mjs';
import { runNode } from '../helpers/util.mjs';

const workerFile = fileURLToPath(new URL('./fixtures/worker-runtime.mjs', import.meta.url));
// Starting 8 workers (each epoll runtime starts its own file-pool threads) takes long on a loaded
// 2-core machine: bound each child generously, and this file by the sum.
const SOAK_MS = Number(process.env.RENTIO_WORKERS_SOAK_MS) || 3000;
const CHILD_MS = SOAK_MS + 120_000;
t.setTimeout(4 * CHILD_MS + 60_000);

/**
 * A child with 8 workers, each with its own runtime on `driver`, echoing and reading files back
 * for `ms` once all 8 run, then stopped mid-flight as `stop` says: 'terminate' (all at once) or
 * 'exit' (the main thread exits).
 * Prints the io_uring / eventpoll / eventfd / timerfd fds and the ring mappings of the process
 * before the workers, during the run and after.
 */
function eightWorkers(driver, stop, ms) {
  return runNode(
    `
    import { Worker } from 'node:worker_threads';
    import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    const kinds = () => {
      const out = {};
      for (const fd of readdirSync('/proc/self/fd')) {
        let l; try { l = readlinkSync('/proc/self/fd/' + fd); } catch { continue; }
        if (/^anon_inode:\\[?(io_uring|eventpoll|eventfd|timerfd)\\]?$/.test(l)) out[l] = (out[l] ?? 0) + 1;
      }
      // A ring lives on while mapped, even with its fd closed.
      const maps = readFileSync('/proc/self/maps', 'utf8').split('\\n').filter((m) => m.includes('io_uring')).length;
      if (maps) out.ringMappings = maps;
      return out;
    };
    const dir = mkdtempSync(join(tmpdir(), 'rentio-8w-'));
    const before = kinds();
    const progress = new Map();
    const workers = Array.from({ length: 8 }, (_, id) => {
      const w = new Worker(${JSON.stringify(workerFile)}, { workerData: { driver: '${driver}', id, forever: true, dir }, execArgv: [] });
      w.on('message', (m) => progress.set(m.id, m));
      w.on('error', (e) => { console.error('worker error', e); process.exitCode = 2; });
      return w;
    });
    // Workers take a while to start on a loaded machine: the clock starts once all 8 run.
    while (progress.size < 8) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, ${ms}));
    const during = kinds();
    console.log(JSON.stringify({ progress: [...progress.values()] }));
    if ('${stop}' === 'exit') { rmSync(dir, { recursive: true, force: true }); process.exit(0); }
    await Promise.all(workers.map((w) => w.terminate()));
    await new Promise((r) => setTimeout(r, 50));
    rmSync(dir, { recursive: true, force: true });
    console.log(JSON.stringify({ before, during, after: kinds(), alive: true }));`,
    { timeout: CHILD_MS },
  );
}

await eachDriver(
  t,
  `8 workers with their own runtime echoing and reading files for ${SOAK_MS} ms, all terminated mid-flight: no crash, no leaked fd`,
  async (t, _rt, driver) => {
    const r = await eightWorkers(driver, 'terminate', SOAK_MS);
    t.equal(r.signal, null, `no crash (${r.signal ?? r.code}) ${r.stderr}`);
    t.equal(r.code, 0, r.stderr);
    const [first, last] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    t.equal(first?.progress.length, 8, 'all 8 workers made progress');
    t.ok(
      first?.progress.every((p) => p.rounds > 0 && p.inFlight > 0),
      'each had ops in flight at its last report',
    );
    t.ok(last?.alive, 'the process lives on after terminating them');
    const uring = (o) => o?.['anon_inode:[io_uring]'] ?? 0;
    if (driver === 'uring') t.ok(uring(last?.during) >= uring(last?.before) + 8, 'the 8 rings were open during the run');
    if (driver === 'uring') t.ok(last?.during.ringMappings > 0, 'the rings were mapped during the run');
    t.same(last?.after, last?.before, 'no io_uring, eventpoll, eventfd or timerfd fd, nor ring mapping, left after terminate()');
  },
);

await eachDriver(t, '8 workers with their own runtime and ops in flight when the main thread exits: exit code 0', async (t, _rt, driver) => {
  const r = await eightWorkers(driver, 'exit', 0);
  t.equal(r.killed, false, 'no hang');
  t.equal(r.signal, null, `no crash (${r.signal ?? r.code}) ${r.stderr}`);
  t.equal(r.code, 0, r.stderr);
  t.equal(JSON.parse(r.stdout.trim().split('\n')[0]).progress.length, 8, 'all 8 workers were running');
});
