/**
 * A listening TCP socket.
 * @module
 */
import { Handle } from './handle.js';
import { Op, OpCode } from './op.js';
import type { Runtime } from './runtime.js';
import { decodeSockaddr, encodeSockaddr, SOCKADDR_STORAGE, type SocketAddressInfo } from './sockaddr.js';
import { TcpStream } from './tcp-stream.js';
import { checkOptions, checkSignal } from './validate.js';

/**
 * A TCP listener (from `listen()`). Iterate it to accept connections until it is closed.
 *
 * @example
 * ```ts
 * const l = await listen({ port: 0, host: '127.0.0.1' })
 * console.log(l.address().port)
 * for await (const s of l) serve(s)   // ends when l.close() is called
 * ```
 */
export class TcpListener extends Handle implements AsyncIterable<TcpStream> {
  protected readonly what = 'listener';
  #address: SocketAddressInfo | null = null;

  /** @internal made by listen() */
  constructor(rt: Runtime, fd: number) {
    super(rt, fd);
  }

  /** `{ address, family, port }` the listener is bound to. */
  address(): SocketAddressInfo {
    if (!this.#address) {
      const raw = this._rt._sockname(this.fd, false);
      if (raw) this.#address = decodeSockaddr(raw);
    }
    return this.#address ?? { address: '', family: 'IPv4', port: 0 };
  }

  /** Accept one connection. Rejects with `AbortError` when `signal` aborts it. */
  accept(options?: { signal?: AbortSignal }): Promise<TcpStream> {
    const signal = checkSignal(checkOptions<{ signal: AbortSignal }>(options).signal);
    this._check();
    const op = new Op(OpCode.ACCEPT);
    // sockaddr_storage then the socklen_t the kernel updates (see OpCode.ACCEPT).
    op.addr = new Uint8Array(new ArrayBuffer(SOCKADDR_STORAGE + 4));
    new DataView(op.addr.buffer).setUint32(SOCKADDR_STORAGE, SOCKADDR_STORAGE, true);
    return this._start<number>(op, signal).then((fd) => new TcpStream(this._rt, fd, decodeSockaddr(op.addr!)));
  }

  /** Accept connections until the listener is closed (closing ends the loop, it does not throw). */
  async *[Symbol.asyncIterator](): AsyncIterator<TcpStream> {
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

  /** bind + listen. @internal */
  async _bindListen(address: string, port: number, backlog: number): Promise<void> {
    const bind = new Op(OpCode.BIND);
    bind.addr = new Uint8Array(new ArrayBuffer(128));
    bind.addrLen = encodeSockaddr(address, port, bind.addr);
    bind.ctx = { address, port };
    await this._start<number>(bind, null);
    const listen = new Op(OpCode.LISTEN);
    listen.backlog = backlog;
    listen.ctx = { address, port };
    await this._start<number>(listen, null);
  }
}
