/**
 * `RentioSocket`: a rentio `TcpStream` as a `stream.Duplex` with the `net.Socket` surface that
 * `node:http`, `http.Agent`, undici and `stream.pipeline` rely on.
 *
 * Reads go through the runtime's buffer pool (read-pool.ts), which lends a buffer only once bytes
 * arrived, so an idle socket holds none; the bytes are copied into a fresh Buffer and pushed and
 * the lease released — the buffer may be under the kernel again before the consumer looks at the
 * chunk, so the chunk must not be a view of it. Writes are
 * copied into staging slabs when `write()` is called (see `stager.ts`), and a write's callback
 * runs only once its bytes completed, so an error belongs to the write that caused it.
 * @module
 */
import { BlockList, isIP } from 'node:net';
import { Duplex, addAbortSignal } from 'node:stream';
import {
  type BufferLease,
  type BufferPool,
  type PooledReadCallback,
  type Runtime,
  type SocketAddressInfo,
  type TcpStream,
  type UnixStream,
} from '@rentio/core';
import {
  attemptOrder,
  autoSelectTimeout,
  checkPort,
  connectArgs,
  connectHost,
  connectLocal,
  lookupHost,
  type ConnectOptions,
  type Resolved,
} from './connect-args.js';
import {
  argType,
  closedBeforeConnection,
  invalidAddressFamily,
  invalidArgType,
  invalidArgValue,
  invalidIpAddress,
  ipBlocked,
  isClosedByUs,
  outOfRange,
  rethrowUncaught,
  socketClosed,
  streamDestroyed,
} from './errors.js';
import { UserBufferReads, type OnReadOptions } from './onread.js';
import { giveBack, pool, reportPool } from './pool.js';
import { readPoolFor } from './read-pool.js';
import { resolveRuntime, type RuntimeOption } from './runtime.js';
import {
  CONNECTING,
  EOF,
  PAUSE_ON_CREATE,
  PEER_ENDED,
  READING,
  REFED,
  RESETTING,
  SHUTTING_DOWN,
  SocketExtras,
  USER_STOPPED,
  WANT_READ,
  WRITE_ERROR_DUE,
} from './socket-state.js';
import { Stager, kStager, kSubmit, kWriteAfterEnd, stageWrites, writeSegments, type Segment } from './stager.js';

/** Options of {@link toDuplex} (and of `connect`, which adds the connect options). */
export interface SocketOptions {
  /** Keep the writable side open after the peer's FIN (default false, as `net.Socket`). */
  allowHalfOpen?: boolean;
  /** Do not start reading until the stream is read from or resumed (as `net.Server`'s `pauseOnConnect`). */
  pauseOnCreate?: boolean;
  /** Both sides' `highWaterMark` (bytes). */
  highWaterMark?: number;
  /** Readable side's `highWaterMark` (bytes). */
  readableHighWaterMark?: number;
  /** Writable side's `highWaterMark` (bytes). */
  writableHighWaterMark?: number;
  /** Destroy the stream when the signal aborts. */
  signal?: AbortSignal;
  /** The runtime `connect()` uses (default: core's `defaultRuntime()`). */
  runtime?: RuntimeOption;
  /** Never connect to an address this `net.BlockList` blocks (`ERR_IP_BLOCKED`), as `net.Socket`'s option. */
  blockList?: BlockList;
  /**
   * As `net.Socket`'s option: read into `buffer` (or the buffers a function gives) and report
   * each read to `callback(nread, buf)` instead of `'data'`; `false` from it pauses reading.
   */
  onread?: OnReadOptions;
}

type Callback = (err?: Error | null) => void;

/** A connected rentio stream: TCP, or a Unix domain socket (no addresses, no TCP options, as a net.Socket on a pipe). */
type Stream = TcpStream | UnixStream;

/** The stream if it is TCP (has addresses and TCP options), else null; by shape, as isStream. */
function inet(s: Stream | null): TcpStream | null {
  return s !== null && typeof (s as TcpStream).setNoDelay === 'function' ? (s as TcpStream) : null;
}
/** How a connecting socket reports: `(err)` or `(null, socket)`, once. */
export type ConnectCallback = (err: Error | null, socket?: RentioSocket) => void;

/**
 * A rentio TCP stream as a `net.Socket`-like `stream.Duplex`. Make one with {@link toDuplex},
 * `connect()` or `serve()`, or unconnected with `new RentioSocket(options)` and then
 * {@link RentioSocket.connect}, as with `new net.Socket()`.
 *
 * @example
 * ```ts
 * import { RentioSocket } from '@rentio/compat'
 * const sock = new RentioSocket({ runtime })
 * sock.connect(5432, '127.0.0.1')
 * sock.on('connect', () => sock.end('GET / HTTP/1.0\r\n\r\n'))
 * sock.pipe(process.stdout)
 * ```
 */
/** A read once the runtime's read pool exists (the socket's first read on a new runtime). */
function readOnceReady(tcp: Stream, rp: Promise<BufferPool>, cb: PooledReadCallback): void {
  rp.then((rpool) => tcp.readWith(rpool, cb)).catch((err: Error) => cb(err, 0, null));
}

export class RentioSocket extends Duplex {
  /** The `net.Server` that accepted this socket, when it came from `serve()`. */
  server: unknown = undefined;
  // The next three are set when used, as net.Socket's (not own properties until then).
  /** With autoSelectFamily and several addresses: each `address:port` tried, as net.Socket's. */
  declare autoSelectFamilyAttemptedAddresses: string[] | undefined;
  /** The `blockList` option: addresses it blocks are never connected to (`ERR_IP_BLOCKED`), as net.Socket's. */
  declare blockList: BlockList | undefined;
  /** The idle timeout set by {@link setTimeout} (ms), as `net.Socket#timeout`. */
  declare timeout: number | undefined;
  /**
   * Run as the socket emits 'close', before its 'close' listeners, without being one (serve()
   * counts its connections with it; see serve.ts). One function per server, not a closure per
   * socket. @internal
   */
  _whenGone: ((sock: RentioSocket) => void) | null = null;

  #tcp: Stream | null = null;
  /** Booleans as bits (socket-state.ts): one field instead of eleven. */
  #flags = REFED;
  /** What few sockets use (socket-state.ts), made by {@link #more} on first use. */
  #extras: SocketExtras | null = null;
  #bytesRead = 0;
  #dispatched = 0;
  #timer: NodeJS.Timeout | null = null;
  /** The write op in flight (destroy lets it reach the kernel first: see _destroy). */
  #writing: Promise<unknown> | null = null;

  /**
   * An unconnected socket (`new RentioSocket({ runtime })`, then {@link connect}), as
   * `new net.Socket(options)`; or, internally, one over a connected stream (see {@link toDuplex}).
   */
  constructor(options?: SocketOptions | null);
  /** @internal use {@link toDuplex} */
  constructor(tcp: Stream | null, options?: SocketOptions);
  constructor(first?: Stream | SocketOptions | null, second?: SocketOptions) {
    const tcp = isStream(first) ? first : null;
    const options = (isStream(first) || first === null ? second : first) ?? {};
    if (typeof options !== 'object') throw invalidArgType('options', 'of type object', options);
    checkStreamOptions(options);
    super({
      allowHalfOpen: Boolean(options.allowHalfOpen),
      // As net.Socket: 'close' is emitted by _destroy once the fd is closed, with `hadError`.
      emitClose: false,
      autoDestroy: true,
      highWaterMark: options.highWaterMark,
      readableHighWaterMark: options.readableHighWaterMark,
      writableHighWaterMark: options.writableHighWaterMark,
    });
    if (options.pauseOnCreate) this.#flags |= PAUSE_ON_CREATE;
    if (options.runtime !== undefined) this.#more().runtime = options.runtime;
    if (options.blockList !== undefined && options.blockList !== null) this.blockList = options.blockList;
    const userReads = UserBufferReads.from(options.onread);
    if (userReads) this.#readIntoUserBuffers(userReads);
    // As net.Socket with pauseOnCreate: a 'data' listener does not start the flow; read() or
    // resume() does.
    if (this.#is(PAUSE_ON_CREATE)) (this as { readableFlowing: boolean | null }).readableFlowing = false;
    this.on('end', RentioSocket.#markPeerEnded);
    // Not passed to Duplex: an aborted signal would destroy the stream inside super(), before
    // this class's fields exist.
    if (options.signal) addAbortSignal(options.signal, this);
    if (tcp) {
      this.#attach(tcp);
      if (!this.#is(PAUSE_ON_CREATE)) this.read(0);
    }
  }

  #is(flag: number): boolean {
    return (this.#flags & flag) !== 0;
  }

  #more(): SocketExtras {
    return (this.#extras ??= new SocketExtras());
  }

  // A method of its own, so the constructor holds no closure (V8 would allocate its context for
  // every socket).
  #readIntoUserBuffers(userReads: UserBufferReads): void {
    const x = this.#more();
    x.userReads = userReads;
    x.isUserStopped = () => this.#is(USER_STOPPED);
  }

  // --- net.Socket surface -------------------------------------------------------------------

  /** True while `connect()` is in progress. */
  get connecting(): boolean {
    return this.#is(CONNECTING);
  }
  /** True until the stream is connected, and again once destroyed (as `net.Socket#pending`). */
  get pending(): boolean {
    return this.#tcp === null || this.#is(CONNECTING) || this.destroyed;
  }
  /** 'opening', 'open', 'readOnly', 'writeOnly' or 'closed', as `net.Socket#readyState`. */
  get readyState(): string {
    if (this.#is(CONNECTING)) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable) return 'readOnly';
    if (this.writable) return 'writeOnly';
    return 'closed';
  }
  /** The peer's address, e.g. '127.0.0.1'. */
  get remoteAddress(): string | undefined {
    return inet(this.#tcp)?.remoteAddress;
  }
  /** The peer's port. */
  get remotePort(): number | undefined {
    return inet(this.#tcp)?.remotePort;
  }
  /** 'IPv4' or 'IPv6'. */
  get remoteFamily(): string | undefined {
    return inet(this.#tcp)?.remoteFamily;
  }
  /** This end's address. */
  get localAddress(): string | undefined {
    // As net.Socket, which forgets its sockname on destroy (the peer's name it keeps).
    return this.destroyed ? undefined : inet(this.#tcp)?.localAddress;
  }
  /** This end's port. */
  get localPort(): number | undefined {
    // As net.Socket, which forgets its sockname on destroy (the peer's name it keeps).
    return this.destroyed ? undefined : inet(this.#tcp)?.localPort;
  }
  /** This end's family. */
  get localFamily(): string | undefined {
    // As net.Socket, which forgets its sockname on destroy (the peer's name it keeps).
    return this.destroyed ? undefined : inet(this.#tcp)?.localFamily;
  }
  /** Legacy name of {@link connecting}, as `net.Socket#_connecting`. */
  get _connecting(): boolean {
    return this.#is(CONNECTING);
  }
  /** Bytes received (pushed to the readable side). */
  get bytesRead(): number {
    // As net.Socket's getter, read on the prototype (no socket) it is undefined, not a throw.
    if (!(#bytesRead in this)) return undefined as unknown as number;
    return this.#bytesRead;
  }
  /** Bytes handed to the kernel plus bytes written and still queued, as `net.Socket#bytesWritten`. */
  get bytesWritten(): number {
    if (!(#dispatched in this)) return undefined as unknown as number;
    return this.#dispatched + (this.#stager?.pending ?? 0);
  }
  /** Deprecated `net.Socket#bufferSize`: `writableLength`. */
  get bufferSize(): number {
    return this.writableLength;
  }
  /** The underlying rentio stream (null while connecting). */
  get tcpStream(): Stream | null {
    return this.#tcp;
  }

  /** `{ address, family, port }` of this end, as `net.Socket#address()`. */
  address(): SocketAddressInfo | Record<string, never> {
    const tcp = inet(this.#tcp);
    return tcp && !tcp.closed ? tcp.address() : {};
  }

  /** Disable (default) or enable Nagle's algorithm. Applied once connected if called before. */
  setNoDelay(noDelay = true): this {
    const on = (this.#more().noDelay = Boolean(noDelay));
    const tcp = inet(this.#tcp);
    if (tcp && !tcp.closed) {
      try {
        tcp.setNoDelay(on);
      } catch {
        // As net.Socket: a socket that is closing ignores it.
      }
    }
    return this;
  }

  /** Enable or disable TCP keep-alive (`initialDelay` in ms). Applied once connected if called before. */
  setKeepAlive(enable = false, initialDelay = 0): this {
    const keepAlive = (this.#more().keepAlive = [Boolean(enable), Math.max(0, ~~(initialDelay / 1000) * 1000)]);
    const tcp = inet(this.#tcp);
    if (tcp && !tcp.closed) {
      try {
        tcp.setKeepAlive(...keepAlive);
      } catch {
        // closing
      }
    }
    return this;
  }

  /**
   * Emit `'timeout'` after `msecs` of inactivity (no read or write completing); 0 disables.
   * The timer never keeps the process alive, as Node's.
   */
  setTimeout(msecs: number, callback?: () => void): this {
    if (this.destroyed) return this;
    if (typeof msecs !== 'number') throw invalidArgType('msecs', 'of type number', msecs);
    if (!(msecs >= 0) || msecs > 2 ** 31 - 1) throw outOfRange('msecs', `>= 0 && <= ${2 ** 31 - 1}`, msecs);
    if (callback !== undefined && typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
    this.timeout = msecs;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (msecs === 0) {
      if (callback) this.removeListener('timeout', callback);
    } else {
      this.#timer = setTimeout((this.#onTimeout ??= () => this.emit('timeout')), msecs);
      this.#timer.unref();
      if (callback) this.once('timeout', callback);
    }
    return this;
  }

  /** Restart the idle timer (`node:http`'s server calls this on parser activity). @internal */
  _unrefTimer(): void {
    this.#timer?.refresh();
  }

  /**
   * Let the process exit while this socket only waits for the peer, as `net.Socket#unref`: its
   * pending read no longer keeps the process alive (a write in flight still does, as in Node).
   * Called while connecting, it applies once connected. Returns this.
   */
  unref(): this {
    this.#flags &= ~REFED;
    this.#tcp?.unref();
    return this;
  }

  /** Undo {@link unref}. Returns this. */
  ref(): this {
    this.#flags |= REFED;
    this.#tcp?.ref();
    return this;
  }

  /** True unless {@link unref} was called last. */
  get refed(): boolean {
    return this.#is(REFED);
  }

  /** End the writable side, then destroy once it finished (as `net.Socket#destroySoon`). */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /**
   * As `net.Socket#resetAndDestroy`: destroy now and send RST instead of FIN (the peer's read
   * fails with ECONNRESET); while connecting, once connected. As node:net: a socket with no
   * connection is destroyed with `ERR_SOCKET_CLOSED`, and a Unix socket throws
   * `ERR_INVALID_HANDLE_TYPE` (as on a pipe).
   */
  resetAndDestroy(): this {
    if (this.#is(CONNECTING)) {
      this.once('connect', () => this.resetAndDestroy());
      return this;
    }
    // As node:net: no connection (never connected, or closed) is ERR_SOCKET_CLOSED.
    if (!this.#tcp || this.destroyed) return this.destroy(socketClosed());
    if (!inet(this.#tcp)) throw Object.assign(new TypeError('This handle type cannot be sent'), { code: 'ERR_INVALID_HANDLE_TYPE' });
    this.#flags |= RESETTING;
    return this.destroy();
  }

  // --- writing: stage at write() time ---------------------------------------------------------
  //
  // write(), end(), _write() and _writev() stage each chunk at once: installed by stageWrites()
  // below, shared with the file write stream. This class says how staged segments reach the socket.

  #stager: Stager | null = null;
  /** Made at the first write: a socket that never writes holds none. @internal */
  get [kStager](): Stager {
    return (this.#stager ??= new Stager(pool));
  }

  /** @internal */
  [kSubmit](chunks: Uint8Array[], cb: Callback): void {
    this.#submit(chunks, cb);
  }

  /**
   * As net.Socket: once the peer ended and (without allowHalfOpen) our side ended in reply, a
   * write fails with EPIPE and destroys the socket, rather than Writable's write-after-end.
   * @internal
   */
  [kWriteAfterEnd](cb: Callback | undefined): boolean | undefined {
    if (!this.#is(PEER_ENDED) || this.allowHalfOpen) return undefined;
    const err = Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
    if (typeof cb === 'function') process.nextTick(cb, err);
    // Our FIN is with the kernel and only the shutdown's completion is pending: node:net runs its
    // shutdown callback as the syscall returns, so by the time a peer can have seen that FIN its
    // socket has finished and destroyed itself, and the write only fails (no 'error'). So here:
    // the completion finishes and closes this socket as usual.
    if (this.#is(SHUTTING_DOWN)) return false;
    this.destroy(err);
    return false;
  }

  #submit(chunks: Uint8Array[], cb: Callback): void {
    if (this.#is(CONNECTING)) {
      this.#more().heldWrite = { chunks, cb };
      return;
    }
    const tcp = this.#tcp;
    if (!tcp || this.destroyed) {
      // As net.Socket: a socket never connected says ERR_SOCKET_CLOSED.
      cb(this.destroyed ? streamDestroyed('write') : socketClosed());
      return;
    }
    this.#timer?.refresh();
    const segs = this[kStager].segments(chunks);
    if (segs.length === 1) this.#writeOne(tcp, segs[0]!, cb);
    else this.#writeSegments(tcp, segs, cb);
  }

  // The common case, one segment, without an async function's promise per write. Writable runs
  // one _write/_writev at a time, so the pending callback fits in one field.
  #writeCb: Callback | null = null;

  #writeOne(tcp: Stream, seg: Segment, cb: Callback): void {
    this.#dispatched += seg.len;
    let p: Promise<Uint8Array>;
    try {
      p = tcp.writeAll(seg.slab, { length: seg.len });
    } catch (e) {
      pool.give(seg.slab);
      this.#writeDone(e as Error, cb);
      return;
    }
    this.#writeCb = cb;
    if (this.#onWritten === null) this.#makeWriteCallbacks();
    this.#writing = p.then(this.#onWritten, this.#onWriteError);
  }

  // A socket's promise and timer callbacks are made at its first read, write or setTimeout, each
  // pair by a method of its own: the two closures share one context, and the caller (a hot path)
  // holds no closure, so V8 allocates no context per call there. An idle connection that never
  // wrote holds no write callbacks.
  #onWritten: ((slab: Uint8Array) => void) | null = null;
  #onWriteError: ((e: Error & { buf?: Uint8Array }) => void) | null = null;
  #onRead: PooledReadCallback | null = null;
  #onTimeout: (() => void) | null = null;

  #makeWriteCallbacks(): void {
    this.#onWritten = (slab) => this.#written(slab);
    this.#onWriteError = (e) => this.#writeFailed(e);
  }

  #makeReadCallback(): void {
    this.#onRead = (err, n, lease) => {
      if (err) this.#readFailed(err);
      else this.#read(n, lease);
    };
  }

  /** 'end' listener, one function for every socket (`this` is the socket). */
  static #markPeerEnded(this: RentioSocket): void {
    this.#flags |= PEER_ENDED;
  }

  #written(slab: Uint8Array): void {
    this.#writing = null;
    pool.give(slab);
    const cb = this.#writeCb!;
    this.#writeCb = null;
    this.#writeDone(null, cb);
  }

  #writeFailed(e: Error & { buf?: Uint8Array }): void {
    this.#writing = null;
    pool.give(e.buf);
    const cb = this.#writeCb!;
    this.#writeCb = null;
    this.#writeDone(e, cb);
  }

  /** Runs `cb` — which runs user write callbacks — from a promise reaction. Never throws. */
  #writeDone(err: Error | null, cb: Callback): void {
    this.#timer?.refresh();
    const due = this.#is(WRITE_ERROR_DUE);
    this.#flags &= ~WRITE_ERROR_DUE;
    if (err && (this.destroyed || isClosedByUs(err))) {
      if (!this.destroyed) this.destroy();
      err = streamDestroyed('write');
    } else if (err && isPeerGone(err) && !due) {
      // The peer reset or closed: what it sent before (an HTTP response to a request whose body
      // it did not read) is in the receive queue, and the read in flight is about to get it.
      // Reporting the write error now would destroy the socket before those bytes and what they
      // schedule (http's 'end' of that response) were seen, where node:net reads them first; so
      // hold the error until no read is in flight, then report it a loop turn later (see
      // #releaseWriteError).
      this.#more().heldWriteError = { err, cb };
      this.#releaseWriteError();
      return;
    }
    try {
      cb(err);
    } catch (e) {
      rethrowUncaught(e);
    }
  }

  /** Report a write error held by #writeDone, once no read is in flight any more. */
  #releaseWriteError(): void {
    const x = this.#extras;
    const held = x?.heldWriteError;
    if (!x || !held || this.#is(READING)) return;
    x.heldWriteError = null;
    // libuv reports a failed write in a later loop phase than the reads of this turn and all
    // they scheduled (http's 'end' of the response it just parsed); so does this.
    setImmediate(() => {
      this.#flags |= WRITE_ERROR_DUE;
      this.#writeDone(held.err, held.cb);
    });
  }

  /** Write the segments in order; `cb` once all completed or one failed. */
  #writeSegments(tcp: Stream, segs: Segment[], cb: Callback): void {
    const writeOne = (seg: Segment): Promise<Uint8Array> => {
      this.#dispatched += seg.len;
      return tcp.writeAll(seg.slab, { length: seg.len });
    };
    this.#writing = writeSegments(pool, segs, writeOne).then((err) => {
      this.#writing = null;
      this.#writeDone(err, cb);
    });
  }

  override _final(cb: Callback): void {
    if (this.#is(CONNECTING)) {
      this.#more().heldFinal = cb;
      return;
    }
    const tcp = this.#tcp;
    if (!tcp || tcp.closed) {
      cb();
      return;
    }
    // As net.Socket: a failed shutdown (ENOTCONN after a reset) does not fail end().
    let p: Promise<void>;
    try {
      p = tcp.shutdown('write');
    } catch {
      cb();
      return;
    }
    this.#flags |= SHUTTING_DOWN;
    // cb may emit 'finish' to user listeners at once.
    const done = (): void => {
      this.#flags &= ~SHUTTING_DOWN;
      try {
        cb();
      } catch (e) {
        rethrowUncaught(e);
      }
    };
    p.then(done, done);
  }

  // --- reading --------------------------------------------------------------------------------

  override _read(): void {
    if (this.#is(CONNECTING)) this.#flags |= WANT_READ;
    else if (!this.#is(USER_STOPPED)) this.#startRead();
  }

  #startRead(): void {
    const tcp = this.#tcp;
    if (this.#flags & (READING | EOF) || !tcp || this.destroyed) return;
    // Through the runtime's buffer pool: no buffer is held while the connection is idle.
    const rp = readPoolFor(tcp.runtime);
    if (this.#onRead === null) this.#makeReadCallback();
    // readWith, not read(pool): a pending read then holds no promise, resolving function or
    // reaction of its own (~300 bytes an idle connection would keep).
    try {
      if (rp instanceof Promise) readOnceReady(tcp, rp, this.#onRead!);
      else tcp.readWith(rp, this.#onRead!);
    } catch (err) {
      this.#readFailed(err);
      return;
    }
    this.#flags |= READING;
  }

  #read(n: number, lease: BufferLease | null): void {
    this.#flags &= ~READING;
    if (this.destroyed) {
      lease?.release();
      this.#releaseWriteError();
      return;
    }
    if (n === 0 || !lease) {
      this.#flags |= EOF;
      // After the ticks the last data scheduled, as libuv reports EOF in a read callback of its
      // own, with process.nextTick's queue run in between: http's agent frees a keep-alive socket
      // in a tick the response's 'end' scheduled, and a socket the peer's FIN already ended
      // (not writable) would be destroyed instead of reused.
      process.nextTick(RentioSocket.#onEof, this);
      return;
    }
    if (this.#extras?.userReads) {
      this.#onUserRead(n, lease);
      return;
    }
    // INVARIANT: the chunk pushed is a copy; the lease goes back to the pool and its buffer may
    // be under the kernel again (another read) before the consumer is done with the chunk.
    const chunk = lease.copyAndRelease();
    this.#bytesRead += n;
    this.#timer?.refresh();
    let more: boolean;
    try {
      more = this.push(chunk); // may run 'data' listeners at once
    } catch (e) {
      rethrowUncaught(e);
      more = !this.destroyed && this.readableLength < this.readableHighWaterMark;
    }
    if (more) this.#startRead();
    this.#releaseWriteError();
  }

  /** `onread`: the bytes go to the caller's buffer and callback, not to push(); then read on unless stopped. */
  #onUserRead(n: number, lease: BufferLease): void {
    this.#bytesRead += n;
    this.#timer?.refresh();
    let go = false;
    try {
      const x = this.#extras!;
      go = x.userReads!.deliver(this, lease.bytes, x.isUserStopped!);
    } catch (e) {
      rethrowUncaught(e);
    } finally {
      lease.release();
    }
    if (!go) this.#flags |= USER_STOPPED;
    else if (!this.#is(USER_STOPPED)) this.#startRead();
    this.#releaseWriteError();
  }

  /** As net.Socket#pause: with `onread`, also stops reading from the socket. */
  override pause(): this {
    if (this.#extras?.userReads) this.#flags |= USER_STOPPED;
    return super.pause();
  }

  /** As net.Socket#resume: with `onread`, hands over what was held and reads again. */
  override resume(): this {
    super.resume();
    const x = this.#extras;
    const reads = x?.userReads;
    if (reads && this.#is(USER_STOPPED)) {
      this.#flags &= ~USER_STOPPED;
      let go = false;
      try {
        go = reads.flush(this, x.isUserStopped!);
      } catch (e) {
        rethrowUncaught(e);
      }
      if (!go) this.#flags |= USER_STOPPED;
      else if (!this.#is(USER_STOPPED) && !this.#is(CONNECTING)) this.#startRead();
    }
    return this;
  }

  /** One function for every socket (the socket is its argument), not a closure per socket. */
  static #onEof(sock: RentioSocket): void {
    if (!sock.destroyed) {
      try {
        sock.push(null);
        // As net.Socket: with nobody reading, this read(0) is what emits 'end' (and so 'close'
        // once the writable side is done); push(null) alone waits for a reader.
        sock.read(0);
      } catch (e) {
        rethrowUncaught(e);
      }
    }
    sock.#releaseWriteError();
  }

  #readFailed(err: unknown): void {
    this.#flags &= ~READING;
    giveBack((err as { buf?: Uint8Array } | null)?.buf);
    if (!this.destroyed) {
      // The runtime closed under us: end quietly, as if the peer had gone (nobody else can report it).
      if (isClosedByUs(err)) this.destroy();
      else this.destroy(err as Error);
    }
    this.#releaseWriteError();
  }

  // --- lifecycle --------------------------------------------------------------------------------

  #attach(tcp: Stream): void {
    this.#tcp = tcp;
    if (!this.#is(REFED)) tcp.unref();
    reportPool(tcp.runtime);
    const x = this.#extras;
    if (x?.noDelay !== undefined) this.setNoDelay(x.noDelay);
    if (x?.keepAlive !== undefined) this.setKeepAlive(...x.keepAlive);
  }

  /**
   * Connect, as `net.Socket#connect`: `(port[, host][, listener])`, `(options[, listener])` or
   * `(path[, listener])`. Returns at once; emits `'lookup'` (when `host` is a name), then
   * `'connect'` and `'ready'` — or `'error'` and `'close'`. `listener` is added as a
   * `'connect'` listener. A socket that closed may connect again. A `path` (or a string that is
   * not a port) connects to a Unix domain socket; `localAddress` / `localPort` throw
   * `ERR_RENTIO_UNSUPPORTED` (not supported yet).
   *
   * @example
   * ```ts
   * const sock = new RentioSocket({ runtime })
   * sock.connect(6379, '127.0.0.1', () => sock.write('PING\r\n'))
   * ```
   */
  connect(options: ConnectOptions, connectListener?: () => void): this;
  connect(port: number | string, host?: string, connectListener?: () => void): this;
  connect(port: number | string, connectListener?: () => void): this;
  connect(path: string, connectListener?: () => void): this;
  connect(...args: unknown[]): this {
    const { options, cb } = connectArgs<() => void>(args);
    if (cb !== undefined && typeof cb !== 'function') throw invalidArgType('listener', 'of type function', cb);
    this._connect(options, undefined);
    if (cb) this.once('connect', cb);
    return this;
  }

  /**
   * Start connecting with `options`; `connector`, if given, once as `(null, this)` or `(err)`
   * (the callback shape of `http`'s `createConnection`). @internal used by `connect()`
   */
  _connect(options: ConnectOptions, connector: ConnectCallback | undefined): void {
    if (options.path !== undefined && options.path !== null) {
      this.#connectPath(options, connector);
      return;
    }
    const port = checkPort(options.port, options.protocol);
    const host = connectHost(options);
    const local = connectLocal(options);
    const attemptMs = autoSelectTimeout(options);
    if (this.#is(CONNECTING)) throw Object.assign(new Error('Socket is already connecting'), { code: 'ERR_SOCKET_CONNECTING' });
    const family = isIP(host);
    // As net.Socket: a lookup that is not a function is refused by connect() itself.
    if (family === 0 && options.lookup !== undefined && options.lookup !== null && typeof options.lookup !== 'function')
      throw argType('options.lookup', 'of type function', options.lookup);
    if (this.destroyed) this.#reset();
    if (options.noDelay) this.setNoDelay(true);
    if (options.keepAlive) this.setKeepAlive(true, options.keepAliveInitialDelay ?? 0);
    if (options.timeout) this.setTimeout(options.timeout);
    const runtime = options.runtime ?? this.#extras?.runtime;
    this.#flags |= CONNECTING;
    // As net.Socket, the name lookup starts inside connect(): `dns.lookup` validates its options
    // (a bad `hints` throws from connect()) and a custom lookup is called before connect() returns.
    let targets: Promise<Resolved[]>;
    try {
      targets = family !== 0 ? Promise.resolve([{ address: host, family }]) : this.#lookup(host, options, attemptMs > 0);
      // Awaited below, after the runtime: a lookup failing first is not an unhandled rejection.
      targets.catch(() => {});
    } catch (err) {
      this.#flags &= ~CONNECTING;
      throw err;
    }
    this.#startConnect(async (signal) => {
      const rt = await resolveRuntime(runtime);
      const to = await targets;
      if (to.length === 1) return this.#attempt(rt, to[0]!, port, local, signal);
      return this.#attemptEach(rt, to, port, attemptMs, signal);
    }, connector);
  }

  /**
   * One connect attempt, reported as node:net reports it: 'connectionAttempt', then
   * 'connectionAttemptFailed' if it fails.
   */
  async #attempt(
    rt: Runtime,
    to: Resolved,
    port: number,
    local: { localAddress?: string; localPort?: number },
    signal: AbortSignal,
  ): Promise<Stream> {
    this.#emitSafe('connectionAttempt', to.address, port, to.family);
    // As net.Socket: an address the blockList blocks is never connected to.
    if (this.blockList?.check(to.address, to.family === 6 ? 'ipv6' : 'ipv4')) {
      const err = ipBlocked(to.address);
      this.#emitSafe('connectionAttemptFailed', to.address, port, to.family, err);
      throw err;
    }
    try {
      return await rt.connect({ host: to.address, port, ...local, signal });
    } catch (err) {
      if (!signal.aborted) this.#emitSafe('connectionAttemptFailed', to.address, port, to.family, err);
      throw err;
    }
  }

  /**
   * net's autoSelectFamily: try each address in turn, each but the last for at most `attemptMs`
   * ('connectionAttemptTimeout' when cut short); the first that connects wins. All failing
   * rejects with an AggregateError of their errors (code: the first one's), as node:net.
   */
  async #attemptEach(rt: Runtime, targets: Resolved[], port: number, attemptMs: number, signal: AbortSignal): Promise<Stream> {
    const tried: string[] = [];
    this.autoSelectFamilyAttemptedAddresses = tried;
    const errors: Error[] = [];
    for (let i = 0; i < targets.length; i++) {
      const to = targets[i]!;
      tried.push(`${to.address}:${port}`);
      const last = i === targets.length - 1;
      const ac = new AbortController();
      const onAbort = (): void => ac.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      let timedOut = false;
      // A real per-attempt deadline, as node:net's (an address that never answers is skipped).
      const timer = last
        ? null
        : setTimeout(() => {
            timedOut = true;
            ac.abort();
          }, attemptMs);
      try {
        return await this.#attempt(rt, to, port, {}, ac.signal);
      } catch (err) {
        if (signal.aborted) throw err;
        if (timedOut) this.#emitSafe('connectionAttemptTimeout', to.address, port, to.family);
        else errors.push(err as Error);
      } finally {
        if (timer) clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      }
    }
    if (errors.length === 1) throw errors[0]!;
    throw Object.assign(new AggregateError(errors), { code: (errors[0] as { code?: string } | undefined)?.code });
  }

  /** Emit without letting a throwing listener break the connect (it is uncaught, as in Node). */
  #emitSafe(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (e) {
      rethrowUncaught(e);
    }
  }

  /** The Unix domain socket branch of {@link _connect}: `port`/`host` are ignored, as net.connect does. */
  #connectPath(options: ConnectOptions, connector: ConnectCallback | undefined): void {
    const path = options.path;
    if (typeof path !== 'string') throw invalidArgType('options.path', 'of type string', path);
    if (this.#is(CONNECTING)) throw Object.assign(new Error('Socket is already connecting'), { code: 'ERR_SOCKET_CONNECTING' });
    if (this.destroyed) this.#reset();
    if (options.timeout) this.setTimeout(options.timeout);
    const runtime = options.runtime ?? this.#extras?.runtime;
    this.#startConnect(async (signal) => (await resolveRuntime(runtime)).connect({ path, signal }), connector);
  }

  /**
   * Resolve `host` as net.Socket does, emitting `'lookup'` with the outcome (once per address
   * with `all`); resolves the addresses to try, in order.
   */
  #lookup(host: string, options: ConnectOptions, all: boolean): Promise<Resolved[]> {
    let resolve!: (to: Resolved[]) => void;
    let reject!: (err: Error) => void;
    const found = new Promise<Resolved[]>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Called here, not in the executor: a lookup that throws (dns.lookup's option checks) throws
    // from connect(), as with net.Socket.
    lookupHost(host, options, all, (err, addresses) => {
      // As net.Socket: destroyed while looking up, nothing more is reported.
      if (!this.#is(CONNECTING)) {
        reject(err ?? new Error('destroyed during the lookup'));
        return;
      }
      if (err) {
        this.#emitSafe('lookup', err, undefined, undefined, host);
        reject(err);
        return;
      }
      for (const a of addresses) this.#emitSafe('lookup', null, a.address, a.family, host);
      if (!this.#is(CONNECTING)) {
        reject(new Error('destroyed during the lookup'));
        return;
      }
      const order = all ? attemptOrder(addresses) : addresses.filter(isUsable);
      if (order.length > 0) {
        resolve(all ? order : order.slice(0, 1));
        return;
      }
      // As net.Socket: nothing usable fails on the first address, a bad IP before a bad family.
      const first = addresses[0];
      if (first && isIP(first.address)) reject(invalidAddressFamily(first.family, options.host, options.port));
      else reject(invalidIpAddress(first?.address));
    });
    return found;
  }

  /** Make a destroyed socket connectable again, as net.Socket does for a new connect(). */
  #reset(): void {
    (this as unknown as { _undestroy(): void })._undestroy();
    this.#flags &= ~(RESETTING | EOF | READING | WANT_READ | PEER_ENDED);
    this.#tcp = null;
    this.#writing = null;
    if (this.#extras) this.#extras.heldWriteError = null;
    // As net.Socket, whose byte counters belong to the connection (a new handle starts at 0).
    this.#bytesRead = 0;
    this.#dispatched = 0;
    if (this.#is(PAUSE_ON_CREATE)) (this as { readableFlowing: boolean | null }).readableFlowing = false;
  }

  /**
   * Connect with `start` (a rentio connect taking an abort signal); `cb` once, `(null, this)` on
   * success or `(err)` on failure.
   */
  #startConnect(start: (signal: AbortSignal) => Promise<Stream>, cb?: ConnectCallback): void {
    this.#flags |= CONNECTING;
    const ac = new AbortController();
    const x = this.#more();
    x.connectAbort = ac;
    x.connectSettled = new Promise<Stream>((resolve) => resolve(start(ac.signal)))
      .then(
        (tcp): unknown => {
          x.connectAbort = null;
          // Destroyed while connecting and the connect won the race: close what it made.
          if (this.destroyed) return tcp.close().catch(() => {});
          this.#flags &= ~CONNECTING;
          this.#attach(tcp);
          this.#timer?.refresh();
          // A throwing listener is uncaught (as in Node) but must not strand the held write or
          // leave the socket never reading, so the rest runs regardless.
          try {
            this.emit('connect');
            this.emit('ready');
            cb?.(null, this);
          } catch (e) {
            rethrowUncaught(e);
          }
          if (this.destroyed) return;
          const held = x.heldWrite;
          x.heldWrite = null;
          if (held) this.#submit(held.chunks, held.cb);
          const fin = x.heldFinal;
          x.heldFinal = null;
          if (fin) this._final(fin);
          if (this.#is(WANT_READ)) this.#startRead();
          else if (!this.#is(PAUSE_ON_CREATE) && !this.isPaused()) this.read(0);
        },
        (err: Error) => {
          x.connectAbort = null;
          if (this.destroyed) return;
          this.#flags &= ~CONNECTING;
          cb?.(err);
          // With a callback that took the error and nobody listening, do not throw it again.
          this.destroy(cb && this.listenerCount('error') === 0 ? undefined : err);
        },
      )
      .then(undefined, (e: unknown) => {
        // A 'connect' / 'ready' listener or the callback threw: as in Node, that is uncaught.
        rethrowUncaught(e);
      });
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const x = this.#extras;
    const held = x?.heldWrite;
    // As net.Socket: a write waiting for the connection fails with this code.
    if (x && held) {
      x.heldWrite = null;
      held.cb(closedBeforeConnection());
    }
    if (x) x.heldFinal = null;
    // Slabs still packing hold bytes that will never be written; views of them queued in Writable
    // are dropped with it. (Slabs under an op come back with the op's result.)
    this.#stager?.clear();
    const done = (): void => {
      cb(err);
      // After cb: Duplex emits 'error' in a tick scheduled by cb, so 'close' follows it.
      process.nextTick(() => {
        const gone = this._whenGone;
        this._whenGone = null;
        gone?.(this);
        this.emit('close', Boolean(err));
      });
    };
    if (this.#is(CONNECTING)) {
      this.#flags &= ~CONNECTING;
      x?.connectAbort?.abort();
      // Wait for the connect to settle so no fd or op outlives the stream. (None yet when a
      // custom lookup destroys the socket from inside connect().)
      const settled = x?.connectSettled;
      if (settled) void settled.then(done, done);
      else done();
      return;
    }
    const tcp = this.#tcp;
    if (!tcp) {
      done();
      return;
    }
    // close(): cancels the read and write in flight, waits for their completions, closes the fd.
    const tcpReset = inet(tcp);
    if (this.#is(RESETTING) && tcpReset) {
      // A reset drops unsent bytes anyway: no write linger.
      void tcpReset.resetAndClose().then(done, done);
      return;
    }
    const close = (): void => void tcp.close().then(done, done);
    // As node:net, whose write() hands the bytes to the kernel at once: bytes given to write()
    // before destroy() are sent (http.Server's `write(400 response); destroy()`). So a write in
    // flight may finish first — within WRITE_LINGER_MS, after which a peer that does not read
    // loses the rest, as it would with node:net once the kernel's send buffer is full.
    const writing = this.#writing;
    if (!writing) {
      close();
      return;
    }
    let closing = false;
    const closeOnce = (): void => {
      if (closing) return;
      closing = true;
      clearTimeout(linger);
      close();
    };
    const linger = setTimeout(closeOnce, WRITE_LINGER_MS).unref();
    void writing.then(closeOnce);
  }
}

/**
 * Wrap a connected rentio `TcpStream` as a `net.Socket`-like `stream.Duplex` over the same
 * runtime. The Duplex owns the stream: destroying it closes the stream.
 *
 * @example
 * ```ts
 * import { createRuntime } from '@rentio/core'
 * import { toDuplex } from '@rentio/compat'
 * import { pipeline } from 'node:stream/promises'
 * const rt = await createRuntime()
 * const sock = toDuplex(await rt.connect({ host: '127.0.0.1', port: 7 }))
 * await pipeline(process.stdin, sock, process.stdout)
 * ```
 */
export function toDuplex(tcpStream: TcpStream | UnixStream, options?: SocketOptions): RentioSocket {
  if (!isStream(tcpStream)) throw invalidArgType('tcpStream', 'a rentio TcpStream or UnixStream', tcpStream);
  return new RentioSocket(tcpStream, options ?? {});
}

stageWrites(RentioSocket);

/** How long destroy() lets a write in flight reach the kernel before closing anyway (ms). */
const WRITE_LINGER_MS = 2000;

/**
 * A rentio TcpStream or UnixStream, by shape rather than instanceof: an application may hold a
 * stream from another copy of @rentio/core than the one compat resolved.
 */
function isStream(v: unknown): v is Stream {
  const t = v as Stream | null | undefined;
  return typeof t === 'object' && t !== null && typeof t.read === 'function' && typeof t.shutdown === 'function' && typeof t.writeAll === 'function';
}

/** An address a lookup gave that a connect can use: an IP of family 4 or 6, as net.Socket checks it. */
function isUsable(a: Resolved): boolean {
  return isIP(a.address) !== 0 && (a.family === 4 || a.family === 6);
}

/**
 * As net.Socket's constructor: a byte stream has no object mode, and a `blockList` must be a
 * `net.BlockList`.
 */
function checkStreamOptions(options: SocketOptions): void {
  const o = options as SocketOptions & { objectMode?: unknown; readableObjectMode?: unknown; writableObjectMode?: unknown };
  if (o.objectMode) throw invalidArgValue('options.objectMode', o.objectMode, 'is not supported');
  if (o.readableObjectMode) throw invalidArgValue('options.readableObjectMode', o.readableObjectMode, 'is not supported');
  if (o.writableObjectMode) throw invalidArgValue('options.writableObjectMode', o.writableObjectMode, 'is not supported');
  if (o.blockList !== undefined && o.blockList !== null && !isBlockList(o.blockList))
    throw argType('options.blockList', 'an net.BlockList', o.blockList);
}

/** `net.BlockList.isBlockList` where Node has it (22.13+), else instanceof. */
function isBlockList(v: unknown): boolean {
  const is = (BlockList as unknown as { isBlockList?: (v: unknown) => boolean }).isBlockList;
  return typeof is === 'function' ? is(v) : v instanceof BlockList;
}

/** A write error meaning the peer closed or reset: its earlier bytes may still be readable. */
function isPeerGone(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'EPIPE' || code === 'ECONNRESET';
}
