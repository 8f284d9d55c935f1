/**
 * Multishot recv for stream reads through a buffer pool (IORING_RECV_MULTISHOT with
 * IOSQE_BUFFER_SELECT, Linux 6.0): one SQE per socket — a "carrier" — posts a CQE (with
 * IORING_CQE_F_MORE) for every chunk the kernel receives into a pool buffer, so a socket read in
 * a loop costs no SQE per read. Core's RECV_POOL ops on the socket never reach the kernel here:
 * each takes the next chunk from the socket's queue, or waits for one.
 *
 * Rules the kernel sets, and how each is kept:
 * - A CQE without IORING_CQE_F_MORE ends the carrier (EOF 0, an error, -ENOBUFS when the pool's
 *   ring ran dry, -ECANCELED after our cancel, or a last chunk when the CQ overflowed). A chunk
 *   in it is still delivered; the carrier is re-armed by the next read that finds the queue empty
 *   (after -ENOBUFS the waiting read gets ENOBUFS, core waits for a release, reads again: re-arm).
 * - Completed chunks are queued per socket and never dropped: a read cancelled while waiting
 *   leaves the queue as it is, and the next read takes the chunk.
 * - Bytes move into pool buffers even with no read pending: once a chunk waits with no reader the
 *   carrier is cancelled, so an unread socket holds at most the chunks that beat the cancel
 *   (back-pressure stays in the socket, not in the pool).
 * - A socket's CLOSE waits until its carrier's last CQE (the kernel may still write into a pool
 *   buffer until then); queued chunks' buffers go back to the ring.
 * @module
 */
import { constants as osConstants } from 'node:os';
import type { Op, PoolMemory } from '@rentio/core/driver';
import { ECANCELED, EINTR } from '@rentio/core/driver';
import { carrierClass, type CarrierOp } from './carrier-op.js';
import { CarrierStream, CarrierTable } from './carrier-table.js';
import { IORING_CQE_BUFFER_SHIFT, IORING_CQE_F_BUFFER, IORING_CQE_F_MORE } from './constants.js';

const { ENOBUFS, EINVAL } = osConstants.errno;
/**
 * The queue of a socket with no chunk queued: shared, so an idle socket holds no array of its own
 * (frozen: a push into it would be a bug, and throws).
 */
const NO_CHUNKS: number[] = Object.freeze([]) as unknown as number[];
/**
 * Chunks queued with no reader before the carrier is cancelled at once. Below it, a socket whose
 * chunk nobody took is cancelled only if still unread when the loop reaches its check phase:
 * in request/response traffic the peer's next message often lands in the same reap as our
 * write's completion, before the app (resumed by that completion's promise) reads again, and
 * cancelling there cost a cancel and a re-arm for about half the messages of a closed-loop echo.
 * Bounded either way, so a socket nobody reads holds a few pool buffers at most.
 */
const MAX_UNREAD = 4;

/** What the multishot layer needs of the driver. */
export interface MultishotHost {
  /** Submit a carrier (an internal RECV_POOL op) as a multishot SQE. */
  arm(carrier: Op): void;
  /** Ask the kernel to cancel a carrier. */
  cancel(carrier: Op): void;
  /** Submit an op the layer held back (a CLOSE waiting for its socket's carrier to end). */
  resubmit(op: Op): void;
  /** Give a pool buffer back to its ring. */
  recycle(pool: PoolMemory, bid: number): void;
}

/** One socket read through a pool. */
class RecvStream extends CarrierStream {
  /** Queued results: pairs of (res, bid); res 0 is EOF, < 0 an error. {@link NO_CHUNKS} until the first. */
  queue: number[] = NO_CHUNKS;
  constructor(
    fd: number,
    public pool: PoolMemory,
  ) {
    super(fd);
  }
}

export class MultishotRecv extends CarrierTable<RecvStream> {
  readonly #host: MultishotHost;
  /** Counters for stats(). */
  armed = 0;
  chunks = 0;
  ends = 0;

  /**
   * This layer's carrier class. A carrier that never reached the kernel (cancelled while queued,
   * refused) completes through the class's `settled`, which routes it to {@link cqe} as its last
   * CQE: no closure per socket, and no pointer to the layer in each carrier.
   */
  readonly #Carrier: new (source: RecvStream) => CarrierOp;

  constructor(host: MultishotHost) {
    super((carrier) => host.cancel(carrier));
    this.#host = host;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the function's own `this` is the carrier
    const layer = this;
    this.#Carrier = carrierClass(function (this: Op) {
      layer.cqe(this, this.res, 0);
    });
  }

  /** Sockets with an armed carrier or queued chunks. */
  get size(): number {
    return this.byFd.size;
  }

  /** A core RECV_POOL op: the next queued chunk, or wait for one (arming the carrier). */
  read(op: Op): void {
    let st = this.byFd.get(op.fd);
    if (!st) {
      st = new RecvStream(op.fd, op.pool!);
      this.byFd.set(op.fd, st);
    }
    if (st.pool !== op.pool) {
      // One socket, two pools: allowed once the first pool's carrier and chunks are gone.
      if (st.carrier || st.queue.length) return op.complete(-EINVAL);
      st.pool = op.pool!;
    }
    if (st.queue.length) return this.#deliver(st, op);
    this.wait(st, op);
    if (!st.carrier && !st.closeOp) this.#arm(st);
  }

  /**
   * A carrier's CQE (or its completion without reaching the kernel). `more`: the kernel posts
   * more CQEs for it.
   */
  cqe(carrier: Op, res: number, flags: number): void {
    const st = this.streamOf(carrier);
    if (!st) return;
    const more = (flags & IORING_CQE_F_MORE) !== 0;
    if (res > 0 && flags & IORING_CQE_F_BUFFER) {
      this.chunks++;
      this.#push(st, res, flags >>> IORING_CQE_BUFFER_SHIFT);
    } else if (flags & IORING_CQE_F_BUFFER) {
      // A buffer picked for no bytes: straight back.
      this.#host.recycle(st.pool, flags >>> IORING_CQE_BUFFER_SHIFT);
    }
    if (more) {
      if (st.waiting === 0 && st.queue.length > 0) {
        if (st.queue.length >= 2 * MAX_UNREAD) this.cancelCarrier(carrier);
        else this.#checkLater(st);
      }
      return;
    }
    // The carrier ended.
    this.ends++;
    this.end(st);
    if (st.closeOp) {
      const close = st.closeOp;
      this.forget(st);
      this.#host.resubmit(close);
      return;
    }
    // EINTR: a signal ended the carrier with no bytes; re-armed below, as epoll retries.
    if (res === 0 || (res < 0 && res !== -ECANCELED && res !== -ENOBUFS && res !== -EINTR)) this.#push(st, res, -1);
    else if (res === -ENOBUFS && st.waiting > 0) this.next(st).complete(-ENOBUFS);
    if (st.waiting > 0) this.#arm(st);
  }

  /** Sockets to look at in the check phase: a chunk queued, nobody reading (see MAX_UNREAD). */
  readonly #unread = new Set<RecvStream>();
  #checkScheduled = false;

  #checkLater(st: RecvStream): void {
    this.#unread.add(st);
    if (this.#checkScheduled) return;
    this.#checkScheduled = true;
    setImmediate(this.#checkUnread);
  }

  /** Cancel the carrier of each socket still not read by now. */
  readonly #checkUnread = (): void => {
    this.#checkScheduled = false;
    for (const st of this.#unread) {
      const carrier = st.carrier;
      if (carrier && st.waiting === 0 && st.queue.length > 0 && this.byFd.get(st.fd) === st) this.cancelCarrier(carrier);
    }
    this.#unread.clear();
  };

  #arm(st: RecvStream): void {
    // A carrier that never reached the kernel (cancelled while queued, refused) completes
    // through its layer's `settled`: routed here as its last CQE.
    const carrier = new this.#Carrier(st).asOp();
    this.add(carrier, st);
    this.armed++;
    this.#host.arm(carrier);
  }

  #push(st: RecvStream, res: number, bid: number): void {
    if (st.waiting > 0) {
      const op = this.next(st);
      op.bid = bid;
      op.complete(res);
      return;
    }
    if (st.queue === NO_CHUNKS) st.queue = [];
    st.queue.push(res, bid);
  }

  #deliver(st: RecvStream, op: Op): void {
    const res = st.queue.shift()!;
    op.bid = st.queue.shift()!;
    op.complete(res);
    // EOF and errors stay final: the next read sees them again, as a plain recv would.
    if (res <= 0) st.queue.unshift(res, -1);
  }

  /** The pool is closing: cancel its carriers and drop its queued chunks (nobody will read them). */
  dropPool(pool: PoolMemory): void {
    for (const st of this.byFd.values()) {
      if (st.pool !== pool) continue;
      st.queue = NO_CHUNKS;
      if (st.carrier) this.cancelCarrier(st.carrier);
    }
  }

  protected override forget(st: RecvStream): void {
    for (let i = 0; i < st.queue.length; i += 2) if (st.queue[i]! > 0) this.#host.recycle(st.pool, st.queue[i + 1]!);
    this.dropWaiters(st);
    this.byFd.delete(st.fd);
  }
}
