/**
 * What a handle that reads through a buffer pool needs (a stream socket's `read(pool)`, a UDP
 * socket's `recvBatch(pool)`): a way to start the pooled op, and a wake for a read that waits for
 * a free pool buffer, so that closing the handle ends that wait.
 * @module
 */
import type { BufferPool } from './buffer-pool.js';
import { Handle } from './handle.js';
import type { Op } from './op.js';

/** A pooled read's wait for a release: its wake, set while it waits. */
export interface PoolWait {
  wake: (() => void) | null;
}

/**
 * Each handle's pool wait, made by its first wait on an empty pool. Held here rather than in a
 * field: a field costs every handle 8 bytes, and an idle server holds tens of thousands of
 * handles that never wait.
 */
const poolWaits = new WeakMap<PooledHandle, PoolWait>();

export abstract class PooledHandle extends Handle {
  /** This handle's pool wait (made on first use): a close wakes it. @internal */
  _poolWait(): PoolWait {
    let w = poolWaits.get(this);
    if (w === undefined) poolWaits.set(this, (w = { wake: null }));
    return w;
  }

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
    poolWaits.get(this)?.wake?.();
    return super.close();
  }

  override _closeForRuntime(): Promise<void> {
    poolWaits.get(this)?.wake?.();
    return super._closeForRuntime();
  }
}
