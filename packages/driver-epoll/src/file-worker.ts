/**
 * A file worker: takes jobs from its ring, runs the blocking syscall, posts the result, and
 * wakes the main thread through the eventfd. Never touches JS objects of the main thread —
 * only addresses of memory the main thread's op keeps alive until the completion is reaped.
 * @module
 */
import { workerData } from 'node:worker_threads';
import {
  F_CODE,
  F_RES,
  G_NOTIFIED,
  G_SYSCALLS,
  JOB_FIELDS,
  R_COMP_TAIL,
  R_HEADER,
  R_STOP,
  R_SUB_HEAD,
  R_SUB_TAIL,
  RING_CAP,
  S_DONE,
  S_QUEUED,
  S_RUNNING,
  type WorkerInit,
} from './file-job.js';
import { ECANCELED, EINVAL } from './constants.js';
import { loadFileCalls, type FileCalls } from '@rentio/core/file-calls';
import { FILE_JOBS, type FileJobId } from './file-jobs.js';

const init = workerData as WorkerInit;
const jobs = new Float64Array(init.jobs);
const states = new Int32Array(init.states);
const ring = new Int32Array(init.ring);
const global = new Int32Array(init.global);

// rentio's addon where it was built: koffi, loaded in a worker, stays in memory after the worker
// ends (see @rentio/core/file-calls). koffi only as the fallback, imported only then.
const calls: FileCalls = loadFileCalls() ?? (await import('./file-calls-koffi.js')).koffiFileCalls;

// The job is the one its op names in the op table (ops.ts → file-jobs.ts).
function run(id: number): number {
  const b = id * JOB_FIELDS;
  const job = FILE_JOBS[jobs[b + F_CODE] as FileJobId] as (typeof FILE_JOBS)[FileJobId] | undefined;
  if (!job) return -EINVAL; // not a file job: a driver bug, reported rather than run
  const r = job(calls, jobs, b);
  Atomics.add(global, G_SYSCALLS, 1);
  return r;
}

for (;;) {
  const head = Atomics.load(ring, R_SUB_HEAD);
  const tail = Atomics.load(ring, R_SUB_TAIL);
  if (Atomics.load(ring, R_STOP)) break;
  if (head === tail) {
    Atomics.wait(ring, R_SUB_TAIL, tail);
    continue;
  }
  // INVARIANT: a masked index inside the ring's submission half: always in range.
  const id = ring[R_HEADER + (head & (RING_CAP - 1))]!;
  Atomics.store(ring, R_SUB_HEAD, head + 1);
  // A cancel wins only while the job is still queued; once running, the result wins.
  const res = Atomics.compareExchange(states, id, S_QUEUED, S_RUNNING) === S_QUEUED ? run(id) : -ECANCELED;
  jobs[id * JOB_FIELDS + F_RES] = res;
  Atomics.store(states, id, S_DONE);
  const ct = Atomics.load(ring, R_COMP_TAIL);
  ring[R_HEADER + RING_CAP + (ct & (RING_CAP - 1))] = id;
  Atomics.store(ring, R_COMP_TAIL, ct + 1);
  if (Atomics.compareExchange(global, G_NOTIFIED, 0, 1) === 0) {
    // By value, not write(2) from a buffer: a buffer held only by a top-level const that no
    // function reads is dead to V8 after its last use (the module body never returns, but its
    // registers are not roots), so the GC freed it and the wake wrote whatever lay there — a 0
    // adds nothing to the counter, epoll reports no event, and the completion waited forever.
    calls.eventfd_write(init.eventfd, 1);
    Atomics.add(global, G_SYSCALLS, 1);
  }
}
