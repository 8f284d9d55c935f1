/**
 * The staging pool: rentable buffers ("slabs") compat copies writes into and reads into, so it
 * never hands user memory to the kernel and allocates no buffer memory per chunk on the hot path.
 *
 * One pool of 64 KiB slabs and one of 4 KiB read slabs per process (slabs are plain memory,
 * usable by any runtime, and a stream may stage a write before it knows its runtime), reported in
 * the `rt.stats()` of every runtime compat has used as `compatPoolBuffers` (slabs the pools made
 * and still track: free plus lent), `compatPoolFree` (idle in the pools), `compatPoolBytes` and
 * `compatPoolLentBytes` (memory held by ops and streams right now). `compatPoolBuffers - compatPoolFree` is the number lent to
 * ops or to streams right now, so it returns to 0 once every compat stream is closed — which is
 * how the tests prove no slab is lost.
 * @module
 */
import { Buffer } from 'node:buffer';
import { alloc, type Runtime } from '@rentio/core';

/**
 * Bytes per staging slab: the most one compat read op reads, and the most one gathered write op
 * writes (larger writes become several ops). Node's libuv reads 64 KiB at a time too.
 *
 * @example
 * ```ts
 * import { SLAB_SIZE } from '@rentio/compat'
 * const chunkSize = SLAB_SIZE // write in slab-sized chunks to fill each op
 * ```
 */
export const SLAB_SIZE = 64 * 1024;

/**
 * Bytes of a small read slab. An idle connection always has a read pending, and under a
 * completion driver that read owns its buffer while it waits; reading into a small slab while
 * reads come back small keeps an idle keep-alive connection at 4 KiB instead of 64 KiB.
 */
export const SMALL_SLAB_SIZE = 4 * 1024;

/**
 * Marks a slab object that is in the free list. A property on the object, not a WeakSet: this
 * runs twice per op, and a rented slab comes back as a new object anyway (renting detaches the
 * old one), so only a second give of the very same object — a compat bug — can find it set.
 */
const kFree = Symbol('rentio.compat.free');
type Slab = Buffer & { [kFree]?: boolean };

/**
 * A free list of equally sized rentable slabs.
 *
 * INVARIANT: a slab is in the free list at most once and never while an op or a stream holds
 * it, or two owners would share memory. `give` refuses a slab already free (a double give is a
 * bug, and aliasing would corrupt data silently), a detached one (byteLength 0: still lent to an
 * op) and one of a foreign size.
 */
export class StagingPool {
  readonly slabSize: number;
  readonly #maxFree: number;
  #free: Slab[] = [];
  #made = 0;

  /** Slabs of `slabSize` bytes; at most `maxFree` idle ones are kept, more are left to the GC. */
  constructor(slabSize: number, maxFree: number) {
    this.slabSize = slabSize;
    this.#maxFree = maxFree;
  }

  /** Slabs made and still tracked (free + lent). */
  get size(): number {
    return this.#made;
  }

  /** Slabs idle in the pool. */
  get free(): number {
    return this.#free.length;
  }

  /** A slab to own until it is given back. */
  take(): Buffer {
    const b = this.#free.pop();
    if (b) {
      b[kFree] = false;
      return b;
    }
    this.#made++;
    // A Buffer over a whole fresh ArrayBuffer is rentable, and ops hand a Buffer back as a Buffer.
    return Buffer.from(alloc(this.slabSize).buffer);
  }

  /** Give a slab back (undefined, foreign and detached buffers are ignored). */
  give(buf: Uint8Array | null | undefined): void {
    if (!buf || buf.byteLength !== this.slabSize || buf.byteOffset !== 0 || buf.buffer.byteLength !== this.slabSize) return;
    const b = buf as Slab;
    if (b[kFree] === true) throw new Error('rentio compat: staging slab given back twice (bug)');
    if (this.#free.length >= this.#maxFree) {
      this.#made--;
      return;
    }
    b[kFree] = true;
    this.#free.push(b);
  }
}

/** The process's pool of 64 KiB slabs (writes, and reads that fill a small slab); 8 MiB kept idle. */
export const pool = new StagingPool(SLAB_SIZE, 128);

/** The process's pool of 4 KiB read slabs; 4 MiB kept idle. */
export const smallPool = new StagingPool(SMALL_SLAB_SIZE, 1024);

/** Give a slab back to the pool of its size (anything else is ignored). */
export function giveBack(buf: Uint8Array | null | undefined): void {
  if (!buf) return;
  if (buf.byteLength === SMALL_SLAB_SIZE) smallPool.give(buf);
  else pool.give(buf);
}

const reported = new WeakSet<Runtime>();

/** Add the pools' counters to `rt.stats()` (once per runtime). */
export function reportPool(rt: Runtime): void {
  if (reported.has(rt)) return;
  reported.add(rt);
  rt.addStat('compatPoolBuffers', () => pool.size + smallPool.size);
  rt.addStat('compatPoolFree', () => pool.free + smallPool.free);
  rt.addStat('compatPoolBytes', () => pool.size * pool.slabSize + smallPool.size * smallPool.slabSize);
  rt.addStat('compatPoolLentBytes', () => (pool.size - pool.free) * pool.slabSize + (smallPool.size - smallPool.free) * smallPool.slabSize);
}
