/**
 * Multishot RECVMSG for pooled datagram receives (core's RECVMSG_POOL): one IORING_OP_RECVMSG SQE
 * per socket — a carrier — with IORING_RECV_MULTISHOT and IOSQE_BUFFER_SELECT posts one CQE per
 * datagram, each in a buffer of the pool's provided-buffer ring, so a flood costs no SQE and no
 * poll arm per datagram. Each buffer holds `struct io_uring_recvmsg_out`, the sender's sockaddr
 * (the carrier's msghdr asks DGRAM_NAMELEN bytes for it), then the payload — the layout core's
 * udp-receive.ts reads. Core's RECVMSG_POOL ops never reach the kernel here: each takes every
 * datagram queued (up to its batch), or waits; the datagrams of one reap go to a waiting op
 * together ({@link MultishotRecvmsg.settle}, called by the driver after each reap).
 *
 * The stream layer's rules (multishot-recv.ts) hold, with one difference: a datagram socket may
 * queue up to {@link maxUnread} datagrams with no receive waiting before its carrier is
 * cancelled (a stream stops at one chunk): under a flood the reader is busy with the last batch
 * when the next CQEs come, and re-arming per batch would cost what multishot saves. A CQE
 * without IORING_CQE_F_MORE ends the carrier (-ENOBUFS when the ring ran dry: the datagrams stay
 * in the socket, the waiting receive gets ENOBUFS and core waits for a release, then re-arms).
 *
 * Also here: {@link singleShotDatagram}, the same layout made from one plain buffer-select RECVMSG
 * where multishot is off (kernels before 6.0, or `multishotRecv: false`).
 * @module
 */
import { constants as osConstants } from 'node:os';
import { abiFor, DGRAM_NAMELEN, ECANCELED, EINTR, OpCode, Op as CoreOp, RECVMSG_OUT_SIZE } from '@rentio/core/driver';
import type { DatagramBatchOp, Op, PoolMemory } from '@rentio/core/driver';
import { CarrierStream, CarrierTable } from './carrier-table.js';
import { IORING_CQE_BUFFER_SHIFT, IORING_CQE_F_BUFFER, IORING_CQE_F_MORE } from './constants.js';
import { addressOf } from './ffi.js';
import type { MultishotHost } from './multishot-recv.js';

const { ENOBUFS, EINVAL } = osConstants.errno;
const NONE: number[] = Object.freeze([]) as unknown as number[];
// index.ts refused to open where the layouts are not stated: abiFor does not throw here.
const { msghdr: MSGHDR, iovec: IOVEC } = abiFor('uring');
const HEADER = RECVMSG_OUT_SIZE + DGRAM_NAMELEN;
/** A plain RECVMSG's block: msghdr, its iovec, the sender's sockaddr. */
const SINGLE_IOV = MSGHDR.size;
const SINGLE_NAME = SINGLE_IOV + IOVEC.size;

/** Datagrams a socket may queue with no receive waiting before its carrier is cancelled. */
function maxUnread(pool: PoolMemory): number {
  return Math.max(1, Math.min(256, pool.count >> 1));
}

class DgramStream extends CarrierStream {
  /** Queued results: pairs (res, bid); bid -1 is an error, reported once. */
  queue: number[] = NONE;
  /** Index of the first pair not yet delivered. */
  head = 0;
  /** On the layer's ready list (a waiting op and something queued). */
  ready = false;
  constructor(
    fd: number,
    public pool: PoolMemory,
  ) {
    super(fd);
  }
  get queued(): number {
    return (this.queue.length - this.head) >> 1;
  }
}

export class MultishotRecvmsg extends CarrierTable<DgramStream> {
  readonly #host: MultishotHost;
  readonly #ready: DgramStream[] = [];
  readonly #carrierSettled: (this: Op) => void;
  /** Counters for stats(). */
  armed = 0;
  datagrams = 0;
  ends = 0;

  constructor(host: MultishotHost) {
    super((carrier) => host.cancel(carrier));
    this.#host = host;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the function's own `this` is the carrier
    const layer = this;
    this.#carrierSettled = function (this: Op) {
      layer.cqe(this, this.res, 0);
      layer.settle();
    };
  }

  /** A core RECVMSG_POOL op: the datagrams queued, or wait for some (arming the carrier). */
  read(op: Op): void {
    let st = this.byFd.get(op.fd);
    if (!st) {
      st = new DgramStream(op.fd, op.pool!);
      this.byFd.set(op.fd, st);
    }
    if (st.pool !== op.pool) {
      if (st.carrier || st.queued) return op.complete(-EINVAL);
      st.pool = op.pool!;
    }
    if (st.queued > 0 && st.waiting === 0) return this.#deliver(st, op);
    this.wait(st, op);
    if (!st.carrier && !st.closeOp) this.#arm(st);
  }

  /** A carrier's CQE. The datagram is queued; {@link settle} hands queued datagrams to waiting ops. */
  cqe(carrier: Op, res: number, flags: number): void {
    const st = this.streamOf(carrier);
    if (!st) return;
    if (res > 0 && flags & IORING_CQE_F_BUFFER) {
      this.datagrams++;
      this.#push(st, res, flags >>> IORING_CQE_BUFFER_SHIFT);
    } else if (flags & IORING_CQE_F_BUFFER) {
      this.#host.recycle(st.pool, flags >>> IORING_CQE_BUFFER_SHIFT);
    }
    if (flags & IORING_CQE_F_MORE) {
      if (st.waiting === 0 && st.queued >= maxUnread(st.pool)) this.cancelCarrier(carrier);
      return;
    }
    this.ends++;
    this.end(st);
    if (st.closeOp) {
      const close = st.closeOp;
      this.forget(st);
      this.#host.resubmit(close);
      return;
    }
    if (res < 0 && res !== -ECANCELED && res !== -ENOBUFS && res !== -EINTR) this.#push(st, res, -1);
    else if (res === -ENOBUFS && st.waiting > 0 && st.queued === 0) this.next(st).complete(-ENOBUFS);
    if (st.waiting > 0 && st.queued === 0) this.#arm(st);
  }

  /** After a reap: every waiting op with datagrams queued gets them, one batch each. */
  settle(): void {
    const ready = this.#ready;
    for (let i = 0; i < ready.length; i++) {
      const st = ready[i]!;
      st.ready = false;
      while (st.waiting > 0 && st.queued > 0) this.#deliver(st, this.next(st));
      // A waiting op left with nothing queued (the carrier ended meanwhile): arm again.
      if (st.waiting > 0 && !st.carrier && !st.closeOp && this.byFd.get(st.fd) === st) this.#arm(st);
    }
    ready.length = 0;
  }

  #arm(st: DgramStream): void {
    const carrier = new CoreOp(OpCode.RECVMSG_POOL);
    carrier.fd = st.fd;
    carrier.pool = st.pool;
    // struct msghdr with only msg_namelen set: the kernel reserves that much of each buffer for the
    // sender, no control, no iovec (the buffer is the ring's). INVARIANT: the carrier holds it.
    carrier.addr = new Uint8Array(MSGHDR.size);
    new DataView(carrier.addr.buffer).setUint32(MSGHDR.namelen, DGRAM_NAMELEN, true);
    carrier.resolve = carrier.reject = this.#carrierSettled;
    this.add(carrier, st);
    this.armed++;
    this.#host.arm(carrier);
  }

  #push(st: DgramStream, res: number, bid: number): void {
    if (st.queue === NONE) st.queue = [];
    st.queue.push(res, bid);
    if (st.waiting > 0 && !st.ready) {
      st.ready = true;
      this.#ready.push(st);
    }
  }

  /** Hand `op` the queued datagrams (up to its batch), or the socket error queued first. */
  #deliver(st: DgramStream, op: Op): void {
    const batch = (op as DatagramBatchOp).batch;
    const max = batch.length >> 1;
    const q = st.queue;
    let n = 0;
    while (n < max && st.head < q.length && q[st.head + 1]! >= 0) {
      batch[2 * n] = q[st.head + 1]!;
      batch[2 * n + 1] = q[st.head]!;
      st.head += 2;
      n++;
    }
    if (st.head === q.length) {
      st.queue = NONE;
      st.head = 0;
    } else if (st.head > 512) {
      st.queue = q.slice(st.head);
      st.head = 0;
    }
    if (n > 0) return op.complete(n);
    // An error is reported once, as recvmsg(2) reports a datagram socket's pending error (an ICMP
    // port-unreachable on a connected socket): the next receive arms a new carrier.
    const err = st.queue[st.head]!;
    st.head += 2;
    if (st.head === st.queue.length) {
      st.queue = NONE;
      st.head = 0;
    }
    op.complete(err);
  }

  /** The pool is closing: cancel its carriers and hand back its queued buffers. */
  dropPool(pool: PoolMemory): void {
    for (const st of this.byFd.values()) {
      if (st.pool !== pool) continue;
      st.queue = NONE;
      st.head = 0;
      if (st.carrier) this.cancelCarrier(st.carrier);
    }
  }

  protected override forget(st: DgramStream): void {
    for (let i = st.head; i < st.queue.length; i += 2) if (st.queue[i + 1]! >= 0) this.#host.recycle(st.pool, st.queue[i + 1]!);
    st.queue = NONE;
    st.head = 0;
    this.dropWaiters(st);
    this.byFd.delete(st.fd);
  }
}

/**
 * Where multishot is off: one plain RECVMSG with buffer select per op. Its block (msghdr, iovec,
 * sender; made here, held by the op until its CQE) asks the payload into the buffer's first
 * `pool.size - 44` bytes; {@link singleShotDatagram} then moves it behind a header, so core reads
 * the multishot layout either way.
 */
export function singleShotBlock(op: Op): number {
  if (!op.addr) {
    const b = new Uint8Array(SINGLE_NAME + DGRAM_NAMELEN);
    const dv = new DataView(b.buffer);
    const a = Number(addressOf(b));
    setPtr(dv, MSGHDR.name, a + SINGLE_NAME);
    dv.setUint32(MSGHDR.namelen, DGRAM_NAMELEN, true);
    setPtr(dv, MSGHDR.iov, a + SINGLE_IOV);
    setPtr(dv, MSGHDR.iovlen, 1);
    setPtr(dv, SINGLE_IOV + IOVEC.len, Math.max(0, op.pool!.size - HEADER));
    op.addr = b;
  }
  return Number(addressOf(op.addr));
}

/** A plain RECVMSG_POOL's CQE (`res` its result with MSG_TRUNC: the datagram's real length) → 1 or -errno. */
export function singleShotDatagram(op: Op, res: number, flags: number, recycle: (pool: PoolMemory, bid: number) => void): number {
  const pool = op.pool!;
  const picked = flags & IORING_CQE_F_BUFFER ? flags >>> IORING_CQE_BUFFER_SHIFT : -1;
  if (res < 0) {
    if (picked >= 0) recycle(pool, picked);
    return res;
  }
  if (picked < 0) return -ENOBUFS;
  const b = pool.buffer(picked);
  const kept = Math.min(res, Math.max(0, pool.size - HEADER));
  b.copyWithin(HEADER, 0, kept);
  const dv = new DataView(op.addr!.buffer);
  const namelen = dv.getUint32(MSGHDR.namelen, true);
  const hdr = new DataView(b.buffer, 0, HEADER);
  hdr.setUint32(0, namelen, true);
  hdr.setUint32(4, 0, true);
  hdr.setUint32(8, res, true);
  hdr.setUint32(12, dv.getInt32(MSGHDR.flags, true), true);
  b.set(op.addr!.subarray(SINGLE_NAME, SINGLE_NAME + DGRAM_NAMELEN), RECVMSG_OUT_SIZE);
  const batch = (op as DatagramBatchOp).batch;
  batch[0] = picked;
  batch[1] = HEADER + kept;
  return 1;
}

function setPtr(v: DataView, at: number, n: number): void {
  v.setUint32(at, n >>> 0, true);
  v.setUint32(at + 4, Math.floor(n / 4294967296), true);
}
