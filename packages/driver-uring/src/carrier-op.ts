/**
 * The op a multishot recv carrier is: one per socket read through a pool, in the driver's slab
 * while its SQE is in the kernel. Not a core `Op`, whose 30 fields (240 bytes) are mostly what a
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

export class CarrierOp {
  /** Driver-private: the carrier's slab slot (set by Slab.alloc). */
  slot = -1;
  res = 0;
  #done = false;

  /**
   * @param settled Called (with the carrier as `this`) if the carrier completes without reaching
   *   the kernel: cancelled while queued, or refused. CQEs go to the multishot layer directly.
   */
  constructor(
    readonly fd: number,
    readonly pool: PoolMemory,
    readonly settled: (this: Op) => void,
  ) {}

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
