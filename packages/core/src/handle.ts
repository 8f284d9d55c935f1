/**
 * What files, streams and listeners share: an fd, the ops in flight on it, and a close that
 * cancels those ops and waits for each one's completion before the fd is closed.
 *
 * INVARIANT: the fd is closed only after every op on it has completed. Under io_uring a close
 * does not cancel in-flight ops, and a number reused by the next open must never receive an old
 * op's result; under epoll the interest must be dropped before the number can be reused.
 * @module
 */
import { checkRentable, checkWindow, takeOwnership } from './buffer.js';
import { HandleClosedError } from './errors.js';
import { fdLedger } from './fd-ledger.js';
import { CancelCause, Op, OpCode, OpList, Resolve } from './op.js';
import type { Runtime } from './runtime.js';
import { checkOptions, checkPosition, checkSignal, checkTimeout } from './validate.js';

/** Options every buffer op takes. */
export interface IoOptions {
  /** First byte of the buffer's window. Default 0. */
  offset?: number;
  /** Bytes in the window. Default: to the end of the buffer. */
  length?: number;
  /** Cancel the op: it rejects with `AbortError` carrying `err.buf` (unless it completed first). */
  signal?: AbortSignal;
  /**
   * Deadline of the op, in milliseconds: past it the op rejects with a Node-style `ETIMEDOUT`
   * error carrying `err.buf` (unless it completed first: then its result wins). Kernel-timed
   * (uring: a linked timeout; epoll: the driver's timer), cheaper than an `AbortSignal.timeout`.
   * For `writeAll`, each write it makes gets this deadline.
   *
   * @example
   * ```ts
   * const [n, b] = await s.read(alloc(4096), { timeout: 5000 }).catch((e) => {
   *   if (e.code === 'ETIMEDOUT') return [0, e.buf]
   *   throw e
   * })
   * ```
   */
  timeout?: number;
  /** File offset (files only). */
  position?: number | bigint | null;
}

/**
 * A buffer op's checked arguments. One object reused by every call: it is filled and consumed
 * synchronously, before anything can run in between, so no allocation per op.
 */
const args = { owned: null as unknown as Uint8Array, off: 0, len: 0, pos: -1, signal: null as AbortSignal | null, timeoutNs: 0 };

/**
 * One chunk of a `writeAll`: a write op that carries its whole write's settle functions, so the
 * loop over short writes needs no closure per write (the four it made cost an echo message 330 of
 * its 2,070 bytes of garbage, measured with the sampling heap profiler). Its `resolve` and
 * `reject` are the module functions below, called as its methods.
 */
class WriteAllOp extends Op {
  /** Where the write's window began: on error, `bytesWritten` is `off - start`. */
  start = 0;
  /** The write's signal: the op's own `signal` is cleared when a chunk completes. */
  readonly chunkSignal: AbortSignal | null;
  /** Settle the whole write: set by whoever makes the op, before it is submitted. */
  done!: (buf: Uint8Array) => void;
  fail!: (e: unknown) => void;

  constructor(code: OpCode, signal: AbortSignal | null) {
    super(code);
    this.chunkSignal = signal;
    this.resolve = chunkWritten;
    this.reject = chunkFailed;
  }
}

/** A chunk's byte count (`Resolve.RESULT`): the write is done, or the rest goes as the next chunk. */
function chunkWritten(this: WriteAllOp, n: unknown): void {
  const done = n as number;
  if (done >= this.len) return this.done(this.buf!);
  const next = new WriteAllOp(this.code, this.chunkSignal);
  next.timeoutNs = this.timeoutNs;
  next.start = this.start;
  next.done = this.done;
  next.fail = this.fail;
  next.buf = this.buf;
  next.off = this.off + done;
  next.len = this.len - done;
  next.pos = this.pos >= 0 ? this.pos + done : -1;
  // The completed chunk keeps its owner: the handle the write runs on.
  (this.owner as Handle)._writeChunk(next);
}

function chunkFailed(this: WriteAllOp, e: unknown): void {
  const err = e as Error & { buf?: Uint8Array; bytesWritten?: number };
  // A chunk that could not start (the runtime closed) still hands the buffer back.
  err.buf ??= this.buf!;
  err.bytesWritten = this.off - this.start;
  this.fail(err);
}

const NO_OPTIONS: IoOptions = Object.freeze({});

/** Base of every rentio handle. */
export abstract class Handle extends OpList {
  /** @internal */ readonly _rt: Runtime;
  #fd: number;
  /** This fd's slot in the thread's fd ledger (closed for us if a worker is stopped), or -1. */
  #ledgerSlot: number;
  #closing: Promise<void> | null = null;
  /** @internal what the handle is called in errors ('file', 'stream', 'listener') */
  abstract override get _what(): string;

  /** @internal */
  constructor(rt: Runtime, fd: number) {
    super();
    this._rt = rt;
    this.#fd = fd;
    this.#ledgerSlot = fdLedger()?.add(fd) ?? -1;
    rt._adopt(this);
  }

  /**
   * The runtime this handle belongs to (its ops run on that runtime's driver).
   *
   * @example
   * ```ts
   * const file = await rt.open('/tmp/x', 'w')
   * file.runtime === rt // true
   * ```
   */
  get runtime(): Runtime {
    return this._rt;
  }

  /** The kernel fd; -1 once closing began. */
  get fd(): number {
    return this.#closing ? -1 : this.#fd;
  }

  /** True once `close()` was called (or the runtime closed). */
  get closed(): boolean {
    return this.#closing !== null;
  }

  /**
   * Let the process exit while this handle's waiting ops are all that is pending, as Node's
   * `handle.unref()`: a read, accept or datagram receive waiting on it no longer keeps Node's
   * loop alive (it still completes if the process lives on). A write, connect or shutdown still
   * does until it completes, as a libuv request does. Returns this.
   * @example
   * ```ts
   * const s = await rt.connect({ host: '127.0.0.1', port })
   * s.unref() // the pending read below does not keep the process alive
   * s.read(alloc(4096)).then(onData)
   * ```
   */
  unref(): this {
    if (this._strong) {
      this._setWeak(this._rt);
      this._rt._checkHold();
    }
    return this;
  }

  /** Undo {@link unref}: this handle's pending ops keep the process alive again (the default). Returns this. */
  ref(): this {
    if (!this._strong) {
      this._setWeak(null);
      this._rt._checkHold();
    }
    return this;
  }

  /** False after {@link unref} (until {@link ref}), as Node's `hasRef()`. */
  hasRef(): boolean {
    return this._strong;
  }

  /** Throw `ERR_RENTIO_HANDLE_CLOSED` when closed. @internal */
  protected _check(): void {
    if (this.#closing) throw new HandleClosedError(this._what);
    this._rt._checkOpen();
  }

  /**
   * Check a buffer op's arguments, then take the buffer. Every check runs before the caller's
   * buffer is detached, so a refused call takes nothing. @internal
   */
  protected _rent(buf: Uint8Array, options: IoOptions | undefined, positioned: boolean): typeof args {
    // The common call has no options: no empty object per op.
    const opts = options === undefined ? NO_OPTIONS : checkOptions<IoOptions>(options);
    checkRentable(buf);
    const [off, len] = checkWindow(buf, opts.offset, opts.length);
    args.pos = positioned ? checkPosition(opts.position) : -1;
    args.signal = checkSignal(opts.signal);
    args.timeoutNs = checkTimeout(opts.timeout);
    this._check();
    args.owned = takeOwnership(buf);
    args.off = off;
    args.len = len;
    return args;
  }

  /** Start a buffer op (READ/WRITE/RECV/SEND) resolving `[n, buf]`. @internal */
  protected _bufOp(
    code: OpCode,
    owned: Uint8Array,
    off: number,
    len: number,
    pos: number,
    signal: AbortSignal | null,
    timeoutNs = 0,
  ): Promise<[number, Uint8Array]> {
    const op = new Op(code);
    op.timeoutNs = timeoutNs;
    op.buf = owned;
    op.off = off;
    op.len = len;
    op.pos = pos;
    op.resolveAs = Resolve.RESULT_AND_BUF;
    return this._start(op, signal);
  }

  /**
   * Loop a write op over short writes until the window is written; resolves the buffer. On error
   * `err.buf` is the buffer and `err.bytesWritten` how far it got. @internal
   *
   * One promise for the whole write, settled from the chunk ops' own completions (see
   * {@link WriteAllOp}): on a socket that takes the whole window (the common case) that is one
   * op, one promise, one reaction, and no closure.
   */
  protected _writeAll(code: OpCode, a: typeof args): Promise<Uint8Array> {
    // `a` is the shared argument object: read it all before anything else can run.
    if (a.len === 0) return Promise.resolve(a.owned);
    const op = new WriteAllOp(code, a.signal);
    op.timeoutNs = a.timeoutNs;
    op.buf = a.owned;
    op.off = op.start = a.off;
    op.len = a.len;
    op.pos = a.pos;
    const p = new Promise<Uint8Array>((resolve, reject) => {
      op.done = resolve;
      op.fail = reject;
    });
    this._writeChunk(op);
    return p;
  }

  /** Submit one chunk of a {@link _writeAll}; a chunk that cannot start fails the write. @internal */
  _writeChunk(op: WriteAllOp): void {
    try {
      // A later chunk starts from a completion: the handle may be closing by then, and an op
      // added after close() cancelled the others would wait (for readiness) with no one to end it.
      this._check();
      this._submit(op, op.chunkSignal);
    } catch (e) {
      op.reject(e);
    }
  }

  /** Start an op on this handle. @internal */
  protected _start<T>(op: Op, signal: AbortSignal | null): Promise<T> {
    op.fd = this.#fd;
    return this._rt._start<T>(op, this, signal);
  }

  /** Start an op on this handle whose `resolve`/`reject` the caller set (see `Engine._submit`). @internal */
  protected _submit(op: Op, signal: AbortSignal | null): void {
    op.fd = this.#fd;
    this._rt._submit(op, this, signal);
  }

  /**
   * Close the handle: cancel the ops in flight on it (they reject with
   * `ERR_RENTIO_HANDLE_CLOSED` and their buffer, unless they completed first), wait for each
   * one's completion, then close the fd. Idempotent: later calls return the same promise.
   */
  close(): Promise<void> {
    this.#closing ??= this._closeNow(CancelCause.HANDLE_CLOSED);
    return this.#closing;
  }

  /** Close because the runtime is closing. @internal */
  _closeForRuntime(): Promise<void> {
    this.#closing ??= this._closeNow(CancelCause.RUNTIME_CLOSED);
    return this.#closing;
  }

  /**
   * Cancel, drain, close the fd. @internal Not a `#private` method: those give every instance a
   * brand field (8 bytes per handle, and an idle connection is a handle).
   */
  async _closeNow(cause: (typeof CancelCause)[keyof typeof CancelCause]): Promise<void> {
    this._cancelAll(cause);
    await this._drained();
    // Unlisted before the close: once closed, the number may be another thread's.
    if (this.#ledgerSlot >= 0) fdLedger()!.remove(this.#ledgerSlot);
    this.#ledgerSlot = -1;
    const op = new Op(OpCode.CLOSE);
    op.fd = this.#fd;
    try {
      await this._rt._start<number>(op, this._rt._loose, null, true);
    } finally {
      this._rt._forget(this);
    }
  }

  /** `await using` support: closes the handle. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
