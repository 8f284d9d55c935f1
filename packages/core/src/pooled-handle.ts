/**
 * What a handle that reads through a buffer pool needs (a stream socket's `read(pool)`, a UDP
 * socket's `recvBatch(pool)`): a way to start the pooled op, and a wake for a read that waits for
 * a free pool buffer, so that closing the handle ends that wait.
 * @module
 */
import type { BufferPool } from './buffer-pool.js';
import { Handle } from './handle.js';
import type { Op } from './op.js';

export abstract class PooledHandle extends Handle {
  /**
   * Wakes a pooled read waiting for a release, so a close ends it. Made by the first such wait
   * (an empty pool), not per handle. @internal
   */
  _poolWait: { wake: (() => void) | null } | null = null;

  /**
   * Start a pooled op (RECV_POOL, RECVMSG_POOL) whose `resolve`/`reject` its read set, tracked by
   * `pool` until it settles: tracked before it starts, since a driver may complete it inside the
   * start (bytes already there), and untracked again if it cannot start. @internal
   */
  _startPooled(op: Op, pool: BufferPool, signal: AbortSignal | null): void {
    pool._startRead();
    try {
      this._check();
      this._submit(op, signal);
    } catch (err) {
      pool._endRead();
      throw err;
    }
  }

  override close(): Promise<void> {
    this._poolWait?.wake?.();
    return super.close();
  }

  override _closeForRuntime(): Promise<void> {
    this._poolWait?.wake?.();
    return super._closeForRuntime();
  }
}
