/**
 * File jobs on the addon's native threads (native/file-pool.c): the pool, its queue and its
 * eventfd live in C; this is the JS face of it.
 * @module
 */
import type { FilePoolCalls, FilePoolHandle } from '@rentio/core/file-calls';
import type { FileThreads, JobArgs } from './file-threads.js';

export class NativeFileThreads implements FileThreads {
  readonly eventfd: number;
  // The pool closes its eventfd itself, after joining its threads: were the parker to close that
  // number too, it could close an fd someone else had got back meanwhile.
  readonly teardownFds: readonly number[] = [];
  #calls: FilePoolCalls;
  #pool: FilePoolHandle;
  #closed = false;
  #finalSyscalls = 0;
  onLost: (ids: number[]) => void = () => {}; // native threads do not die apart from the process

  constructor(calls: FilePoolCalls, maxThreads: number) {
    this.#calls = calls;
    this.#pool = calls.poolOpen(maxThreads);
    this.eventfd = calls.poolEventfd(this.#pool);
  }

  get threads(): number {
    return this.#closed ? 0 : this.#calls.poolThreads(this.#pool);
  }

  get syscalls(): number {
    return this.#closed ? this.#finalSyscalls : this.#calls.poolSyscalls(this.#pool);
  }

  start(id: number, j: JobArgs): number {
    return this.#calls.poolSubmit(this.#pool, id, j.call, j.fd, j.addr, j.len, j.pos, j.flags, j.mode, j.addr2);
  }

  cancel(id: number): void {
    this.#calls.poolCancel(this.#pool, id);
  }

  reap(out: Float64Array): number {
    return this.#calls.poolReap(this.#pool, out);
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#finalSyscalls = this.#calls.poolSyscalls(this.#pool);
    this.#closed = true;
    this.#calls.poolClose(this.#pool);
    return Promise.resolve();
  }
}
