/**
 * The op a multishot recv carrier is: one per socket read through a pool, in the driver's slab
 * while its SQE is in the kernel. Not a core `Op`, whose 24 fields (216 bytes) are mostly what a
 * carrier never sets, and an idle connection holds its carrier for as long as it is idle: this
 * holds only what the driver's submit, reap and cancel paths read of an op.
 *
 * INVARIANT: those paths read nothing else of a RECV_POOL op in the RECV_MULTISHOT variant
 * (driver.ts `#fill`, `#reap`, `cancel`, `close`, `#settleUnsubmitted`; ops.ts's RECV_POOL prep),
 * and core never sees a carrier (it is not linked to a handle, a runtime or a signal). The
 * multishot conformance and fault-injection cases run every one of those paths on carriers.
 * @module
 */
import type { Op, PoolMemory } from '@rentio/core/driver';
import { OpCode } from '@rentio/core/driver';

/** What a carrier serves: its socket's fd and the pool its chunks land in. */
export interface CarrierSource {
  readonly fd: number;
  readonly pool: PoolMemory;
}

export abstract class CarrierOp {
  /** Driver-private: the carrier's slab slot (set by Slab.alloc). */
  slot = -1;
  res = 0;
  #done = false;

  /**
   * @param source The stream the carrier serves (its fd and pool are read through it, not copied:
   *   8 bytes each per idle connection). INVARIANT: a stream's pool changes only while it has no
   *   carrier (multishot-recv.ts `read`).
   */
  constructor(readonly source: CarrierSource) {}

  /**
   * Called (with the carrier as `this`) if the carrier completes without reaching the kernel:
   * cancelled while queued, or refused. CQEs go to the multishot layer directly. A prototype
   * member of the layer's own subclass ({@link carrierClass}), not a field per carrier.
   */
  protected abstract settled(this: Op): void;

  get fd(): number {
    return this.source.fd;
  }
  get pool(): PoolMemory {
    return this.source.pool;
  }

  // The same for every carrier: on the prototype, not 8 bytes each per carrier.
  get code(): typeof OpCode.RECV_POOL {
    return OpCode.RECV_POOL;
  }
  /** The RECV's msg flags (none). */
  get flags(): number {
    return 0;
  }
  /** No deadline: a carrier outlives every read it serves (their deadlines are timers of their own). */
  get timeoutNs(): number {
    return 0;
  }

  /** True until completed without reaching the kernel. */
  get pending(): boolean {
    return !this.#done;
  }

  /** A carrier is cancelled in the kernel only (its last CQE ends it), never through core. */
  get cancelling(): boolean {
    return false;
  }

  /** The carrier never reached the kernel: `res` is its only result. */
  complete(res: number): void {
    if (this.#done) return;
    this.#done = true;
    this.res = res;
    this.settled.call(this as unknown as Op);
  }

  /** This carrier, as the slab and the op table hold ops (see the INVARIANT above). */
  asOp(): Op {
    return this as unknown as Op;
  }
}

/**
 * The carrier class of one multishot layer: `settled` on its prototype, so a carrier holds no
 * pointer to its layer. One class per layer (per runtime): the driver's op sites see one carrier
 * shape per runtime.
 */
export function carrierClass(settled: (this: Op) => void): new (source: CarrierSource) => CarrierOp {
  return class LayerCarrier extends CarrierOp {
    protected settled(this: Op): void {
      settled.call(this);
    }
  };
}
