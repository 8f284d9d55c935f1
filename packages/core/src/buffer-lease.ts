/**
 * A buffer lease: the bytes one pooled read returned, in a buffer the pool lends until
 * `release()`. Misuse is an error, never silent reuse: a released lease's `bytes` throws
 * `ERR_RENTIO_LEASE_RELEASED`, a second `release()` throws `ERR_RENTIO_LEASE_RELEASED_TWICE`, and a
 * lease kept past its pool's close throws `ERR_RENTIO_POOL_CLOSED`. Views taken from `bytes`
 * before the release are detached by it (they read as empty), so old data cannot be read through
 * them either.
 * @module
 */
import { Buffer } from 'node:buffer';
import { LeaseReleasedError, LeaseReleasedTwiceError, PoolClosedError } from './errors.js';
import type { BufferPool } from './buffer-pool.js';

const HELD = 0;
const RELEASED = 1;
const VOIDED = 2;

/**
 * The bytes of one pooled read (`const [n, lease] = await sock.read(pool)`), lent by the pool
 * until {@link BufferLease.release} (or the end of a `using` block).
 *
 * @example
 * ```ts
 * const [n, lease] = await sock.read(pool)
 * if (lease) {
 *   using l = lease
 *   console.log(n, l.bytes.toString())
 * }
 * ```
 */
export class BufferLease implements Disposable {
  readonly #pool: BufferPool;
  readonly #bid: number;
  #view: Uint8Array;
  #state = HELD;
  /** `bytes` was handed out: a view of the pool's buffer may be kept, so release must detach it. */
  #exposed = false;
  /** Bytes read (as `n`); kept after release. */
  readonly length: number;

  /** @internal made by a pooled read */
  constructor(pool: BufferPool, bid: number, view: Uint8Array) {
    this.#pool = pool;
    this.#bid = bid;
    this.#view = view;
    this.length = view.byteLength;
  }

  /** The bytes read (a view into the pool's buffer). Throws once the lease is released or its pool closed. */
  get bytes(): Uint8Array {
    if (this.#state === RELEASED) throw new LeaseReleasedError();
    if (this.#state === VOIDED) throw new PoolClosedError('the buffer pool was closed while the lease was held');
    this.#exposed = true;
    return this.#view;
  }

  /**
   * Copy the bytes into a new `Buffer` and release the lease, in one step. Cheaper than
   * `Buffer.from(lease.bytes)` then `release()`: no view of the pool's buffer ever left the
   * lease, so the release need not detach one. Throws as {@link bytes} does once released.
   *
   * @example
   * ```ts
   * const [n, lease] = await sock.read(pool)
   * if (lease) chunks.push(lease.copyAndRelease())
   * ```
   */
  copyAndRelease(): Buffer {
    if (this.#state === RELEASED) throw new LeaseReleasedError();
    if (this.#state === VOIDED) throw new PoolClosedError('the buffer pool was closed while the lease was held');
    const copy = Buffer.allocUnsafe(this.length);
    copy.set(this.#view);
    this.#state = RELEASED;
    this.#pool._release(this.#bid, this.#exposed);
    return copy;
  }

  /** True until released (or voided by the pool's close). */
  get held(): boolean {
    return this.#state === HELD;
  }

  /** Hand the buffer back to the pool. Views of `bytes` are detached. */
  release(): void {
    if (this.#state === RELEASED) throw new LeaseReleasedTwiceError();
    if (this.#state === VOIDED) throw new PoolClosedError('the buffer pool was closed while the lease was held');
    this.#state = RELEASED;
    this.#pool._release(this.#bid, this.#exposed);
  }

  /** `using` support: releases the lease if it is still held (a no-op after `release()` or the pool's close). */
  [Symbol.dispose](): void {
    if (this.#state === HELD) this.release();
  }

  /** The pool closed with this lease held. @internal */
  _void(): void {
    if (this.#state === HELD) this.#state = VOIDED;
  }
}
