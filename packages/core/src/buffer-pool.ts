/**
 * Buffer pools: a runtime-owned set of equal buffers that stream reads draw from only when data
 * arrives, so a connection waiting for data holds no buffer. A pooled read resolves
 * `[n, lease]`; the lease (buffer-lease.ts) is handed back with `release()` or `using`.
 *
 * Who picks the buffer differs by driver, what the caller sees does not:
 * - uring registers the pool as a provided-buffer ring (IORING_REGISTER_PBUF_RING) and the
 *   kernel picks a buffer when a recv has bytes; a release writes the buffer back into the ring
 *   ({@link PoolProvider}).
 * - epoll waits for readiness, then takes a buffer from the pool's free list ({@link PoolMemory.take}).
 *
 * An empty pool is back-pressure: the read completes `-ENOBUFS` with the bytes still in the
 * socket, and the stream's read waits for the next release, then tries again (or rejects with
 * `ENOBUFS` when the caller passed `noWait`).
 * @module
 */
import { alloc, takeOwnership } from './buffer.js';
import type { Engine } from './engine.js';
import { AbortError, InvalidArgTypeError, OutOfRangeError, PoolClosedError } from './errors.js';
import { BufferLease } from './buffer-lease.js';
import { CancelCause, Op, OpCode } from './op.js';
import { checkInt, checkOptions } from './validate.js';

/** Options of `rt.bufferPool()`. */
export interface BufferPoolOptions {
  /** Bytes per buffer (the most one pooled read returns). 1 .. 1 MiB; default 16384. */
  size?: number;
  /** Number of buffers, 1 .. 32768; default 256. */
  count?: number;
}

/**
 * What a driver may do with a pool's buffers (through `op.pool`). Core-owned; the driver reads
 * buffers and, under uring, installs a {@link PoolProvider}.
 */
export interface PoolMemory {
  /** Buffer group id, unique per runtime (uring: the ring's `bgid`, `sqe.buf_group`). */
  readonly group: number;
  /** Bytes per buffer. */
  readonly size: number;
  /** Number of buffers; ids are 0 .. count-1. */
  readonly count: number;
  /** The whole pool buffer `bid`. INVARIANT: the pool keeps it reachable until the pool is closed. */
  buffer(bid: number): Uint8Array;
  /** epoll: take a free buffer's id, or -1 when none is free. */
  take(): number;
  /** epoll: give back a buffer taken by {@link PoolMemory.take} and not used (the recv found nothing). */
  untake(bid: number): void;
  /**
   * Set by a driver that hands buffers to the kernel (uring, at POOL_REGISTER): released
   * buffers go to it instead of the free list. Every buffer starts in the kernel's hands then.
   */
  provider: PoolProvider | null;
}

/** A driver's side of a pool whose free buffers the kernel holds (uring's provided-buffer ring). */
export interface PoolProvider {
  /** Hand buffer `bid` (its memory is `buf`) back to the kernel. */
  recycle(bid: number, buf: Uint8Array): void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * A set of `count` equal buffers of `size` bytes, owned by a runtime; stream sockets read into it
 * with `read(pool)`. Make one with `rt.bufferPool()`; close it when done (its buffers are freed
 * once every read through it ended; leases kept past the close throw `ERR_RENTIO_POOL_CLOSED`).
 *
 * @example
 * ```ts
 * const pool = await rt.bufferPool({ size: 16384, count: 1024 })
 * for (;;) {
 *   const [n, lease] = await sock.read(pool)
 *   if (n === 0) break                    // EOF: no lease
 *   using l = lease                       // released at the end of the block
 *   handle(l.bytes)                       // a view of the n bytes
 * }
 * await pool.close()
 * ```
 */
export class BufferPool implements PoolMemory {
  /** Bytes per buffer. */
  readonly size: number;
  /** Number of buffers. */
  readonly count: number;
  /** Buffer group id (unique per runtime). */
  readonly group: number;
  /** @internal */ provider: PoolProvider | null = null;
  readonly #rt: Engine;
  /** INVARIANT: the only references the pool keeps to its memory; a slot is replaced (detaching old views) at each release. */
  #bufs: Uint8Array[];
  #free: number[];
  /** Leases out, by buffer id. */
  #leases: (BufferLease | null)[];
  #leased = 0;
  #closing: Promise<void> | null = null;
  /**
   * Set as `close()` begins, before it cancels the reads in flight: a read settling inside that
   * cancel already sees the pool closed (`#closing` is assigned only once `#close` returns).
   */
  #closed = false;
  /** Bumped at every release: a read that got ENOBUFS retries at once if a release came in between. */
  #epoch = 0;
  #waiters = new Set<Waiter>();
  /**
   * Reads through the pool in flight; closing cancels them and waits for each. A count, not a
   * set: each read is on its handle's op list already, where closing finds it, and a set entry
   * per pending read was 33 bytes per idle connection.
   */
  #reads = 0;
  #readsDrained: (() => void) | null = null;

  /** @internal made by `rt.bufferPool()` */
  constructor(rt: Engine, group: number, size: number, count: number) {
    this.#rt = rt;
    this.group = group;
    this.size = size;
    this.count = count;
    this.#bufs = Array.from({ length: count }, () => alloc(size));
    // Taken from the end: buffer 0 first.
    this.#free = Array.from({ length: count }, (_, i) => count - 1 - i);
    this.#leases = new Array<BufferLease | null>(count).fill(null);
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Buffers held by leases now. */
  get leased(): number {
    return this.#leased;
  }

  /**
   * Close the pool: reads through it in flight are cancelled (they reject with
   * `ERR_RENTIO_POOL_CLOSED` unless their bytes had arrived), leases still held are voided (their
   * views read as empty; using them throws `ERR_RENTIO_POOL_CLOSED`), and the driver forgets the
   * pool. Idempotent.
   */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    for (const w of this.#waiters) w.reject(new PoolClosedError());
    this.#waiters.clear();
    for (const op of this.#rt._opsInFlight()) if (op.pool === this && isPoolRead(op.code)) op.cancel(CancelCause.HANDLE_CLOSED);
    if (this.#reads > 0) await new Promise<void>((resolve) => (this.#readsDrained = resolve));
    for (let bid = 0; bid < this.count; bid++) {
      this.#leases[bid]?._void();
      this.#leases[bid] = null;
    }
    this.#leased = 0;
    if (!this.#rt.closed) {
      const op = new Op(OpCode.POOL_UNREGISTER);
      op.pool = this;
      await this.#rt._start<number>(op, this.#rt._loose, null, true);
    }
    // Detach every view still around, then drop the memory.
    for (const b of this.#bufs) takeOwnership(b);
    this.#bufs = [];
    this.#free = [];
  }

  // --- PoolMemory (drivers) ---

  /** @internal */
  buffer(bid: number): Uint8Array {
    return this.#bufs[bid]!; // INVARIANT: bid < count
  }

  /** @internal */
  take(): number {
    return this.#free.length > 0 ? this.#free.pop()! : -1;
  }

  /** @internal */
  untake(bid: number): void {
    this.#free.push(bid);
  }

  // --- core ---

  /** Register with the driver. @internal */
  async _register(): Promise<this> {
    const op = new Op(OpCode.POOL_REGISTER);
    op.pool = this;
    await this.#rt._start<number>(op, this.#rt._loose, null);
    return this;
  }

  /** Release epoch, read before a pooled read starts. @internal */
  get _epoch(): number {
    return this.#epoch;
  }

  /** Track a pooled read in flight. @internal */
  _startRead(): void {
    if (this.#closed) throw new PoolClosedError();
    this.#reads++;
  }

  /** A pooled read completed (with bytes or not). @internal */
  _endRead(): void {
    if (--this.#reads === 0) this.#readsDrained?.();
  }

  /** Make the lease for `n` bytes the driver put in buffer `bid`. @internal */
  _lease(bid: number, n: number): BufferLease {
    const lease = new BufferLease(this, bid, new Uint8Array(this.#bufs[bid]!.buffer, 0, n));
    this.#leases[bid] = lease;
    this.#leased++;
    return lease;
  }

  /** Count `lease` (made over buffer `bid` by a datagram receive, see udp-receive.ts) as out. @internal */
  _adopt<L extends BufferLease>(bid: number, lease: L): L {
    this.#leases[bid] = lease;
    this.#leased++;
    return lease;
  }

  /**
   * A lease's buffer comes back; `exposed`: its bytes were handed out as a view the caller may
   * have kept. @internal
   */
  _release(bid: number, exposed = true): void {
    if (this.#closed) throw new PoolClosedError('the buffer pool was closed while the lease was held');
    this.#leases[bid] = null;
    this.#leased--;
    // Detach every view the caller may have kept: a released lease's bytes read as empty, never
    // as the next read's data. SAFETY: transfer keeps the memory at the same address (transfer.ts).
    // A lease whose bytes never left it (copyAndRelease) left no view to detach.
    this.#giveBack(bid, exposed ? (this.#bufs[bid] = takeOwnership(this.#bufs[bid]!)) : this.#bufs[bid]!);
  }

  /**
   * Hand back buffer `bid` that no lease ever showed (a datagram receive copied its bytes out):
   * no view of it exists, so nothing needs detaching. @internal
   */
  _recycle(bid: number): void {
    if (!this.#closed) this.#giveBack(bid, this.#bufs[bid]!);
  }

  #giveBack(bid: number, buf: Uint8Array): void {
    if (this.provider) this.provider.recycle(bid, buf);
    else this.#free.push(bid);
    this.#epoch++;
    if (this.#waiters.size > 0) {
      const waiters = [...this.#waiters];
      this.#waiters.clear();
      for (const w of waiters) w.resolve();
    }
  }

  /**
   * Resolve at the next release (at once if one happened since `epoch`); reject when `signal`
   * aborts or the pool closes. `wake` is set to a function that resolves it early (the stream
   * closing). @internal
   */
  _released(epoch: number, signal: AbortSignal | null, hook: { wake: (() => void) | null }): Promise<void> {
    if (this.#closed) return Promise.reject(new PoolClosedError());
    if (epoch !== this.#epoch) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        this.#waiters.delete(w);
        signal?.removeEventListener('abort', onAbort);
        hook.wake = null;
      };
      const w: Waiter = {
        resolve: () => (done(), resolve()),
        reject: (err) => (done(), reject(err)),
      };
      const onAbort = () => w.reject(new AbortError(undefined, { cause: signal!.reason }));
      this.#waiters.add(w);
      signal?.addEventListener('abort', onAbort, { once: true });
      hook.wake = w.resolve;
    });
  }
}

/** Check `rt.bufferPool()`'s options: `[size, count]`. @internal */
export function checkPoolOptions(options: unknown): [number, number] {
  const opts = checkOptions<BufferPoolOptions>(options);
  if (opts.size !== undefined && typeof opts.size !== 'number') throw new InvalidArgTypeError('size', 'a number', opts.size);
  const size = checkInt('size', opts.size ?? 16384, 1, 1 << 20);
  const count = checkInt('count', opts.count ?? 256, 1, 32768);
  if (size * count > 2 ** 32) throw new OutOfRangeError('size * count', '<= 4 GiB', size * count);
  return [size, count];
}

/** A read through a pool: what a pool's close cancels. */
function isPoolRead(code: OpCode): boolean {
  return code === OpCode.RECV_POOL || code === OpCode.RECVMSG_POOL;
}
