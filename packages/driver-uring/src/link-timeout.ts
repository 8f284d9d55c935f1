/**
 * Op deadlines under io_uring: the op's SQE carries IOSQE_IO_LINK and is followed by an
 * IORING_OP_LINK_TIMEOUT SQE. The pair always ends in two CQEs, in either order:
 * - the timer fired first: the timeout's CQE is -ETIME, and the op's is -ECANCELED (or its real
 *   result, when it finished while the cancel was on its way: the result wins);
 * - the op finished first: its CQE carries the result, the timeout's is -ECANCELED;
 * - the timer fired but could not cancel the op (it was past cancelling): -EALREADY, and the op's
 *   own CQE follows with its result.
 * The slot is held until both arrived (cqe-tally.ts), so no CQE of the pair is ever stale.
 *
 * The timeout's user_data is the op's slot and generation with {@link LINK_TIMEOUT_TAG} set.
 * @module
 */
import { abiFor } from '@rentio/core/driver';
import { IORING_OP_LINK_TIMEOUT, IOSQE_IO_LINK } from './constants.js';
import { SCRATCH_SIZE, type Slab } from './slab.js';
import { setU64, sqe } from './sqe.js';

/** Bit of a CQE's user_data high word marking the linked timeout of the op in that slot (generations stay below it). */
export const LINK_TIMEOUT_TAG = 0x40000000;
/** Where in a slot's scratch the timespec goes: its last 16 bytes. */
const TIMESPEC_AT = SCRATCH_SIZE - 16;
// index.ts refused to open where the layouts are not stated: abiFor does not throw here.
const { timespec: TIMESPEC } = abiFor('uring');

/**
 * Mark the op SQE at word `opB` as linked, and fill the LINK_TIMEOUT SQE at word `b` for the op
 * in `slot` (generation `gen`), expiring `ns` nanoseconds after it starts.
 *
 * INVARIANT: only ops that use at most SCRATCH_SIZE - 16 bytes of scratch take a deadline (WRITEV,
 * the one op that fills its scratch, has no `timeout` option). The kernel copies the timespec when
 * it takes the SQE (io_link_timeout_prep), and the slot, holding the op, outlives that.
 */
export function prepLinkTimeout(w: Uint32Array, opB: number, b: number, slab: Slab, slot: number, gen: number, ns: number): void {
  w[opB] = w[opB]! | (IOSQE_IO_LINK << 8);
  const c = slab.scratchChunk(slot);
  const s = slab.scratchWord(slot) + (TIMESPEC_AT >> 2);
  setU64(c, s + (TIMESPEC.sec >> 2), Math.floor(ns / 1e9));
  setU64(c, s + (TIMESPEC.nsec >> 2), ns % 1e9);
  // io_uring_prep_link_timeout: addr = the timespec, len 1, timeout_flags 0 (relative).
  sqe(w, b, IORING_OP_LINK_TIMEOUT, -1, 0, slab.scratchAddress(slot) + TIMESPEC_AT, 1, 0);
  w[b + 8] = slot;
  w[b + 9] = gen | LINK_TIMEOUT_TAG;
}
