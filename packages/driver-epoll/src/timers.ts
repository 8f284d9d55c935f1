/**
 * Pending sleeps, by deadline: a binary min-heap of TIMEOUT ops. The driver arms its one timerfd
 * to the earliest deadline, so a sleep costs no fd of its own (thousands of concurrent sleeps, or
 * a back-off sleep while the process is out of fds, must not fail with EMFILE).
 * INVARIANT: `op.heapIndex` is the op's index in the heap while it is in it, -1 once out.
 * @module
 */
import type { Op } from '@rentio/core/driver';

// INVARIANT: #ops and #deadlines always have the same length, and every index read below is
// checked against (or derived from) that length first: the `!` on their elements cannot be wrong.
export class Timers {
  #ops: Op[] = [];
  #deadlines: number[] = [];

  get size(): number {
    return this.#ops.length;
  }

  /** The earliest deadline (ms on the performance.now() clock), or Infinity when empty. */
  get next(): number {
    return this.#ops.length ? this.#deadlines[0]! : Infinity;
  }

  push(op: Op, deadline: number): void {
    this.#ops.push(op);
    this.#deadlines.push(deadline);
    op.heapIndex = this.#ops.length - 1;
    this.#up(op.heapIndex);
  }

  /** Take `op` out (a cancel). True when it was waiting here. */
  remove(op: Op): boolean {
    const i = op.heapIndex;
    if (i < 0 || this.#ops[i] !== op) return false;
    this.#take(i);
    return true;
  }

  /** Take out and return the earliest op if its deadline is <= `now`, else null. */
  popDue(now: number): Op | null {
    if (!this.#ops.length || this.#deadlines[0]! > now) return null;
    return this.#take(0);
  }

  #take(i: number): Op {
    const op = this.#ops[i]!;
    const lastOp = this.#ops.pop()!;
    const lastDeadline = this.#deadlines.pop()!;
    if (i < this.#ops.length) {
      this.#set(i, lastOp, lastDeadline);
      this.#up(i);
      this.#down(lastOp.heapIndex);
    }
    op.heapIndex = -1;
    return op;
  }

  #set(i: number, op: Op, deadline: number): void {
    this.#ops[i] = op;
    this.#deadlines[i] = deadline;
    op.heapIndex = i;
  }

  #up(i: number): void {
    const op = this.#ops[i]!;
    const d = this.#deadlines[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#deadlines[parent]! <= d) break;
      this.#set(i, this.#ops[parent]!, this.#deadlines[parent]!);
      i = parent;
    }
    this.#set(i, op, d);
  }

  #down(i: number): void {
    const n = this.#ops.length;
    const op = this.#ops[i]!;
    const d = this.#deadlines[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.#deadlines[child + 1]! < this.#deadlines[child]!) child++;
      if (this.#deadlines[child]! >= d) break;
      this.#set(i, this.#ops[child]!, this.#deadlines[child]!);
      i = child;
    }
    this.#set(i, op, d);
  }
}
