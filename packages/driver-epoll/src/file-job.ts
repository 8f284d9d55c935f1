/**
 * The shared-memory layout between the main thread and the file workers of the worker_threads
 * fallback (file-threads-worker.ts). Jobs live in a SharedArrayBuffer slab; each worker has a
 * single-producer/single-consumer ring of job ids in (submissions) and one out (completions).
 * A worker that finishes a job writes the pool's eventfd, which is registered in the epoll
 * instance — so completions wake the same parker as socket readiness.
 * @module
 */
/** Ring entries per worker (power of two). */
export const RING_CAP = 1024;

// Job fields, one Float64 each (addresses < 2^53 on every Linux ABI we run on).
export const F_CODE = 0;
export const F_FD = 1;
export const F_ADDR = 2; // buffer (+offset), iovec array, or statx buffer
export const F_LEN = 3; // bytes, or iovec count
export const F_POS = 4; // file offset, -1 = current position
export const F_FLAGS = 5;
export const F_MODE = 6;
export const F_ADDR2 = 7; // path
export const F_RES = 8;
export const JOB_FIELDS = 9;

// Job states (Int32, CAS'd by both sides: a cancel wins only while the job is still queued).
export const S_FREE = 0;
export const S_QUEUED = 1;
export const S_RUNNING = 2;
export const S_CANCELLED = 3;
export const S_DONE = 4;

// Ring header (Int32 indexes into a worker's control array).
export const R_SUB_HEAD = 0;
export const R_SUB_TAIL = 1;
export const R_COMP_HEAD = 2;
export const R_COMP_TAIL = 3;
export const R_STOP = 4;
export const R_HEADER = 8;

// Global control (Int32 indexes).
export const G_NOTIFIED = 0; // 1 while an eventfd wake is pending: workers write the eventfd only once
export const G_SYSCALLS = 1; // syscalls made by workers, for stats
export const G_FIELDS = 4;

/** What the main thread sends a worker at start. */
export interface WorkerInit {
  jobs: SharedArrayBuffer;
  states: SharedArrayBuffer;
  ring: SharedArrayBuffer;
  global: SharedArrayBuffer;
  eventfd: number;
}

export function ringBytes(): number {
  return (R_HEADER + 2 * RING_CAP) * 4;
}
