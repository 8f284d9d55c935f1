/**
 * A connected TCP stream (from `connect()` or a listener's `accept()`).
 * @module
 */
import { IPPROTO_TCP, SOL_SOCKET, SO_KEEPALIVE, SO_LINGER, TCP_KEEPIDLE, TCP_NODELAY } from './constants.js';
import { Op, OpCode } from './op.js';
import type { Runtime } from './runtime.js';
import { decodeSockaddr, encodeSockaddr, unpackInet4, type SocketAddressInfo } from './sockaddr.js';
import { StreamSocket } from './stream-socket.js';

export type { StreamIoOptions } from './stream-socket.js';

/**
 * A TCP connection. Reads and writes rent their buffer; `read` resolving `[0, buf]` means the
 * peer closed its side (EOF). The stream surface (read, write, writeAll, writev, shutdown,
 * close) is {@link StreamSocket}'s.
 *
 * @example
 * ```ts
 * const s = await connect({ host: '127.0.0.1', port })
 * await s.writeAll(own('ping'))
 * const [n, buf] = await s.read(alloc(65536))
 * await s.close()
 * ```
 */
export class TcpStream extends StreamSocket {
  /**
   * The peer, decoded; or, for an IPv4 peer from accept() not asked for yet, packed (see
   * packInet4); or, once this end's address was asked for too, both in an {@link AddressPair}.
   * One field, not two: an idle server holds tens of thousands of streams, and most never ask
   * for their local address (8 bytes a field).
   */
  #addr: SocketAddressInfo | number | AddressPair | null;

  /** @internal made by connect() / accept() */
  constructor(rt: Runtime, fd: number, peer: SocketAddressInfo | number | null = null) {
    super(rt, fd);
    this.#addr = peer;
  }

  /** The peer's address ('127.0.0.1', '::1'), or undefined once unknown (closed). */
  get remoteAddress(): string | undefined {
    return this._peerInfo()?.address;
  }
  /** The peer's port. */
  get remotePort(): number | undefined {
    return this._peerInfo()?.port;
  }
  /** 'IPv4' or 'IPv6'. */
  get remoteFamily(): string | undefined {
    return this._peerInfo()?.family;
  }
  /** This end's address. */
  get localAddress(): string | undefined {
    return this._localInfo()?.address;
  }
  /** This end's port. */
  get localPort(): number | undefined {
    return this._localInfo()?.port;
  }
  /** This end's family. */
  get localFamily(): string | undefined {
    return this._localInfo()?.family;
  }

  /** Disable (true, default) or enable Nagle's algorithm (TCP_NODELAY). Returns this. */
  setNoDelay(noDelay = true): this {
    this._check();
    this._rt._setsockopt(this.fd, IPPROTO_TCP, TCP_NODELAY, noDelay ? 1 : 0);
    return this;
  }

  /** Enable or disable TCP keep-alive; `initialDelay` in ms sets TCP_KEEPIDLE. Returns this. */
  setKeepAlive(enable = false, initialDelay = 0): this {
    this._check();
    this._rt._setsockopt(this.fd, SOL_SOCKET, SO_KEEPALIVE, enable ? 1 : 0);
    if (enable && initialDelay > 0) this._rt._setsockopt(this.fd, IPPROTO_TCP, TCP_KEEPIDLE, Math.max(1, Math.floor(initialDelay / 1000)));
    return this;
  }

  /**
   * Close with a reset: the peer gets RST (its reads fail with ECONNRESET) instead of FIN, and
   * bytes not yet sent are dropped — `net.Socket#resetAndDestroy()`. Sets SO_LINGER
   * `{ l_onoff: 1, l_linger: 0 }`, under which Linux's close(2) aborts the connection.
   * @example
   * ```ts
   * await s.resetAndClose() // the peer's read: ECONNRESET
   * ```
   */
  resetAndClose(): Promise<void> {
    if (!this.closed) {
      // INVARIANT: struct linger is two native-endian ints; 8 bytes on every Linux ABI.
      const linger = new Int32Array([1, 0]);
      try {
        this._rt._setsockoptBytes(this.fd, SOL_SOCKET, SO_LINGER, new Uint8Array(linger.buffer));
      } catch {
        // The connection is already gone (reset by the peer): close it as it is.
      }
    }
    return this.close();
  }

  /** `{ address, family, port }` of this end, as `net.Socket#address()`. */
  address(): SocketAddressInfo | Record<string, never> {
    return this._localInfo() ?? {};
  }

  /** Bind this (fresh) socket to a local address before it connects. @internal */
  _bind(address: string, port: number, signal: AbortSignal | null): Promise<void> {
    const op = new Op(OpCode.BIND);
    op.addr = new Uint8Array(new ArrayBuffer(128));
    op.addrLen = encodeSockaddr(address, port, op.addr);
    op.ctx = { address, port };
    return this._start<number>(op, signal).then(() => undefined);
  }

  /** Connect this (fresh) socket. @internal */
  _connect(address: string, port: number, signal: AbortSignal | null, timeoutNs = 0): Promise<void> {
    const addr = new Uint8Array(new ArrayBuffer(128));
    return this._connectTo(addr, encodeSockaddr(address, port, addr), { address, port }, signal, timeoutNs);
  }

  // _peerInfo/_localInfo are not `#private` methods: those give every instance a brand field
  // (8 bytes per connection).
  /** @internal */
  _peerInfo(): SocketAddressInfo | null {
    const a = this.#addr;
    if (a instanceof AddressPair) return (a.peer ??= ask(this, true));
    if (typeof a === 'number') return (this.#addr = unpackInet4(a));
    return a ?? (this.#addr = ask(this, true));
  }

  /** @internal */
  _localInfo(): SocketAddressInfo | null {
    const a = this.#addr;
    if (a instanceof AddressPair) return (a.local ??= ask(this, false));
    const local = ask(this, false);
    if (local !== null) this.#addr = new AddressPair(typeof a === 'number' ? unpackInet4(a) : a, local);
    return local;
  }
}

/** getpeername/getsockname, decoded; null once closed or when the kernel has none. */
function ask(s: TcpStream, peer: boolean): SocketAddressInfo | null {
  if (s.closed) return null;
  const raw = s._rt._sockname(s.fd, peer);
  return raw ? decodeSockaddr(raw) : null;
}

/** Both ends' addresses of a stream whose local address was asked for. */
class AddressPair {
  constructor(
    public peer: SocketAddressInfo | null,
    public local: SocketAddressInfo | null,
  ) {}
}
