/**
 * A stream read through a buffer pool: one RECV_POOL op, and the back-pressure loop around it
 * (ENOBUFS → wait for a release → try again), written once for both drivers.
 * @module
 */
import type { BufferLease } from './buffer-lease.js';
import type { BufferPool } from './buffer-pool.js';
import { HandleClosedError, InvalidArgTypeError, PoolClosedError } from './errors.js';
import { Op, OpCode } from './op.js';
import type { StreamSocket } from './stream-socket.js';
import { checkBool, checkOptions, checkSignal, checkTimeout } from './validate.js';

/** Options of a pooled `read(pool)`. */
export interface PooledReadOptions {
  /** Cancel the read: it rejects with `AbortError` (unless its bytes had arrived: then it resolves). */
  signal?: AbortSignal;
  /** With no free buffer, reject with `ENOBUFS` instead of waiting for a release. Default false. */
  noWait?: boolean;
  /**
   * Deadline in milliseconds for data to arrive: past it the read rejects with a Node-style
   * `ETIMEDOUT` error (`syscall: 'read'`), unless its bytes came first (then they win, and none is
   * lost: bytes that arrive later go to the next read). uring times it in the kernel (a linked
   * timeout, or a TIMEOUT of its own while the read waits on a multishot recv); epoll arms its
   * timer. A wait for a free pool buffer (the pool empty, see `noWait`) is not timed.
   */
  timeout?: number;
}

const ENOBUFS = 'ENOBUFS';

/**
 * How {@link StreamSocket.readWith} reports: `(null, n, lease)` with bytes, `(null, 0, null)` at
 * EOF, or `(err, 0, null)` — `err` as `read(pool)` would reject with.
 */
export type PooledReadCallback = (err: Error | null, bytesRead: number, lease: BufferLease | null) => void;

/** `sock.read(pool)`: arguments checked synchronously (misuse throws), then the read. @internal */
export function readPooled(sock: StreamSocket, pool: BufferPool, options: PooledReadOptions | undefined): Promise<[number, BufferLease | null]> {
  const { signal, noWait, timeoutNs } = checkPooledRead(pool, options);
  return readOnce(sock, pool, signal, noWait, timeoutNs);
}

/** `sock.readWith(pool, callback)`: arguments checked synchronously (misuse throws), then the read. @internal */
export function readPooledWith(sock: StreamSocket, pool: BufferPool, callback: PooledReadCallback, options: PooledReadOptions | undefined): void {
  if (typeof callback !== 'function') throw new InvalidArgTypeError('callback', 'a function', callback);
  const { signal, noWait, timeoutNs } = checkPooledRead(pool, options);
  sock._startPooled(new CallbackPooledRead(pool, signal, noWait, timeoutNs, callback), pool, signal);
}

function checkPooledRead(
  pool: BufferPool,
  options: PooledReadOptions | undefined,
): { signal: AbortSignal | null; noWait: boolean; timeoutNs: number } {
  const opts = checkOptions<PooledReadOptions>(options);
  const signal = checkSignal(opts.signal);
  const noWait = checkBool('noWait', opts.noWait ?? false);
  const timeoutNs = checkTimeout(opts.timeout);
  if (pool.closed) throw new PoolClosedError();
  return { signal, noWait, timeoutNs };
}

/**
 * One RECV_POOL op, settling the read's promise itself: `[n, lease]`, `[0, null]` at EOF, or —
 * after a failure — what {@link afterFailure} makes of it. No async frame waits beside the op,
 * and no closure: the read's state is on the op, and one function settles every pooled read (a
 * read pending on an idle socket is the op and one promise: the memory an idle connection costs).
 */
function readOnce(
  sock: StreamSocket,
  pool: BufferPool,
  signal: AbortSignal | null,
  noWait: boolean,
  timeoutNs: number,
): Promise<[number, BufferLease | null]> {
  const op = new PromisedPooledRead(pool, signal, noWait, timeoutNs);
  const p = new Promise<[number, BufferLease | null]>((resolve) => (op.settle = resolve));
  sock._startPooled(op, pool, signal);
  return p;
}

interface RetryOptions {
  readonly signal: AbortSignal | null;
  readonly noWait: boolean;
}

type Settle = (v: [number, BufferLease | null] | Promise<[number, BufferLease | null]>) => void;

/**
 * A RECV_POOL op and what its read needs once it completes. Two kinds, so each carries only its
 * own way to report (an idle connection holds one of these: 8 bytes each field).
 */
abstract class PooledReadOp extends Op {
  /** The pool's release count when the read began (see BufferPool._released). */
  readonly epoch: number;
  /**
   * What a retry after ENOBUFS needs, in one field made only when set: most reads have neither,
   * and an idle connection holds this op (8 bytes a field). Not core's `signal`: Op clears that
   * one at completion.
   */
  readonly #retry: RetryOptions | null;
  constructor(pool: BufferPool, readSignal: AbortSignal | null, noWait: boolean, timeoutNs: number) {
    super(OpCode.RECV_POOL);
    this.pool = pool;
    this.timeoutNs = timeoutNs;
    this.epoch = pool._epoch;
    this.#retry = readSignal === null && !noWait ? null : { signal: readSignal, noWait };
    // One function for both ways the op settles (core's Op resolves with the byte count, rejects
    // with an Error), called as the op's method.
    this.resolve = this.reject = settlePooledRead;
  }

  /** The signal the read was given (kept for a retry after ENOBUFS). */
  get readSignal(): AbortSignal | null {
    return this.#retry === null ? null : this.#retry.signal;
  }

  /** Whether an empty pool rejects with ENOBUFS rather than waiting. */
  get noWait(): boolean {
    return this.#retry !== null && this.#retry.noWait;
  }

  /** The socket read: the op's owner once started (kept after completion), not a field of its own. */
  get sock(): StreamSocket {
    return this.owner as StreamSocket;
  }
}

/** `read(pool)`'s: settles its promise. */
class PromisedPooledRead extends PooledReadOp {
  settle: Settle = noop;
}

/** `readWith(pool, callback)`'s: calls back. */
class CallbackPooledRead extends PooledReadOp {
  constructor(
    pool: BufferPool,
    readSignal: AbortSignal | null,
    noWait: boolean,
    timeoutNs: number,
    readonly callback: PooledReadCallback,
  ) {
    super(pool, readSignal, noWait, timeoutNs);
  }
}

function settlePooledRead(this: PromisedPooledRead | CallbackPooledRead, v: unknown): void {
  const pool = this.pool as BufferPool;
  pool._endRead();
  if (this instanceof CallbackPooledRead) return callBack(this, pool, v);
  if (typeof v !== 'number')
    this.settle(afterFailure(v as Error & { code?: string }, this.sock, pool, this.readSignal, this.noWait, this.epoch, this.timeoutNs));
  // INVARIANT: a driver sets op.bid for every completion with bytes; EOF (0) used no buffer.
  else this.settle(v === 0 ? [0, null] : [v, pool._lease(this.bid, v)]);
}

function noop(): void {}

/**
 * readWith's completion: the callback runs from a microtask, where a promise's reaction would —
 * never inside the driver's reap loop (a callback that closes or reads again would re-enter it),
 * and in the same order relative to process.nextTick callbacks as `read(pool)`'s `.then`.
 */
function callBack(op: CallbackPooledRead, pool: BufferPool, v: unknown): void {
  const cb = op.callback;
  if (typeof v !== 'number') {
    afterFailure(v as Error & { code?: string }, op.sock, pool, op.readSignal, op.noWait, op.epoch, op.timeoutNs).then(
      ([n, lease]) => cb(null, n, lease),
      (err: Error) => cb(err, 0, null),
    );
    return;
  }
  // INVARIANT: a driver sets op.bid for every completion with bytes; EOF (0) used no buffer.
  const lease = v === 0 ? null : pool._lease(op.bid, v);
  queueMicrotask(() => cb(null, v, lease));
}

/** A pooled read failed: the error to reject with, or — the pool was empty — a wait for a release and another read. */
async function afterFailure(
  err: Error & { code?: string },
  sock: StreamSocket,
  pool: BufferPool,
  signal: AbortSignal | null,
  noWait: boolean,
  epoch: number,
  timeoutNs: number,
): Promise<[number, BufferLease | null]> {
  if (pool.closed && err.code === 'ERR_RENTIO_HANDLE_CLOSED' && !sock.closed) throw new PoolClosedError();
  if (err.code !== ENOBUFS || noWait) throw err;
  // A close that came while the ENOBUFS completion was on its way found no wait to wake.
  if (sock.closed) throw new HandleClosedError('stream', true);
  await pool._released(epoch, signal, sock._poolWait());
  if (pool.closed) throw new PoolClosedError();
  return readOnce(sock, pool, signal, noWait, timeoutNs);
}
