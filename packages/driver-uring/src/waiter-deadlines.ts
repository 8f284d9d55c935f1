/**
 * Deadlines of core ops that wait in a multishot layer (a pooled read waiting on its socket's
 * multishot recv). Such a waiter has no SQE of its own, so no IORING_OP_LINK_TIMEOUT can be linked
 * to it; it gets a TIMEOUT SQE of its own instead. When the timer fires first the op is cancelled
 * with cause TIMEOUT (it rejects ETIMEDOUT, and bytes that come later go to the next read); when
 * the op leaves first (bytes, error, cancel) its timer is removed, so none outlives its op.
 * @module
 */
import { CancelCause, Op as CoreOp, OpCode, type Op } from '@rentio/core/driver';

/** How the deadlines reach the ring: the driver's own enqueue and cancel. */
export interface DeadlineHost {
  submit(timer: Op): void;
  cancel(timer: Op): void;
}

export class WaiterDeadlines {
  // INVARIANT: a timer is listed while its op waits; only a listed timer may cancel its op.
  readonly #timers = new Map<Op, Op>();
  readonly #host: DeadlineHost;

  constructor(host: DeadlineHost) {
    this.#host = host;
  }

  /** Timers in the kernel for waiting ops. */
  get size(): number {
    return this.#timers.size;
  }

  /** Time `op` (waiting, `op.timeoutNs` > 0) by a TIMEOUT SQE of its own. */
  arm(op: Op): void {
    const timer = new CoreOp(OpCode.TIMEOUT);
    timer.ns = op.timeoutNs;
    // Fired (-ETIME, as 0) or removed (-ECANCELED): the same callback; only a listed timer acts.
    timer.resolve = timer.reject = () => {
      if (this.#timers.get(op) !== timer) return;
      this.#timers.delete(op);
      op.cancel(CancelCause.TIMEOUT);
    };
    this.#timers.set(op, timer);
    this.#host.submit(timer);
  }

  /** `op` left its layer before its deadline: remove the timer (its -ECANCELED CQE then does nothing). */
  clear(op: Op): void {
    const timer = this.#timers.get(op);
    if (timer === undefined) return;
    this.#timers.delete(op);
    this.#host.cancel(timer);
  }
}
