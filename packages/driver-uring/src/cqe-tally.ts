/**
 * Ops that end in more than one CQE: an op with a deadline (its own CQE and its linked timeout's,
 * see link-timeout.ts), and a zero-copy send (its result, flagged IORING_CQE_F_MORE, then the
 * notification, flagged IORING_CQE_F_NOTIF, once the kernel no longer reads the buffer). The op's
 * slot — and so the op and the buffer it owns — is held until the last of them arrived; then the
 * op completes once, with its own result.
 *
 * Per slot: how many CQEs are still to come (`left`; 1 for an ordinary op, which never enters
 * {@link CqeTally.cqe}) and the op's result and CQE flags, kept until the last CQE.
 * @module
 */
import { constants as osConstants } from 'node:os';
import type { Op } from '@rentio/core/driver';
import { IORING_CQE_F_MORE, IORING_CQE_F_NOTIF, IORING_NOTIF_USAGE_ZC_COPIED } from './constants.js';
import { LINK_TIMEOUT_TAG } from './link-timeout.js';

const { ETIME } = osConstants.errno;

/** CQEs still expected and the op's own result, per slab slot. */
export class CqeTally {
  /** CQEs still to come for the op in each slot, set when its SQE(s) are written. */
  left = new Uint8Array(256);
  /** The op's own result, kept until its last CQE. */
  res = new Int32Array(256);
  /** The op's own CQE flags (a buffer-select read's buffer id lives there), kept likewise. */
  flags = new Uint32Array(256);
  /** Zero-copy sends completed, and notifications that said the kernel copied after all. */
  zcSends = 0;
  zcCopied = 0;

  /** Before writing the SQE(s) of `slot`: `cqes` will come for it. */
  expect(slot: number, cqes: number): void {
    if (slot >= this.left.length) this.#grow(slot + 1);
    this.left[slot] = cqes;
  }

  /**
   * One CQE of a multi-CQE op: true when it was the last (the op's result is then `res[slot]`).
   * `genWord` is the CQE's user_data high word (tagged for the linked timeout).
   */
  cqe(slot: number, op: Op, genWord: number, res: number, flags: number): boolean {
    if (genWord & LINK_TIMEOUT_TAG) {
      // The timer fired (-ETIME): the kernel is cancelling the op, whose own CQE decides.
      if (res === -ETIME) op.expired();
    } else if (flags & IORING_CQE_F_NOTIF) {
      this.zcSends++;
      if (res & IORING_NOTIF_USAGE_ZC_COPIED) this.zcCopied++;
    } else {
      this.res[slot] = res;
      this.flags[slot] = flags;
      // SEND_ZC's result: a notification follows (also after most failures: it was allocated at prep).
      if (flags & IORING_CQE_F_MORE) this.left[slot] = this.left[slot]! + 1;
    }
    return (this.left[slot] = this.left[slot]! - 1) === 0;
  }

  #grow(size: number): void {
    let n = this.left.length;
    while (n < size) n *= 2;
    const left = new Uint8Array(n);
    left.set(this.left);
    this.left = left;
    const res = new Int32Array(n);
    res.set(this.res);
    this.res = res;
    const flags = new Uint32Array(n);
    flags.set(this.flags);
    this.flags = flags;
  }
}
