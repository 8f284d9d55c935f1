/**
 * What multishot accept and multishot recv share: per fd, one "carrier" SQE in the kernel posting
 * a CQE per result, the core ops waiting for those results, and a CLOSE held until the carrier's
 * last CQE. The table maps carriers back to their fd's stream, counts the waiting ops (they keep
 * the process alive; carriers alone do not), and cancels each carrier in the kernel at most once.
 * @module
 */
import type { Op } from '@rentio/core/driver';
import { ECANCELED } from '@rentio/core/driver';

/** One fd's multishot state. */
export class CarrierStream {
  carrier: Op | null = null;
  /** Core ops waiting for the carrier's next result, in order. */
  readonly waiters: Op[] = [];
  /** A CLOSE of the fd, held until the carrier's last CQE (the kernel may still write until then). */
  closeOp: Op | null = null;
  constructor(readonly fd: number) {}
}

/** The carriers and streams of one multishot kind: the base of MultishotAccept and MultishotRecv. */
export class CarrierTable<S extends CarrierStream> {
  /** Streams by fd. */
  readonly byFd = new Map<number, S>();
  readonly #carriers = new Map<Op, S>();
  readonly #cancelled = new WeakSet<Op>();
  readonly #cancelInKernel: (carrier: Op) => void;
  /** Core ops waiting for a result (they keep the process alive; carriers alone do not). */
  waiting = 0;

  constructor(cancelInKernel: (carrier: Op) => void) {
    this.#cancelInKernel = cancelInKernel;
  }

  /** Carriers in the kernel. */
  get carriers(): number {
    return this.#carriers.size;
  }

  /** True when `op` is a carrier of this table (its CQEs go to the subclass's `cqe`). */
  isCarrier(op: Op): boolean {
    return this.#carriers.has(op);
  }

  /** The stream `carrier` serves, while it is in the kernel. */
  streamOf(carrier: Op): S | undefined {
    return this.#carriers.get(carrier);
  }

  /** `carrier` now serves `st`. */
  add(carrier: Op, st: S): void {
    st.carrier = carrier;
    this.#carriers.set(carrier, st);
  }

  /** `carrier`'s last CQE came: `st` has none now. */
  end(carrier: Op, st: S): void {
    this.#carriers.delete(carrier);
    st.carrier = null;
  }

  /** `op` waits on `st` for the next result. */
  wait(st: S, op: Op): void {
    st.waiters.push(op);
    this.waiting++;
  }

  /** The first op waiting on `st`. INVARIANT: called only when `st.waiters` is not empty. */
  next(st: S): Op {
    this.waiting--;
    return st.waiters.shift()!;
  }

  /** A core op's cancel: a waiting op completes -ECANCELED at once (it holds nothing). False if it is not waiting here. */
  cancel(op: Op): boolean {
    const st = this.byFd.get(op.fd);
    const i = st ? st.waiters.indexOf(op) : -1;
    if (i < 0) return false;
    st!.waiters.splice(i, 1); // i >= 0: st is defined
    this.waiting--;
    op.complete(-ECANCELED);
    return true;
  }

  /** Every op waiting on `st` completes -ECANCELED (its fd is closing). */
  dropWaiters(st: S): void {
    this.waiting -= st.waiters.length;
    for (const w of st.waiters.splice(0)) w.complete(-ECANCELED);
  }

  /** Ask the kernel to cancel `carrier`, once: its last CQE ends it. */
  cancelCarrier(carrier: Op): void {
    if (this.#cancelled.has(carrier)) return;
    this.#cancelled.add(carrier);
    this.#cancelInKernel(carrier);
  }
}
