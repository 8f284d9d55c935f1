/**
 * Where the file pool's jobs run. Two kinds, one contract:
 * - native threads in rentio's addon (file-threads-native.ts), the default: no JS isolate per
 *   thread, so starting and ending them per runtime costs nothing that stays;
 * - worker_threads workers (file-threads-worker.ts), where the addon was not built or
 *   `RENTIO_PARKER=koffi` asks to run without it.
 * The pool (file-pool.ts) picks one and keeps the ops; the threads see only ids and integers.
 * @module
 */
/** Job ids run 0..JOB_CAP-1; more ops wait in the pool's JS queue. */
export const JOB_CAP = 1024;

/** The arguments of one job: the op's call and its integer arguments (addresses as numbers). */
export interface JobArgs {
  call: number;
  fd: number;
  /** Buffer (+offset), iovec array, or statx buffer. */
  addr: number;
  /** Bytes, or iovec count. */
  len: number;
  /** File offset; below 0: the file's own offset. */
  pos: number;
  flags: number;
  mode: number;
  /** Path. */
  addr2: number;
}

/** Threads that run file jobs by id and report completions through an eventfd. */
export interface FileThreads {
  /** Readable (EPOLLIN, edge-triggered is enough) while completions wait for {@link reap}. */
  readonly eventfd: number;
  /** fds to close if the environment ends before close() (a native pool closes its own). */
  readonly teardownFds: readonly number[];
  /** Threads started so far. */
  readonly threads: number;
  /** Syscalls the threads made. */
  readonly syscalls: number;
  /** Queue job `id`: 0, or -errno when it cannot run at all (then not queued). */
  start(id: number, job: JobArgs): number;
  /** Mark job `id` cancelled if still queued: it then completes with -ECANCELED. */
  cancel(id: number): void;
  /** Completed jobs as (id, result) pairs in `out`; returns how many. */
  reap(out: Float64Array): number;
  /** Stop the threads (nothing in flight) and close the eventfd. */
  close(): Promise<void>;
  /** Called with the ids of jobs that can never complete (their thread died). */
  onLost: (ids: number[]) => void;
}
