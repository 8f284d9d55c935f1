/**
 * What files, streams and listeners share: an fd, the ops in flight on it, and a close that
 * cancels those ops and waits for each one's completion before the fd is closed.
 *
 * INVARIANT: the fd is closed only after every op on it has completed. Under io_uring a close
 * does not cancel in-flight ops, and a number reused by the next open must never receive an old
 * op's result; under epoll the interest must be dropped before the number can be reused.
 * @module
 */
import { HandleClosedError } from './errors.js';
import { CancelCause, Op, OpCode, OpList } from './op.js';
import type { Runtime } from './runtime.js';

/** Base of every rentio handle. */
export abstract class Handle {
  /** @internal */ readonly _rt: Runtime;
  /** @internal */ readonly _ops = new OpList();
  #fd: number;
  #closing: Promise<void> | null = null;
  /** @internal what the handle is called in errors ('file', 'stream', 'listener') */
  protected abstract readonly what: string;

  /** @internal */
  constructor(rt: Runtime, fd: number) {
    this._rt = rt;
    this.#fd = fd;
    rt._adopt(this);
  }

  /** The kernel fd; -1 once closing began. */
  get fd(): number {
    return this.#closing ? -1 : this.#fd;
  }

  /** True once `close()` was called (or the runtime closed). */
  get closed(): boolean {
    return this.#closing !== null;
  }

  /** Throw `ERR_RENTIO_HANDLE_CLOSED` when closed. @internal */
  protected _check(): void {
    if (this.#closing) throw new HandleClosedError(this.what);
    this._rt._checkOpen();
  }

  /** Start an op on this handle. @internal */
  protected _start<T>(op: Op, signal: AbortSignal | null): Promise<T> {
    op.fd = this.#fd;
    op.what = this.what;
    return this._rt._start<T>(op, this._ops, signal);
  }

  /**
   * Close the handle: cancel the ops in flight on it (they reject with
   * `ERR_RENTIO_HANDLE_CLOSED` and their buffer, unless they completed first), wait for each
   * one's completion, then close the fd. Idempotent: later calls return the same promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close(CancelCause.HANDLE_CLOSED);
    return this.#closing;
  }

  /** Close because the runtime is closing. @internal */
  _closeForRuntime(): Promise<void> {
    this.#closing ??= this.#close(CancelCause.RUNTIME_CLOSED);
    return this.#closing;
  }

  async #close(cause: (typeof CancelCause)[keyof typeof CancelCause]): Promise<void> {
    this._ops.cancelAll(cause);
    await this._ops.drained();
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
