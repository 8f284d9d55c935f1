/**
 * File jobs on worker_threads workers: the fallback where rentio's addon (and so its native pool)
 * was not built, or `RENTIO_PARKER=koffi` asks to run without it. A job slab in shared memory, one
 * ring pair per worker (file-job.ts), and an eventfd the workers write when they complete a job.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { errnoException } from '@rentio/core/driver';
import {
  F_ADDR,
  F_ADDR2,
  F_CODE,
  F_FD,
  F_FLAGS,
  F_LEN,
  F_MODE,
  F_POS,
  F_RES,
  G_FIELDS,
  G_NOTIFIED,
  G_SYSCALLS,
  JOB_FIELDS,
  R_COMP_HEAD,
  R_COMP_TAIL,
  R_HEADER,
  R_STOP,
  R_SUB_HEAD,
  R_SUB_TAIL,
  RING_CAP,
  S_CANCELLED,
  S_DONE,
  S_FREE,
  S_QUEUED,
  ringBytes,
  type WorkerInit,
} from './file-job.js';
import { EFD_CLOEXEC, EFD_NONBLOCK } from './constants.js';
import * as ffi from './ffi.js';
import { JOB_CAP, type FileThreads, type JobArgs } from './file-threads.js';

interface Lane {
  worker: Worker;
  ring: Int32Array;
  queued: number;
  /** Its worker died: no new job goes to it; its completed jobs are still reaped. */
  dead: boolean;
}

export class WorkerFileThreads implements FileThreads {
  readonly eventfd: number;
  readonly teardownFds: readonly number[];
  #jobs = new Float64Array(new SharedArrayBuffer(JOB_CAP * JOB_FIELDS * 8));
  #states = new Int32Array(new SharedArrayBuffer(JOB_CAP * 4));
  #global = new Int32Array(new SharedArrayBuffer(G_FIELDS * 4));
  #lanes: Lane[] = [];
  #max: number;
  #closing = false;
  // eventfd counter drained into here; one buffer for the pool's life.
  #drain = new Uint8Array(new ArrayBuffer(8));
  #drainAddr = ffi.addressOf(this.#drain);
  onLost: (ids: number[]) => void = () => {};

  constructor(maxThreads: number) {
    this.#max = maxThreads;
    this.eventfd = ffi.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (this.eventfd < 0) throw errnoException(ffi.errno(), 'eventfd');
    this.teardownFds = [this.eventfd];
  }

  get threads(): number {
    return this.#lanes.length;
  }

  get syscalls(): number {
    return Atomics.load(this.#global, G_SYSCALLS);
  }

  start(id: number, a: JobArgs): number {
    const j = id * JOB_FIELDS;
    const jobs = this.#jobs;
    jobs[j + F_CODE] = a.call;
    jobs[j + F_FD] = a.fd;
    jobs[j + F_ADDR] = a.addr;
    jobs[j + F_LEN] = a.len;
    jobs[j + F_POS] = a.pos;
    jobs[j + F_FLAGS] = a.flags;
    jobs[j + F_MODE] = a.mode;
    jobs[j + F_ADDR2] = a.addr2;
    Atomics.store(this.#states, id, S_QUEUED);
    const lane = this.#lane();
    const tail = Atomics.load(lane.ring, R_SUB_TAIL);
    lane.ring[R_HEADER + (tail & (RING_CAP - 1))] = id;
    Atomics.store(lane.ring, R_SUB_TAIL, tail + 1);
    lane.queued++;
    Atomics.notify(lane.ring, R_SUB_TAIL);
    return 0;
  }

  cancel(id: number): void {
    // The worker sees S_CANCELLED and reports -ECANCELED through the normal completion path.
    Atomics.compareExchange(this.#states, id, S_QUEUED, S_CANCELLED);
  }

  reap(out: Float64Array): number {
    ffi.read(this.eventfd, this.#drainAddr, 8);
    // Reset before draining: a worker finishing now writes the eventfd again (see file-worker).
    Atomics.store(this.#global, G_NOTIFIED, 0);
    let n = 0;
    for (const lane of this.#lanes) {
      let head = Atomics.load(lane.ring, R_COMP_HEAD);
      const tail = Atomics.load(lane.ring, R_COMP_TAIL);
      // At most JOB_CAP completions exist at once, and out holds 2 × JOB_CAP: never cut short.
      while (head !== tail) {
        // INVARIANT: a masked index inside the ring's completion half: always in range.
        const id = lane.ring[R_HEADER + RING_CAP + (head & (RING_CAP - 1))]!;
        head++;
        lane.queued--;
        out[2 * n] = id;
        out[2 * n + 1] = this.#jobs[id * JOB_FIELDS + F_RES]!; // id < JOB_CAP: in range
        Atomics.store(this.#states, id, S_FREE);
        n++;
      }
      Atomics.store(lane.ring, R_COMP_HEAD, head);
    }
    return n;
  }

  async close(): Promise<void> {
    this.#closing = true;
    for (const lane of this.#lanes) {
      Atomics.store(lane.ring, R_STOP, 1);
      Atomics.notify(lane.ring, R_SUB_TAIL);
    }
    await Promise.all(this.#lanes.map((l) => l.worker.terminate()));
    this.#lanes = [];
    ffi.close(this.eventfd);
  }

  /**
   * A worker died (it failed to start, or was terminated): its queued and running jobs can never
   * complete. Their memory is not touched again: the thread that could have touched it is gone.
   */
  #lost(lane: Lane): void {
    if (this.#closing || !this.#lanes.includes(lane)) return;
    lane.dead = true;
    const head = Atomics.load(lane.ring, R_SUB_HEAD);
    const tail = Atomics.load(lane.ring, R_SUB_TAIL);
    const ids = new Set<number>();
    // Jobs it had taken (head - 1: possibly running) or not yet taken, and not completed.
    for (let h = Math.max(0, head - 1); h < tail; h++) {
      const id = lane.ring[R_HEADER + (h & (RING_CAP - 1))]!; // masked: in range
      if (Atomics.load(this.#states, id) !== S_DONE) ids.add(id);
    }
    // The pool reaps first (this lane's completed jobs too: it is still listed), then fails these.
    this.onLost([...ids]);
    this.#lanes.splice(this.#lanes.indexOf(lane), 1);
  }

  // Least-loaded lane; a new worker starts while all are busy and the pool is not full.
  #lane(): Lane {
    let best: Lane | undefined;
    let live = 0;
    for (const l of this.#lanes) {
      if (l.dead) continue;
      live++;
      if (!best || l.queued < best.queued) best = l;
    }
    if (best && (best.queued === 0 || live >= this.#max)) return best;
    return this.#spawn();
  }

  #spawn(): Lane {
    const ring = new Int32Array(new SharedArrayBuffer(ringBytes()));
    const init: WorkerInit = {
      jobs: this.#jobs.buffer,
      states: this.#states.buffer,
      ring: ring.buffer,
      global: this.#global.buffer,
      eventfd: this.eventfd,
    };
    // execArgv: [] — the parent's flags (--input-type, --eval, loaders) do not apply to a worker.
    const worker = new Worker(new URL('./file-worker.js', import.meta.url), { workerData: init, name: 'rentio-file', execArgv: [] });
    // Workers never keep the process alive: the parker (ref'd while ops are in flight) does.
    worker.unref();
    const lane: Lane = { worker, ring, queued: 0, dead: false };
    worker.on('error', (err) => process.emitWarning(`rentio file worker failed: ${err}`, 'RentioWarning'));
    worker.on('exit', () => this.#lost(lane));
    this.#lanes.push(lane);
    return lane;
  }
}
