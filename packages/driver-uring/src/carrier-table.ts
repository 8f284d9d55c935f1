/**
 * What multishot accept and multishot recv share: per fd, one "carrier" SQE in the kernel posting
 * a CQE per result, the core ops waiting for those results, and a CLOSE held until the carrier's
 * last CQE. The table finds a carrier's stream by its fd, counts the waiting ops (they keep the
 * process alive; carriers alone do not), and cancels each carrier in the kernel at most once.
 *
 * Idle sockets are the many: a stream holds its first waiting op in a field and makes an array
 * only for the ones behind it, and the table keeps no map of carriers (a carrier is its stream's
 * `carrier`).
 * @module
 */
import type { Op } from '@rentio/core/driver';
import { ECANCELED, FdMap } from '@rentio/core/driver';

/** What few streams need: made only then (8 bytes a field, and an idle socket holds a stream). */
class Rare {
  /** A CLOSE of the fd, held until the carrier's last CQE (the kernel may still write until then). */
  closeOp: Op | null = null;
  /** Waiting core ops behind the first (ops issued before the first settles). */
  more: Op[] | null = null;
}

/** One fd's multishot state. */
export class CarrierStream {
  carrier: Op | null = null;
  // Waiting core ops in order: the first here, the rest in the rare record.
  #first: Op | null = null;
  #rare: Rare | null = null;
  constructor(readonly fd: number) {}

  /** A CLOSE of the fd, held until the carrier's last CQE (the kernel may still write until then). */
  get closeOp(): Op | null {
    return this.#rare === null ? null : this.#rare.closeOp;
  }
  set closeOp(op: Op | null) {
    (this.#rare ??= new Rare()).closeOp = op;
  }

  /** Core ops waiting. */
  get waiting(): number {
    return this.#first === null ? 0 : 1 + (this.#rare?.more?.length ?? 0);
  }

  addWaiter(op: Op): void {
    if (this.#first === null) this.#first = op;
    else ((this.#rare ??= new Rare()).more ??= []).push(op);
  }

  /** The first waiting op, taken out. INVARIANT: called only while {@link waiting} > 0. */
  nextWaiter(): Op {
    const op = this.#first!;
    this.#first = this.#rare?.more?.shift() ?? null;
    return op;
  }

  /** Take `op` out of the waiting ops. True when it was waiting. */
  removeWaiter(op: Op): boolean {
    if (this.#first === op) {
      this.nextWaiter();
      return true;
    }
    const more = this.#rare?.more;
    const i = more ? more.indexOf(op) : -1;
    if (i < 0) return false;
    more!.splice(i, 1); // i >= 0: the array exists
    return true;
  }

  /** Every waiting op, taken out. */
  takeWaiters(): Op[] {
    const more = this.#rare?.more;
    const all = this.#first === null ? [] : [this.#first, ...(more ?? [])];
    this.#first = null;
    if (more) this.#rare!.more = null;
    return all;
  }
}

/** The carriers and streams of one multishot kind: the base of MultishotAccept and MultishotRecv. */
export class CarrierTable<S extends CarrierStream> {
  /** Streams by fd. */
  readonly byFd = new FdMap<S>();
  readonly #cancelled = new WeakSet<Op>();
  readonly #cancelInKernel: (carrier: Op) => void;
  #armedNow = 0;
  /** Core ops waiting for a result (they keep the process alive; carriers alone do not). */
  waiting = 0;
  /** Called with each waiting op as it leaves the table, however it settles (its deadline goes). */
  onLeave: ((op: Op) => void) | null = null;

  constructor(cancelInKernel: (carrier: Op) => void) {
    this.#cancelInKernel = cancelInKernel;
  }

  /** Carriers in the kernel. */
  get carriers(): number {
    return this.#armedNow;
  }

  /** True when `op` is a carrier of this table (its CQEs go to the subclass's `cqe`). */
  isCarrier(op: Op): boolean {
    return this.byFd.get(op.fd)?.carrier === op;
  }

  /**
   * The stream `carrier` serves, while it is in the kernel. INVARIANT: an fd is not closed (so not
   * reused) before its carrier's last CQE (the subclasses' holdClose), so the fd finds it.
   */
  streamOf(carrier: Op): S | undefined {
    const st = this.byFd.get(carrier.fd);
    return st?.carrier === carrier ? st : undefined;
  }

  /** `carrier` now serves `st`. */
  add(carrier: Op, st: S): void {
    st.carrier = carrier;
    this.#armedNow++;
  }

  /** `carrier`'s last CQE came: `st` has none now. */
  end(st: S): void {
    this.#armedNow--;
    st.carrier = null;
  }

  /** `op` waits on `st` for the next result. */
  wait(st: S, op: Op): void {
    st.addWaiter(op);
    this.waiting++;
  }

  /** The first op waiting on `st`. INVARIANT: called only while `st.waiting` > 0. */
  next(st: S): Op {
    this.waiting--;
    const op = st.nextWaiter();
    this.onLeave?.(op);
    return op;
  }

  /** A core op's cancel: a waiting op completes -ECANCELED at once (it holds nothing). False if it is not waiting here. */
  cancel(op: Op): boolean {
    if (!this.byFd.get(op.fd)?.removeWaiter(op)) return false;
    this.waiting--;
    this.onLeave?.(op);
    op.complete(-ECANCELED);
    return true;
  }

  /** Every op waiting on `st` completes -ECANCELED (its fd is closing). */
  dropWaiters(st: S): void {
    const waiters = st.takeWaiters();
    this.waiting -= waiters.length;
    for (const w of waiters) {
      this.onLeave?.(w);
      w.complete(-ECANCELED);
    }
  }

  /**
   * A CLOSE of an fd this table serves: held back (true) until its carrier's last CQE, since the
   * kernel may write into the stream's buffers until then; false (the close goes on now) when no
   * carrier is in the kernel, after the stream is dropped.
   */
  holdClose(op: Op): boolean {
    const st = this.byFd.get(op.fd);
    if (!st) return false;
    this.closing(st);
    if (!st.carrier) {
      this.forget(st);
      return false;
    }
    st.closeOp = op;
    this.cancelCarrier(st.carrier);
    return true;
  }

  /** `st`'s fd is about to close: what a subclass settles first (default: nothing). */
  protected closing(_st: S): void {}

  /** Drop `st`: its fd is closing and no carrier is in the kernel (a subclass frees its queue too). */
  protected forget(st: S): void {
    this.byFd.delete(st.fd);
  }

  /** Ask the kernel to cancel `carrier`, once: its last CQE ends it. */
  cancelCarrier(carrier: Op): void {
    if (this.#cancelled.has(carrier)) return;
    this.#cancelled.add(carrier);
    this.#cancelInKernel(carrier);
  }
}
