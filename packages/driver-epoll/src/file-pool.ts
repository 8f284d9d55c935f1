/**
 * The main-thread side of the file workers: a job slab in shared memory, one ring pair per
 * worker, and the reap that runs when the eventfd the workers write turns readable in epoll.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { faultPlan, OpCode, type Op } from '@rentio/core/driver';
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
  JOB_CAP,
  JOB_FIELDS,
  R_COMP_HEAD,
  R_COMP_TAIL,
  R_HEADER,
  R_STOP,
  R_SUB_HEAD,
  R_SUB_TAIL,
  RING_CAP,
  S_CANCELLED,
  S_FREE,
  S_DONE,
  S_QUEUED,
  ringBytes,
  type WorkerInit,
} from './file-job.js';
import { ECANCELED, EFD_CLOEXEC, EFD_NONBLOCK, EIO } from './constants.js';
import { abiFor, errnoException } from '@rentio/core/driver';
import * as ffi from './ffi.js';
import { EPOLL_OPS } from './ops.js';

interface Lane {
  worker: Worker;
  ring: Int32Array;
  queued: number;
}

export class FilePool {
  readonly eventfd: number;
  #jobs = new Float64Array(new SharedArrayBuffer(JOB_CAP * JOB_FIELDS * 8));
  #states = new Int32Array(new SharedArrayBuffer(JOB_CAP * 4));
  #global = new Int32Array(new SharedArrayBuffer(G_FIELDS * 4));
  // INVARIANT: ops[id] holds the op (and so its buffer, path, iovecs) until its job is reaped.
  #ops = new Array<Op | null>(JOB_CAP).fill(null);
  #iovecs = new Array<Uint8Array | null>(JOB_CAP).fill(null);
  #free: number[] = [];
  #waiting: Op[] = [];
  #lanes: Lane[] = [];
  #threads: number;
  #closing = false;
  // eventfd counter drained into here; one buffer for the pool's life.
  #drain = new Uint8Array(new ArrayBuffer(8));
  #drainAddr = ffi.addressOf(this.#drain);
  syscalls = 0;

  constructor(threads: number) {
    this.#threads = threads;
    for (let i = JOB_CAP - 1; i >= 0; i--) this.#free.push(i);
    this.eventfd = ffi.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    this.syscalls++;
    if (this.eventfd < 0) throw errnoException(ffi.errno(), 'eventfd');
  }

  /** Worker threads started so far (they start on the first file op). */
  get threads(): number {
    return this.#lanes.length;
  }

  /** Syscalls made by the workers. */
  get workerSyscalls(): number {
    return Atomics.load(this.#global, G_SYSCALLS);
  }

  submit(op: Op): void {
    const id = this.#free.pop();
    if (id === undefined) {
      this.#waiting.push(op);
      return;
    }
    this.#start(id, op);
  }

  /** Called with each op just before the pool completes it (the driver drops the op's deadline). */
  beforeComplete: (op: Op) => void = () => {};

  /** Cancel a job still queued; a running job's result wins. Returns true if the op completed here. */
  cancel(op: Op): boolean {
    const w = this.#waiting.indexOf(op);
    if (w >= 0) {
      this.#waiting.splice(w, 1);
      this.beforeComplete(op);
      op.complete(-ECANCELED);
      return true;
    }
    // The worker will see S_CANCELLED and report -ECANCELED through the normal completion path.
    if (op.slot >= 0) Atomics.compareExchange(this.#states, op.slot, S_QUEUED, S_CANCELLED);
    return false;
  }

  /** Reap completions (the eventfd turned readable). Returns how many ops completed. */
  reap(): number {
    ffi.read(this.eventfd, this.#drainAddr, 8);
    this.syscalls++;
    // Reset before draining: a worker finishing now writes the eventfd again (see file-worker).
    Atomics.store(this.#global, G_NOTIFIED, 0);
    let done = 0;
    for (const lane of this.#lanes) {
      let head = Atomics.load(lane.ring, R_COMP_HEAD);
      const tail = Atomics.load(lane.ring, R_COMP_TAIL);
      while (head !== tail) {
        // INVARIANT: a masked index inside the ring's completion half: always in range.
        const id = lane.ring[R_HEADER + RING_CAP + (head & (RING_CAP - 1))]!;
        head++;
        lane.queued--;
        const op = this.#ops[id]!;
        const res = this.#jobs[id * JOB_FIELDS + F_RES]!; // id < slots: the jobs array holds every slot
        this.#ops[id] = null;
        this.#iovecs[id] = null;
        Atomics.store(this.#states, id, S_FREE);
        this.#free.push(id);
        op.slot = -1;
        this.beforeComplete(op);
        if (faultPlan === null) op.complete(res);
        else faultPlan.complete(op, faultPlan.fileResult(op, res));
        done++;
      }
      Atomics.store(lane.ring, R_COMP_HEAD, head);
    }
    while (this.#waiting.length && this.#free.length) {
      const op = this.#waiting.shift()!;
      this.#start(this.#free.pop()!, op);
    }
    return done;
  }

  /**
   * A worker died (it failed to start, or was terminated): its queued and running jobs can never
   * complete, so they fail with EIO rather than hang. Their memory is not touched again: the
   * thread that could have touched it is gone.
   */
  #lost(lane: Lane): void {
    const i = this.#lanes.indexOf(lane);
    if (i < 0) return;
    this.#lanes.splice(i, 1);
    if (this.#closing) return;
    this.reap();
    const head = Atomics.load(lane.ring, R_SUB_HEAD);
    const tail = Atomics.load(lane.ring, R_SUB_TAIL);
    const lostIds = new Set<number>();
    for (let h = Math.max(0, head - 1); h < tail; h++) lostIds.add(lane.ring[R_HEADER + (h & (RING_CAP - 1))]!); // masked: in range
    for (const id of lostIds) {
      const op = this.#ops[id];
      if (!op || Atomics.load(this.#states, id) === S_DONE) continue;
      this.#ops[id] = null;
      this.#iovecs[id] = null;
      Atomics.store(this.#states, id, S_FREE);
      this.#free.push(id);
      op.slot = -1;
      this.onLost(op);
    }
  }

  /** Called for each op whose worker died; the driver completes it. */
  onLost: (op: Op) => void = (op) => op.complete(-EIO);

  /** Close the eventfd of a pool that never started a worker (the driver's failed set-up). */
  closeFd(): void {
    ffi.close(this.eventfd);
    this.syscalls++;
  }

  /** Stop the workers (called once nothing is in flight). */
  async close(): Promise<void> {
    this.#closing = true;
    for (const lane of this.#lanes) {
      Atomics.store(lane.ring, R_STOP, 1);
      Atomics.notify(lane.ring, R_SUB_TAIL);
    }
    await Promise.all(this.#lanes.map((l) => l.worker.terminate()));
    this.#lanes = [];
    ffi.close(this.eventfd);
    this.syscalls++;
  }

  #start(id: number, op: Op): void {
    const j = id * JOB_FIELDS;
    const jobs = this.#jobs;
    // INVARIANT: only FILE and FILE_OR_READINESS ops reach the pool, and each names its job; a 0
    // (none) would come back as EINVAL from the worker, never run as another call.
    jobs[j + F_CODE] = EPOLL_OPS[op.code].job ?? 0;
    jobs[j + F_FD] = op.fd;
    // SAFETY: the op (held in #ops until reaped) keeps buf and path alive and in place.
    jobs[j + F_ADDR] = op.buf ? ffi.addressOf(op.buf) + op.off : 0;
    jobs[j + F_LEN] = op.code === OpCode.WRITEV ? op.bufs!.length : op.len;
    jobs[j + F_POS] = op.pos;
    jobs[j + F_FLAGS] = op.flags;
    jobs[j + F_MODE] = op.mode;
    jobs[j + F_ADDR2] = op.path ? ffi.addressOf(op.path) : 0;
    this.#ops[id] = op;
    op.slot = id;
    if (op.code === OpCode.WRITEV) {
      const iov = iovecsOf(op);
      this.#iovecs[id] = iov;
      jobs[j + F_ADDR] = ffi.addressOf(iov);
    }
    Atomics.store(this.#states, id, S_QUEUED);
    const lane = this.#lane();
    const tail = Atomics.load(lane.ring, R_SUB_TAIL);
    lane.ring[R_HEADER + (tail & (RING_CAP - 1))] = id;
    Atomics.store(lane.ring, R_SUB_TAIL, tail + 1);
    lane.queued++;
    Atomics.notify(lane.ring, R_SUB_TAIL);
  }

  // Least-loaded lane; a new worker starts while all are busy and the pool is not full.
  #lane(): Lane {
    let best: Lane | undefined;
    for (const l of this.#lanes) if (!best || l.queued < best.queued) best = l;
    if (best && (best.queued === 0 || this.#lanes.length >= this.#threads)) return best;
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
    const lane: Lane = { worker, ring, queued: 0 };
    worker.on('error', (err) => process.emitWarning(`rentio file worker failed: ${err}`, 'RentioWarning'));
    worker.on('exit', () => this.#lost(lane));
    this.#lanes.push(lane);
    return lane;
  }
}

const IOVEC = abiFor('epoll').iovec;

function iovecsOf(op: Op): Uint8Array {
  const bufs = op.bufs!;
  const iov = new Uint8Array(new ArrayBuffer(bufs.length * IOVEC.size));
  const dv = new DataView(iov.buffer);
  bufs.forEach((b, i) => {
    dv.setBigUint64(i * IOVEC.size + IOVEC.base, BigInt(ffi.addressOf(b)), true);
    dv.setBigUint64(i * IOVEC.size + IOVEC.len, BigInt(b.byteLength), true);
  });
  return iov;
}
