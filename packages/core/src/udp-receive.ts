/**
 * Batched datagram receive through a buffer pool: one RECVMSG_POOL op takes every datagram the
 * driver has (up to a batch), each in its own pool buffer, so a flood costs one op and one promise
 * per batch instead of one per datagram — the kernel side being a multishot RECVMSG over a
 * provided-buffer ring (uring) or one recvmmsg(2) per readiness (epoll).
 *
 * Each buffer is laid out as io_uring's multishot RECVMSG writes it (the epoll driver writes the
 * same), so one decoder serves both drivers:
 *   0   struct io_uring_recvmsg_out { u32 namelen; u32 controllen; u32 payloadlen; u32 flags }
 *   16  the sender's sockaddr, DGRAM_NAMELEN (28) bytes reserved
 *   44  control messages (controllen bytes; none asked for, so 0)
 *   44  the payload: the op's `used` bytes minus the 44 before it
 * `payloadlen` is the datagram's real length; when it exceeds what the buffer kept (or `flags`
 * has MSG_TRUNC) the datagram was truncated, and {@link Datagram.truncated} says so.
 *
 * Back-pressure: an empty pool makes the op complete -ENOBUFS with the datagrams still in the
 * socket; the receive waits for a release and tries again (as pooled stream reads do), so a
 * slow reader loses only what the socket's own buffer (SO_RCVBUF) drops — the UDP rule.
 * @module
 */
import { BufferLease } from './buffer-lease.js';
import type { BufferPool } from './buffer-pool.js';
import { MSG_TRUNC } from './constants.js';
import { Buffer } from 'node:buffer';
import { HandleClosedError, LeaseReleasedError, LeaseReleasedTwiceError, PoolClosedError } from './errors.js';
import { DatagramBatchOp, DGRAM_NAMELEN, Op, RECVMSG_OUT_SIZE } from './op.js';
import { AF_INET, AF_INET6, decodeSockaddr } from './sockaddr.js';
import type { PoolWait } from './pooled-handle.js';

/**
 * Bytes of each pool buffer a pooled datagram receive uses before the payload (the kernel's
 * header and the sender's address): a pool of `size` bytes keeps datagrams of up to
 * `size - DATAGRAM_HEADER_BYTES` bytes whole.
 */
export const DATAGRAM_HEADER_BYTES = RECVMSG_OUT_SIZE + DGRAM_NAMELEN;

/** Datagrams one receive takes at most, by default. */
export const DEFAULT_BATCH = 64;
/** The most a batch may ask for (the epoll driver's recvmmsg vector holds this many). */
export const MAX_BATCH = 256;

/** What a batched receive needs of its socket (UdpSocket). */
export interface DatagramSource {
  readonly closed: boolean;
  /** Submit a RECVMSG_POOL op whose `resolve`/`reject` the receive set. */
  _startPooled(op: Op, pool: BufferPool, signal: AbortSignal | null): void;
  /** The socket's wait for a pool release (made on first use): its close wakes it. */
  _poolWait(): PoolWait;
  /** The sender decoder of the socket (it caches the last IPv4 peer's text). */
  readonly _senders: SenderCache;
}

/**
 * Datagrams of at most this many bytes are copied out of their pool buffer (into a Buffer from
 * Node's allocation pool) and the buffer goes straight back to the pool; longer ones are lent in
 * place. Handing a buffer back after a lease costs a detach (a new ArrayBuffer, ~0.5 µs and GC
 * work, measured as the largest JS cost of a 64-byte flood), where copying a small datagram costs
 * tens of nanoseconds and no view of the pool buffer ever escapes.
 */
export const DATAGRAM_COPY_MAX = 1024;

/**
 * One datagram received through a buffer pool: its payload (`bytes`), sender, and whether it was
 * truncated. Hand it back with `release()` or `using`; `take()` keeps the bytes (a copy for a
 * datagram lent in place) and releases it. A small datagram ({@link DATAGRAM_COPY_MAX}) is
 * already a copy and holds no pool buffer; a larger one is a {@link BufferLease} of its pool
 * buffer until released. Either way a released datagram's `bytes` throws
 * `ERR_RENTIO_LEASE_RELEASED`, and views of a lent buffer are detached by the release.
 *
 * @example
 * ```ts
 * for await (const d of sock.messages(pool)) {
 *   using dg = d
 *   console.log(dg.address, dg.port, dg.length, dg.truncated)
 * }
 * ```
 */
export class Datagram implements Disposable {
  readonly #lease: BufferLease | null;
  #copy: Uint8Array | null;
  #released = false;

  /** @internal made by a pooled datagram receive */
  constructor(
    /** Bytes received (those kept when truncated). */
    readonly length: number,
    /** The sender's IP address (`''` when the kernel gave none). */
    readonly address: string,
    /** The sender's port. */
    readonly port: number,
    /** `'IPv4'` or `'IPv6'`. */
    readonly family: 'IPv4' | 'IPv6',
    /** True when the datagram was longer than the buffer could keep: its tail is gone (MSG_TRUNC). */
    readonly truncated: boolean,
    lease: BufferLease | null,
    copy: Uint8Array | null,
  ) {
    this.#lease = lease;
    this.#copy = copy;
  }

  /** The payload. Throws once released (or, lent in place, once its pool closed). */
  get bytes(): Uint8Array {
    if (this.#released) throw new LeaseReleasedError();
    return this.#lease ? this.#lease.bytes : this.#copy!;
  }

  /** True until released (or voided by its pool's close). */
  get held(): boolean {
    return !this.#released && (this.#lease === null || this.#lease.held);
  }

  /** Hand the datagram back (its pool buffer, when lent in place; views of it are detached). */
  release(): void {
    if (this.#released) throw new LeaseReleasedTwiceError();
    this.#lease?.release();
    this.#released = true;
    this.#copy = null;
  }

  /** The payload as memory the caller keeps (copied if it was lent in place), and release. */
  take(): Uint8Array {
    const b = this.bytes;
    const out = this.#lease ? new Uint8Array(b) : b;
    this.release();
    return out;
  }

  /** `using` support: releases the datagram if it is still held. */
  [Symbol.dispose](): void {
    if (this.held) this.release();
  }
}

/** Turns a pool buffer's sockaddr into text, keeping the last IPv4 peer's (a socket hears from few). */
export class SenderCache {
  #ip4 = -1;
  #text = '';

  /** The datagram the driver put in buffer `bid` of `pool`, `used` bytes of it. */
  decode(pool: BufferPool, bid: number, used: number): Datagram {
    const b = pool.buffer(bid);
    const namelen = u32(b, 0);
    const controllen = u32(b, 4);
    const payloadlen = u32(b, 8);
    const flags = u32(b, 12);
    const off = DATAGRAM_HEADER_BYTES + controllen;
    const kept = Math.max(0, used - off);
    const truncated = (flags & MSG_TRUNC) !== 0 || payloadlen > kept;
    const N = RECVMSG_OUT_SIZE;
    // struct sockaddr_in: sin_family (u16) at 0, sin_port (big-endian u16) at 2, sin_addr at 4.
    const family = namelen === 0 ? 0 : b[N]! | (b[N + 1]! << 8);
    let address = '';
    let port = 0;
    if (family === AF_INET) {
      const ip = u32(b, N + 4);
      if (ip !== this.#ip4) {
        this.#text = `${b[N + 4]}.${b[N + 5]}.${b[N + 6]}.${b[N + 7]}`;
        this.#ip4 = ip;
      }
      address = this.#text;
      port = (b[N + 2]! << 8) | b[N + 3]!;
    } else if (family === AF_INET6) {
      const info = decodeSockaddr(new Uint8Array(b.buffer, N, DGRAM_NAMELEN));
      address = info.address;
      port = info.port;
    }
    const fam = family === AF_INET6 ? 'IPv6' : 'IPv4';
    if (kept <= DATAGRAM_COPY_MAX) {
      // A copy (from Node's Buffer pool below 4 KiB): the pool buffer goes back at once, unseen.
      const copy = Buffer.allocUnsafe(kept);
      if (kept <= 64) for (let i = 0; i < kept; i++) copy[i] = b[off + i]!;
      else copy.set(b.subarray(off, off + kept));
      pool._recycle(bid);
      return new Datagram(kept, address, port, fam, truncated, null, copy);
    }
    const lease = pool._adopt(bid, new BufferLease(pool, bid, new Uint8Array(b.buffer, off, kept)));
    return new Datagram(kept, address, port, fam, truncated, lease, null);
  }
}

/** A little-endian u32 of `b` at `at` (the kernel's byte order on every architecture rentio runs on). */
function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/**
 * One batched receive: resolves the datagrams (at least one) the driver had, or — after ENOBUFS —
 * waits for a pool release and tries again (unless `noWait`). @internal
 */
export function receiveBatch(sock: DatagramSource, pool: BufferPool, max: number, signal: AbortSignal | null, noWait: boolean): Promise<Datagram[]> {
  return new Promise((resolve) => startBatch(resolve, sock, pool, max, signal, noWait));
}

function startBatch(
  resolve: (v: Datagram[] | Promise<Datagram[]>) => void,
  sock: DatagramSource,
  pool: BufferPool,
  max: number,
  signal: AbortSignal | null,
  noWait: boolean,
): void {
  const epoch = pool._epoch;
  const op = new DatagramBatchOp(max);
  op.pool = pool;
  // One function for both ways the op settles (`this` is the op): no closure per outcome.
  op.resolve = op.reject = function (this: Op, v: unknown): void {
    pool._endRead();
    if (typeof v !== 'number') return resolve(afterFailure(v as Error & { code?: string }, sock, pool, max, signal, noWait, epoch));
    // INVARIANT: the driver completed with the number of (bid, used) pairs it wrote, >= 1.
    const batch = (this as DatagramBatchOp).batch;
    const out = new Array<Datagram>(v);
    for (let i = 0; i < v; i++) out[i] = sock._senders.decode(pool, batch[2 * i]!, batch[2 * i + 1]!);
    resolve(out);
  };
  sock._startPooled(op, pool, signal);
}

async function afterFailure(
  err: Error & { code?: string },
  sock: DatagramSource,
  pool: BufferPool,
  max: number,
  signal: AbortSignal | null,
  noWait: boolean,
  epoch: number,
): Promise<Datagram[]> {
  if (pool.closed && err.code === 'ERR_RENTIO_HANDLE_CLOSED' && !sock.closed) throw new PoolClosedError();
  if (err.code !== 'ENOBUFS' || noWait) throw err;
  // A close that came while the ENOBUFS completion was on its way found no wait to wake.
  if (sock.closed) throw new HandleClosedError('socket', true);
  await pool._released(epoch, signal, sock._poolWait());
  if (pool.closed) throw new PoolClosedError();
  if (sock.closed) throw new HandleClosedError('socket', true);
  return receiveBatch(sock, pool, max, signal, noWait);
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * The datagrams of a socket, one at a time, fetched a batch at a time (`sock.messages(pool)`).
 * Ends (`done`) when the socket (or its runtime) closes, even with a receive in flight; a pool
 * closed under it, an abort or a socket error is thrown. Leaving the loop early releases the datagrams fetched but
 * not yet handed out.
 */
export class DatagramIterator implements AsyncIterableIterator<Datagram> {
  readonly #sock: DatagramSource;
  readonly #pool: BufferPool;
  readonly #max: number;
  readonly #signal: AbortSignal | null;
  #queue: (Datagram | undefined)[] = [];
  #next = 0;
  #done = false;
  #inFlight: Promise<IteratorResult<Datagram>> | null = null;
  readonly #took = (batch: Datagram[]): IteratorResult<Datagram> => {
    this.#inFlight = null;
    if (this.#done) {
      for (const d of batch) d[Symbol.dispose]();
      return DONE;
    }
    this.#queue = batch;
    this.#next = 1;
    return { value: batch[0]!, done: false };
  };
  readonly #failed = (err: Error & { code?: string }): IteratorResult<Datagram> => {
    this.#inFlight = null;
    this.#done = true;
    // The socket (or its runtime) closed under the receive: the loop ends, as a stream's at EOF.
    if ((err.code === 'ERR_RENTIO_HANDLE_CLOSED' || err.code === 'ERR_RENTIO_RUNTIME_CLOSED') && this.#sock.closed) return DONE;
    throw err;
  };

  /** @internal made by `UdpSocket.messages()` */
  constructor(sock: DatagramSource, pool: BufferPool, max: number, signal: AbortSignal | null) {
    this.#sock = sock;
    this.#pool = pool;
    this.#max = max;
    this.#signal = signal;
  }

  next(): Promise<IteratorResult<Datagram>> {
    if (this.#next < this.#queue.length) {
      const d = this.#queue[this.#next]!;
      this.#queue[this.#next++] = undefined;
      return Promise.resolve({ value: d, done: false });
    }
    if (this.#done) return Promise.resolve(DONE);
    // A second next() while a receive is in flight waits its turn (for await never does this).
    if (this.#inFlight) return this.#inFlight.then(() => this.next());
    if (this.#sock.closed) {
      this.#done = true;
      return Promise.resolve(DONE);
    }
    this.#inFlight = receiveBatch(this.#sock, this.#pool, this.#max, this.#signal, false).then(this.#took, this.#failed);
    return this.#inFlight;
  }

  /** Stop: the datagrams fetched but not handed out go back to the pool. */
  return(): Promise<IteratorResult<Datagram>> {
    this.#done = true;
    for (let i = this.#next; i < this.#queue.length; i++) this.#queue[i]?.[Symbol.dispose]();
    this.#queue = [];
    this.#next = 0;
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
