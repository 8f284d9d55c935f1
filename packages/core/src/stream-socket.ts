/**
 * The connected byte-stream surface shared by TCP and Unix stream sockets: reads and writes that
 * rent their buffer, gather writes, shutdown. `TcpStream` and `UnixStream` add what is specific
 * to their address family.
 * @module
 */
import { checkRentable, takeOwnership } from './buffer.js';
import type { BufferLease } from './buffer-lease.js';
import { BufferPool } from './buffer-pool.js';
import { readPooled, readPooledWith, type PooledReadCallback, type PooledReadOptions } from './pooled-read.js';
import { SHUT_RD, SHUT_RDWR, SHUT_WR } from './constants.js';
import { InvalidArgTypeError, InvalidArgValueError, type ErrnoContext } from './errors.js';
import type { IoOptions } from './handle.js';
import { PooledHandle } from './pooled-handle.js';
import type { File } from './file.js';
import { Op, OpCode, Resolve } from './op.js';
import { sendFile, type SendFileOptions } from './send-file.js';
import { checkOptions, checkSignal } from './validate.js';

/** Options of a stream's `read` / `write` / `writeAll`. */
export type StreamIoOptions = Omit<IoOptions, 'position'>;
export type { PooledReadCallback, PooledReadOptions } from './pooled-read.js';

/**
 * A connected stream socket (`TcpStream`, `UnixStream`). Reads and writes rent their buffer;
 * `read` resolving `[0, buf]` means the peer closed its side (EOF).
 *
 * @example
 * ```ts
 * async function echo(s: StreamSocket) {
 *   let buf = alloc(65536)
 *   for (;;) {
 *     const [n, b] = await s.read(buf)
 *     if (n === 0) return s.shutdown()
 *     buf = await s.writeAll(b, { length: n })
 *   }
 * }
 * ```
 */
export abstract class StreamSocket extends PooledHandle {
  // A getter, not a field: the same for every stream, so no 8 bytes per handle for it.
  /** @internal */
  override get _what(): string {
    return 'stream';
  }

  /** Read into `buf` (or its window). Resolves `[bytesRead, buf]`; 0 bytes is EOF. */
  read(buf: Uint8Array, options?: StreamIoOptions): Promise<[number, Uint8Array]>;
  /**
   * Read into a buffer of `pool`, taken only when bytes arrive. Resolves `[bytesRead, lease]`
   * (release the lease to hand the buffer back), or `[0, null]` at EOF. An empty pool is
   * back-pressure: the read waits for a release, the bytes staying in the socket — or rejects
   * with `ENOBUFS` given `{ noWait: true }`.
   *
   * @example
   * ```ts
   * const [n, lease] = await s.read(pool)
   * if (lease) using l = lease, process(l.bytes)
   * ```
   */
  read(pool: BufferPool, options?: PooledReadOptions): Promise<[number, BufferLease | null]>;
  read(buf: Uint8Array | BufferPool, options?: StreamIoOptions | PooledReadOptions): Promise<[number, Uint8Array | BufferLease | null]> {
    if (buf instanceof BufferPool) return readPooled(this, buf, options);
    const a = this._rent(buf, options, false);
    return this._bufOp(OpCode.RECV, a.owned, a.off, a.len, -1, a.signal, a.timeoutNs);
  }

  /**
   * `read(pool)` reporting to a callback instead of a promise: `callback(null, n, lease)`,
   * `(null, 0, null)` at EOF, or `(err, 0, null)` with the error `read(pool)` would reject with.
   * Called exactly once, from a microtask, as a promise's reaction would be. Argument errors
   * throw synchronously, as `read(pool)`'s do.
   *
   * For servers holding many idle connections: a pending `read(pool)` holds its promise, that
   * promise's resolving function and the caller's reaction (~300 bytes); a pending `readWith`
   * holds only the op and a reference to `callback` (share one callback across reads and the
   * read costs no closure either).
   *
   * @example
   * ```ts
   * const onData: PooledReadCallback = (err, n, lease) => {
   *   if (err || !lease) return s.close()
   *   handle(lease.bytes)
   *   lease.release()
   *   s.readWith(pool, onData)
   * }
   * s.readWith(pool, onData)
   * ```
   */
  readWith(pool: BufferPool, callback: PooledReadCallback, options?: PooledReadOptions): void {
    if (!(pool instanceof BufferPool)) throw new InvalidArgTypeError('pool', 'a BufferPool', pool);
    readPooledWith(this, pool, callback, options);
  }

  /** Write `buf` (or its window) once. Resolves `[bytesWritten, buf]`; may be short under back-pressure. */
  write(buf: Uint8Array, options?: StreamIoOptions): Promise<[number, Uint8Array]> {
    const a = this._rent(buf, options, false);
    return this._bufOp(OpCode.SEND, a.owned, a.off, a.len, -1, a.signal, a.timeoutNs);
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
   * Send `file`'s bytes (from `position`, default 0, for `length` bytes, default to its end)
   * without copying them through JS: uring splices them through a pipe, epoll uses sendfile(2).
   * Resumes after short sends; resolves the bytes sent (fewer than `length` only when the file
   * ended). On error, `err.bytesWritten` says how far it got.
   *
   * @example
   * ```ts
   * const f = await rt.open('/srv/index.html')
   * const size = (await f.stat()).size
   * await s.writeAll(own(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`))
   * await s.sendFile(f, { length: size })
   * ```
   */
  sendFile(file: File, options?: SendFileOptions): Promise<number> {
    this._check();
    // A closure per call, not a field per socket: an idle connection would pay 8 bytes for it.
    return sendFile((op: Op, signal: AbortSignal | null): Promise<number> => this._start<number>(op, signal), file, options);
  }

  /**
   * Shut down the write side (default: send FIN / EOF, like `socket.end()`), the read side, or
   * both. Resolves as well when the connection is already gone (the peer reset it).
   */
  shutdown(how: 'write' | 'read' | 'both' = 'write'): Promise<void> {
    const h = how === 'write' ? SHUT_WR : how === 'read' ? SHUT_RD : how === 'both' ? SHUT_RDWR : -1;
    if (h < 0) throw new InvalidArgValueError('how', "must be 'write', 'read' or 'both'", how);
    this._check();
    const op = new Op(OpCode.SHUTDOWN);
    op.flags = h;
    return this._start<number>(op, null).then(noop, notConnectedIsDone);
  }

  /** Connect this (fresh) socket to the encoded address. @internal */
  _connectTo(addr: Uint8Array, addrLen: number, ctx: ErrnoContext, signal: AbortSignal | null, timeoutNs = 0): Promise<void> {
    const op = new Op(OpCode.CONNECT);
    op.timeoutNs = timeoutNs;
    op.addr = addr;
    op.addrLen = addrLen;
    op.ctx = ctx;
    return this._start<number>(op, signal).then(noop);
  }
}

function noop(): void {}

// A stream is only ever made connected, so ENOTCONN from shutdown(2) means the connection is
// already gone (reset by the peer): nothing is left to shut down. node:net's end() treats it the
// same way (UV_ENOTCONN is a synchronous finish in Socket#_final).
function notConnectedIsDone(err: Error & { code?: string }): void {
  if (err.code !== 'ENOTCONN') throw err;
}
