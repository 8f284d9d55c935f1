/**
 * The main-thread side of file ops: which op holds which job id, the ops waiting for an id, and
 * the reap that runs when the threads' eventfd turns readable in epoll. The jobs themselves run on
 * {@link FileThreads}: the addon's native threads, or worker_threads workers as the fallback.
 * @module
 */
import { loadFilePool } from '@rentio/core/file-calls';
import { abiFor, faultPlan, OpCode, type Op } from '@rentio/core/driver';
import { ECANCELED, EIO } from './constants.js';
import * as ffi from './ffi.js';
import { NativeFileThreads } from './file-threads-native.js';
import { WorkerFileThreads } from './file-threads-worker.js';
import { JOB_CAP, type FileThreads, type JobArgs } from './file-threads.js';
import { EPOLL_OPS } from './ops.js';

export class FilePool {
  readonly eventfd: number;
  #threads: FileThreads;
  // INVARIANT: ops[id] holds the op (and so its buffer, path, iovecs) until its job is reaped.
  #ops = new Array<Op | null>(JOB_CAP).fill(null);
  #iovecs = new Array<Uint8Array | null>(JOB_CAP).fill(null);
  #free: number[] = [];
  #waiting: Op[] = [];
  // (id, result) pairs from the threads; one array for the pool's life.
  #done = new Float64Array(2 * JOB_CAP);
  // One job's arguments, filled per submit: start() copies them before it returns.
  #args: JobArgs = { call: 0, fd: 0, addr: 0, len: 0, pos: 0, flags: 0, mode: 0, addr2: 0 };
  /** Syscalls made on the main thread for the pool (reaps). */
  syscalls = 0;

  /** Native threads where rentio's addon has them, else worker_threads workers. */
  constructor(maxThreads: number) {
    const calls = loadFilePool();
    this.#threads = calls ? new NativeFileThreads(calls, maxThreads) : new WorkerFileThreads(maxThreads);
    this.#threads.onLost = (ids) => this.#lost(ids);
    this.eventfd = this.#threads.eventfd;
    this.syscalls++; // eventfd()
    for (let i = JOB_CAP - 1; i >= 0; i--) this.#free.push(i);
  }

  /** Threads started so far (they start on the first file op). */
  get threads(): number {
    return this.#threads.threads;
  }

  /** Syscalls made by the threads. */
  get workerSyscalls(): number {
    return this.#threads.syscalls;
  }

  /** fds the parker closes if the environment ends before close(). */
  get teardownFds(): readonly number[] {
    return this.#threads.teardownFds;
  }

  /**
   * Called with each op and its result just before the pool completes it; returns the result to
   * complete it with (the driver drops the op's deadline, and adds what a read got inline).
   */
  beforeComplete: (op: Op, res: number) => number = (_op, res) => res;

  /** Called for an op that failed without running (no thread could run it: -errno, or -EIO: its thread died). */
  onFailed: (op: Op, res: number) => void = (op, res) => op.complete(res);

  submit(op: Op): void {
    const id = this.#free.pop();
    if (id === undefined) {
      this.#waiting.push(op);
      return;
    }
    this.#start(id, op);
  }

  /** Cancel a job still queued; a running job's result wins. Returns true if the op completed here. */
  cancel(op: Op): boolean {
    const w = this.#waiting.indexOf(op);
    if (w >= 0) {
      this.#waiting.splice(w, 1);
      op.complete(this.beforeComplete(op, -ECANCELED));
      return true;
    }
    // A job still queued completes with -ECANCELED through the normal completion path.
    if (op.slot >= 0) this.#threads.cancel(op.slot);
    return false;
  }

  /** Reap completions (the eventfd turned readable). Returns how many ops completed. */
  reap(): number {
    const done = this.#done;
    const n = this.#threads.reap(done);
    this.syscalls++; // the eventfd read
    for (let i = 0; i < n; i++) {
      const id = done[2 * i]!; // i < n <= JOB_CAP: in range
      const op = this.#release(id)!;
      const res = done[2 * i + 1]!;
      if (faultPlan === null) op.complete(this.beforeComplete(op, res));
      else faultPlan.complete(op, this.beforeComplete(op, faultPlan.fileResult(op, res)));
    }
    while (this.#waiting.length && this.#free.length) this.#start(this.#free.pop()!, this.#waiting.shift()!);
    return n;
  }

  /** Close the eventfd of a pool that never ran a job (the driver's failed set-up). */
  closeFd(): void {
    void this.#threads.close();
  }

  /** Stop the threads (called once nothing is in flight). */
  async close(): Promise<void> {
    await this.#threads.close();
  }

  // Take the op off its id and free the id.
  #release(id: number): Op | null {
    const op = this.#ops[id]!; // id < JOB_CAP: in range
    if (op === null) return null;
    this.#ops[id] = null;
    this.#iovecs[id] = null;
    this.#free.push(id);
    op.slot = -1;
    return op;
  }

  // Jobs whose thread died can never complete: completed ones are reaped first, these fail with EIO.
  #lost(ids: number[]): void {
    this.reap();
    for (const id of ids) {
      const op = this.#release(id);
      if (op) this.onFailed(op, -EIO);
    }
  }

  #start(id: number, op: Op): void {
    const a = this.#args;
    // INVARIANT: only FILE and FILE_OR_READINESS ops reach the pool, and each names its job; a 0
    // (none) comes back as EINVAL from the thread, never runs as another call.
    a.call = EPOLL_OPS[op.code].job ?? 0;
    a.fd = op.fd;
    // SAFETY: the op (held in #ops until reaped) keeps buf and path alive and in place.
    a.addr = op.buf ? ffi.addressOf(op.buf) + op.off : 0;
    a.len = op.code === OpCode.WRITEV ? op.bufs!.length : op.len;
    a.pos = op.pos;
    a.flags = op.flags;
    a.mode = op.mode;
    a.addr2 = op.path ? ffi.addressOf(op.path) : 0;
    this.#ops[id] = op;
    op.slot = id;
    if (op.code === OpCode.WRITEV) {
      const iov = iovecsOf(op);
      this.#iovecs[id] = iov;
      a.addr = ffi.addressOf(iov);
    }
    const r = this.#threads.start(id, a);
    if (r < 0) this.onFailed(this.#release(id)!, r);
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
