/**
 * The listening-socket surface shared by TCP and Unix listeners: accept (one, or iterated until
 * close) with an AbortSignal. Each subclass makes its own stream type from an accepted fd.
 * @module
 */
import { Handle } from './handle.js';
import { Op, OpCode } from './op.js';
import { SOCKADDR_STORAGE } from './sockaddr.js';
import type { StreamSocket } from './stream-socket.js';
import { checkOptions, checkSignal, checkTimeout } from './validate.js';

/**
 * A listening socket (`TcpListener`, `UnixListener`). Iterate it to accept connections until it
 * is closed.
 *
 * @example
 * ```ts
 * async function serve<S extends StreamSocket>(l: Listener<S>) {
 *   for await (const s of l) handle(s)   // ends when l.close() is called
 * }
 * ```
 */
export abstract class Listener<S extends StreamSocket> extends Handle implements AsyncIterable<S> {
  // A getter, not a field: the same for every listener, so no 8 bytes per handle for it.
  /** @internal */
  override get _what(): string {
    return 'listener';
  }

  /**
   * Accept one connection. Rejects with `AbortError` when `signal` aborts it, and with a
   * Node-style `ETIMEDOUT` error when none came within `timeout` milliseconds.
   */
  accept(options?: { signal?: AbortSignal; timeout?: number }): Promise<S> {
    const opts = checkOptions<{ signal: AbortSignal; timeout: number }>(options);
    const signal = checkSignal(opts.signal);
    const timeoutNs = checkTimeout(opts.timeout);
    this._check();
    const op = new Op(OpCode.ACCEPT);
    op.timeoutNs = timeoutNs;
    // sockaddr_storage then the socklen_t the kernel reads and updates (see OpCode.ACCEPT).
    op.addr = new Uint8Array(new ArrayBuffer(SOCKADDR_STORAGE + 4));
    new DataView(op.addr.buffer).setUint32(SOCKADDR_STORAGE, SOCKADDR_STORAGE, true);
    return this._start<number>(op, signal).then((fd) =>
      this._accepted(fd, op.addr!, new DataView(op.addr!.buffer).getUint32(SOCKADDR_STORAGE, true)),
    );
  }

  /** Accept connections until the listener is closed (closing ends the loop, it does not throw). */
  async *[Symbol.asyncIterator](): AsyncIterator<S> {
    while (!this.closed) {
      try {
        yield await this.accept();
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (this.closed && (code === 'ERR_RENTIO_HANDLE_CLOSED' || code === 'ERR_RENTIO_RUNTIME_CLOSED')) return;
        throw err;
      }
    }
  }

  /** Make the stream for an accepted fd; `addr`/`addrLen` hold the peer's address. @internal */
  protected abstract _accepted(fd: number, addr: Uint8Array, addrLen: number): S;
}
