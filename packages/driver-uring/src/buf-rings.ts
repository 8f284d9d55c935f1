/**
 * The uring driver's registered buffer pools, by group id: POOL_REGISTER / POOL_UNREGISTER run
 * here (io_uring_register calls, at submit), and each RECV_POOL completion's picked buffer is
 * read out of its CQE here.
 * @module
 */
import { OpCode, type Op, type PoolMemory } from '@rentio/core/driver';
import type { MultishotRecv } from './multishot-recv.js';
import { BufRing } from './buf-ring.js';
import { IORING_CQE_BUFFER_SHIFT, IORING_CQE_F_BUFFER } from './constants.js';
import type { Ring } from './ring.js';

export class BufRings {
  readonly #ring: Ring;
  /** INVARIANT: a registered ring stays here (and so its memory and its pool's) until unregistered. */
  readonly #byGroup = new Map<number, BufRing>();

  constructor(ring: Ring) {
    this.#ring = ring;
  }

  get size(): number {
    return this.#byGroup.size;
  }

  /** Give buffer `bid` of `pool` back to its ring (a chunk nobody will read). */
  recycle(pool: PoolMemory, bid: number): void {
    this.#byGroup.get(pool.group)?.recycle(bid, pool.buffer(bid));
  }

  /**
   * POOL_REGISTER / POOL_UNREGISTER: done synchronously, completed at once. Before a ring is
   * unregistered the multishot carriers reading into it are cancelled: the kernel picks and fills
   * a buffer under the ring's lock, which unregistering takes too, so none is written after.
   */
  control(op: Op, multishot: MultishotRecv | null): void {
    const pool = op.pool!;
    if (op.code === OpCode.POOL_REGISTER) {
      const br = new BufRing(this.#ring, pool);
      const r = br.register();
      if (r === 0) {
        this.#byGroup.set(pool.group, br);
        // From now on a release hands the buffer back to the kernel, not to core's free list.
        pool.provider = br;
      }
      return op.complete(r);
    }
    multishot?.dropPool(pool);
    const br = this.#byGroup.get(pool.group);
    this.#byGroup.delete(pool.group);
    pool.provider = null;
    op.complete(br ? br.unregister() : 0);
  }

  /**
   * A RECV_POOL's CQE: note the buffer the kernel picked in `op.bid`. A buffer picked for no
   * bytes (EOF or an error) goes straight back into the ring: core makes a lease only for bytes.
   */
  picked(op: Op, res: number, flags: number): void {
    op.bid = flags & IORING_CQE_F_BUFFER ? flags >>> IORING_CQE_BUFFER_SHIFT : -1;
    if (op.bid >= 0 && res <= 0) {
      this.#byGroup.get(op.pool!.group)?.recycle(op.bid, op.pool!.buffer(op.bid));
      op.bid = -1;
    }
  }
}
