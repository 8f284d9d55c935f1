/**
 * A connected TCP stream (from `connect()` or a listener's `accept()`).
 * @module
 */
import { checkRentable, takeOwnership } from './buffer.js';
import { IPPROTO_TCP, SHUT_RD, SHUT_RDWR, SHUT_WR, SOL_SOCKET, SO_KEEPALIVE, TCP_KEEPIDLE, TCP_NODELAY } from './constants.js';
import { InvalidArgTypeError, InvalidArgValueError } from './errors.js';
import { Handle, type IoOptions } from './handle.js';
import { Op, OpCode, Resolve } from './op.js';
import type { Runtime } from './runtime.js';
import { decodeSockaddr, encodeSockaddr, type SocketAddressInfo } from './sockaddr.js';
import { checkOptions, checkSignal } from './validate.js';

/** Options of {@link TcpStream.read} / {@link TcpStream.write}. */
export type StreamIoOptions = Omit<IoOptions, 'position'>;

/**
 * A TCP connection. Reads and writes rent their buffer; `read` resolving `[0, buf]` means the
 * peer closed its side (EOF).
 *
 * @example
 * ```ts
 * const s = await connect({ host: '127.0.0.1', port })
 * await s.writeAll(own('ping'))
 * const [n, buf] = await s.read(alloc(65536))
 * await s.close()
 * ```
 */
export class TcpStream extends Handle {
  protected readonly what = 'stream';
  #peer: SocketAddressInfo | null;
  #local: SocketAddressInfo | null = null;

  /** @internal made by connect() / accept() */
  constructor(rt: Runtime, fd: number, peer: SocketAddressInfo | null = null) {
    super(rt, fd);
    this.#peer = peer;
  }

  /** The peer's address ('127.0.0.1', '::1'), or undefined once unknown (closed). */
  get remoteAddress(): string | undefined {
    return this.#peerInfo()?.address;
  }
  /** The peer's port. */
  get remotePort(): number | undefined {
    return this.#peerInfo()?.port;
  }
  /** 'IPv4' or 'IPv6'. */
  get remoteFamily(): string | undefined {
    return this.#peerInfo()?.family;
  }
  /** This end's address. */
  get localAddress(): string | undefined {
    return this.#localInfo()?.address;
  }
  /** This end's port. */
  get localPort(): number | undefined {
    return this.#localInfo()?.port;
  }
  /** This end's family. */
  get localFamily(): string | undefined {
    return this.#localInfo()?.family;
  }

  /** Read into `buf` (or its window). Resolves `[bytesRead, buf]`; 0 bytes is EOF. */
  read(buf: Uint8Array, options?: StreamIoOptions): Promise<[number, Uint8Array]> {
    const a = this._rent(buf, options, false);
    return this._bufOp(OpCode.RECV, a.owned, a.off, a.len, -1, a.signal);
  }

  /** Write `buf` (or its window) once. Resolves `[bytesWritten, buf]`; may be short under back-pressure. */
  write(buf: Uint8Array, options?: StreamIoOptions): Promise<[number, Uint8Array]> {
    const a = this._rent(buf, options, false);
    return this._bufOp(OpCode.SEND, a.owned, a.off, a.len, -1, a.signal);
  }

  /**
   * Write all of `buf` (or its window), looping over short writes. Resolves the buffer handed
   * back; on error `err.buf` is the buffer and `err.bytesWritten` says how far it got.
   */
  writeAll(buf: Uint8Array, options?: StreamIoOptions): Promise<Uint8Array> {
    return this._writeAll(OpCode.SEND, this._rent(buf, options, false));
  }

  /**
   * Gather-write several whole buffers in one syscall (`writev`). Resolves
   * `[bytesWritten, bufs]`; may be short. Each buffer is rented.
   */
  writev(bufs: Uint8Array[], options?: { signal?: AbortSignal }): Promise<[number, Uint8Array[]]> {
    if (!Array.isArray(bufs) || bufs.length === 0) throw new InvalidArgTypeError('bufs', 'a non-empty array of Uint8Array', bufs);
    if (bufs.length > 1024) throw new InvalidArgValueError('bufs', 'must hold at most 1024 buffers (IOV_MAX)', bufs.length);
    bufs.forEach((b, i) => checkRentable(b, `bufs[${i}]`));
    if (new Set(bufs.map((b) => b.buffer)).size !== bufs.length) throw new InvalidArgValueError('bufs', 'must not hold the same buffer twice', bufs);
    const signal = checkSignal(checkOptions<{ signal: AbortSignal }>(options).signal);
    this._check();
    const op = new Op(OpCode.WRITEV);
    op.bufs = bufs.map(takeOwnership);
    op.resolveAs = Resolve.RESULT_AND_BUFS;
    return this._start(op, signal);
  }

  /**
   * Shut down the write side (default: send FIN, like `socket.end()`), the read side, or both.
   * Resolves as well when the connection is already gone (the peer reset it).
   */
  shutdown(how: 'write' | 'read' | 'both' = 'write'): Promise<void> {
    const h = how === 'write' ? SHUT_WR : how === 'read' ? SHUT_RD : how === 'both' ? SHUT_RDWR : -1;
    if (h < 0) throw new InvalidArgValueError('how', "must be 'write', 'read' or 'both'", how);
    this._check();
    const op = new Op(OpCode.SHUTDOWN);
    op.flags = h;
    return this._start<number>(op, null).then(noop, notConnectedIsDone);
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

  /** `{ address, family, port }` of this end, as `net.Socket#address()`. */
  address(): SocketAddressInfo | Record<string, never> {
    return this.#localInfo() ?? {};
  }

  /** Connect this (fresh) socket. @internal */
  _connect(address: string, port: number, signal: AbortSignal | null): Promise<void> {
    const op = new Op(OpCode.CONNECT);
    op.addr = new Uint8Array(new ArrayBuffer(128));
    op.addrLen = encodeSockaddr(address, port, op.addr);
    op.ctx = { address, port };
    return this._start<number>(op, signal).then(() => undefined);
  }

  #peerInfo(): SocketAddressInfo | null {
    if (!this.#peer && !this.closed) {
      const raw = this._rt._sockname(this.fd, true);
      if (raw) this.#peer = decodeSockaddr(raw);
    }
    return this.#peer;
  }

  #localInfo(): SocketAddressInfo | null {
    if (!this.#local && !this.closed) {
      const raw = this._rt._sockname(this.fd, false);
      if (raw) this.#local = decodeSockaddr(raw);
    }
    return this.#local;
  }
}

function noop(): void {}

// A stream is only ever made connected, so ENOTCONN from shutdown(2) means the connection is
// already gone (reset by the peer): nothing is left to shut down. node:net's end() treats it the
// same way (UV_ENOTCONN is a synchronous finish in Socket#_final).
function notConnectedIsDone(err: { code?: string }): void {
  if (err.code !== 'ENOTCONN') throw err;
}
