/**
 * Multishot accept for listeners (IORING_ACCEPT_MULTISHOT in sqe->ioprio, Linux 5.19): one SQE
 * per listener — a "carrier" — posts a CQE (with IORING_CQE_F_MORE) for every connection it
 * accepts. Core's ACCEPT ops (`accept()` and the listener's async iterator) never reach the kernel
 * here: each takes the next accepted fd from the listener's queue, or waits for one.
 *
 * - The carrier asks for no address (one SQE cannot hold a buffer per connection): the peer's
 *   address is read with getpeername(2) into the ACCEPT op's sockaddr when the fd is handed out.
 * - A CQE without F_MORE ends the carrier (an error such as EMFILE goes to the waiting accept;
 *   -ECANCELED after our cancel); the next accept that finds the queue empty re-arms it.
 * - Connections accepted with no accept pending are queued; past {@link MAX_UNCLAIMED} the
 *   carrier is cancelled, so further connections wait in the kernel's backlog, as they would for
 *   a plain accept.
 * - A listener's CLOSE waits for its carrier's last CQE; every fd accepted by then and never
 *   handed out (queued, or arriving after the close began) is closed: none leaks.
 * @module
 */
import type { Op } from '@rentio/core/driver';
import { ECANCELED, EINTR, OpCode, Op as CoreOp, SOCKADDR_STORAGE } from '@rentio/core/driver';
import { CarrierStream, CarrierTable } from './carrier-table.js';
import { IORING_CQE_F_MORE } from './constants.js';
import type { Libc } from './ffi.js';

/** Accepted fds queued with no accept pending before the carrier is cancelled. */
const MAX_UNCLAIMED = 16;

/** What the multishot layer needs of the driver. */
export interface AcceptHost {
  arm(carrier: Op): void;
  cancel(carrier: Op): void;
  resubmit(op: Op): void;
  readonly libc: Libc;
}

class AcceptStream extends CarrierStream {
  /** Accepted fds, or a final error (< 0) at the end. */
  readonly queue: number[] = [];
}

export class MultishotAccept extends CarrierTable<AcceptStream> {
  readonly #host: AcceptHost;
  readonly #len = new Uint8Array(4);
  readonly #lenView = new DataView(this.#len.buffer);
  /** Counters for stats(). */
  armed = 0;
  accepted = 0;
  closedUnclaimed = 0;

  constructor(host: AcceptHost) {
    super((carrier) => host.cancel(carrier));
    this.#host = host;
  }

  /** Whether the listener `fd` has accepted connections nobody claimed yet. */
  hasQueued(fd: number): boolean {
    return (this.byFd.get(fd)?.queue.length ?? 0) > 0;
  }

  /** A core ACCEPT op: the next queued fd, or wait for one (arming the carrier). */
  accept(op: Op): void {
    let st = this.byFd.get(op.fd);
    if (!st) {
      st = new AcceptStream(op.fd);
      this.byFd.set(op.fd, st);
    }
    if (st.queue.length) return this.#hand(op, st.queue.shift()!);
    this.wait(st, op);
    if (!st.carrier && !st.closeOp) this.#arm(st);
  }

  /** A CLOSE on a listener: the fds accepted but never taken are closed first (holdClose). */
  protected override closing(st: AcceptStream): void {
    this.#closeQueued(st);
  }

  /** A carrier's CQE (or its completion without reaching the kernel). */
  cqe(carrier: Op, res: number, flags: number): void {
    const st = this.streamOf(carrier);
    if (!st) return;
    const more = (flags & IORING_CQE_F_MORE) !== 0;
    if (res >= 0) {
      this.accepted++;
      if (st.closeOp) this.#closeFd(res);
      else if (st.waiting > 0) this.#hand(this.next(st), res);
      else {
        st.queue.push(res);
        if (st.queue.length >= MAX_UNCLAIMED) this.cancelCarrier(carrier);
      }
    }
    if (more) return;
    this.end(st);
    if (st.closeOp) {
      const close = st.closeOp;
      this.#closeQueued(st);
      this.byFd.delete(st.fd);
      this.#host.resubmit(close);
      return;
    }
    // EINTR: a signal ended the carrier with nothing accepted; re-armed below, as epoll retries.
    if (res < 0 && res !== -ECANCELED && res !== -EINTR) {
      if (st.waiting > 0) this.next(st).complete(res);
      else st.queue.push(res);
    }
    if (st.waiting > 0) this.#arm(st);
  }

  #arm(st: AcceptStream): void {
    const carrier = new CoreOp(OpCode.ACCEPT);
    carrier.fd = st.fd;
    // A carrier that never reached the kernel completes through core's Op: its last "CQE".
    carrier.resolve = carrier.reject = () => this.cqe(carrier, carrier.res < 0 ? carrier.res : -ECANCELED, 0);
    this.add(carrier, st);
    this.armed++;
    this.#host.arm(carrier);
  }

  /** Complete an ACCEPT op with `fd` (or a queued error), its sockaddr filled by getpeername(2). */
  #hand(op: Op, fd: number): void {
    if (fd < 0) return op.complete(fd);
    const addr = op.addr!;
    this.#lenView.setUint32(0, SOCKADDR_STORAGE, true);
    const r = this.#host.libc.getpeername(fd, addr, this.#len);
    // A peer already gone (ENOTCONN): no address, as accept4 reports for an unnamed peer.
    new DataView(addr.buffer, addr.byteOffset).setUint32(SOCKADDR_STORAGE, r < 0 ? 0 : this.#lenView.getUint32(0, true), true);
    op.complete(fd);
  }

  #closeQueued(st: AcceptStream): void {
    for (const fd of st.queue.splice(0)) if (fd >= 0) this.#closeFd(fd);
    this.dropWaiters(st);
  }

  #closeFd(fd: number): void {
    this.closedUnclaimed++;
    this.#host.libc.close(fd);
  }
}
