/**
 * A listening TCP socket.
 * @module
 */
import { Listener } from './listener.js';
import { Op, OpCode } from './op.js';
import type { Runtime } from './runtime.js';
import { decodeSockaddr, encodeSockaddr, packInet4, type SocketAddressInfo } from './sockaddr.js';
import { TcpStream } from './tcp-stream.js';

/**
 * A TCP listener (from `listen({ port, host })`). Iterate it to accept connections until it is
 * closed; `accept()` takes one (with an optional `signal`).
 *
 * @example
 * ```ts
 * const l = await listen({ port: 0, host: '127.0.0.1' })
 * console.log(l.address().port)
 * for await (const s of l) serve(s)   // ends when l.close() is called
 * ```
 */
export class TcpListener extends Listener<TcpStream> {
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

  /** @internal */
  protected _accepted(fd: number, addr: Uint8Array): TcpStream {
    return new TcpStream(this._rt, fd, packInet4(addr) ?? decodeSockaddr(addr));
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
