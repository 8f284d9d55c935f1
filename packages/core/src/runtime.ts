/**
 * The runtime's public fs/net facade — open, readFile, writeFile, listen, connect, sleep — and
 * `createRuntime`. The op engine it runs on (driver, ops in flight, handles, close) is engine.ts.
 * @module
 */
import { Buffer } from 'node:buffer';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { constants as osConstants } from 'node:os';
import { MAX_IO, alloc, checkRentable, own, takeOwnership } from './buffer.js';
import type { DriverOptions } from './driver.js';
import { Engine } from './engine.js';
import { BufferPool, checkPoolOptions, type BufferPoolOptions } from './buffer-pool.js';
import { AbortError, InvalidArgTypeError, InvalidArgValueError, OutOfRangeError, errnoException } from './errors.js';
import { File, type OpenFlags } from './file.js';
import { parseMode, parseOpenFlags } from './flags.js';
import { Op, OpCode } from './op.js';
import { checkDriverName, openDriver, type DriverName } from './select.js';
import { IPPROTO_IPV6, IPV6_V6ONLY, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, SO_REUSEPORT } from './constants.js';
import { AF_INET, AF_INET6 } from './sockaddr.js';
import { TcpListener } from './tcp-listener.js';
import { TcpStream } from './tcp-stream.js';
import { bindUdp, type BindUdpOptions, type UdpSocket } from './udp-socket.js';
import { connectUnix, listenUnix, type UnixConnectOptions, type UnixListener, type UnixListenOptions } from './unix-listener.js';
import type { UnixStream } from './unix-stream.js';
import { checkBool, checkInt, checkOptions, checkPort, checkSignal, checkTimeout, encodePath } from './validate.js';

export type { DriverInfo, RuntimeStats } from './engine.js';

/** Options of {@link createRuntime}. */
export interface RuntimeOptions {
  /** `'auto'` (default: `RENTIO_DRIVER` or `'auto'`), `'uring'` or `'epoll'`. */
  driver?: DriverName;
  /** Passed to the driver's `open()` (ring size, liburing path, file threads, ...). */
  driverOptions?: DriverOptions;
}

/** Options of {@link Runtime.listen}. */
export interface ListenOptions {
  /** Port (0 = any free port). Default 0. */
  port?: number;
  /** Address or name to bind. Default `'::'` (all, dual-stack), or `'0.0.0.0'` without IPv6. */
  host?: string;
  /** Pending-connection queue length. Default 511, as Node. */
  backlog?: number;
  /** For IPv6 hosts: accept IPv6 only. Default false. */
  ipv6Only?: boolean;
  /**
   * Set `SO_REUSEPORT` before binding, so several listeners (threads or processes of the same
   * user) accept on one port and the kernel spreads new connections among them. Every listener
   * on the port must set it; without it a second listener fails with `EADDRINUSE`. Default false.
   */
  reusePort?: boolean;
}

/** Options of {@link Runtime.connect}. */
export interface ConnectOptions {
  /** Address or name of the peer. Default `'localhost'`. */
  host?: string;
  /** Port of the peer. */
  port: number;
  /** 4 or 6 to force a family when `host` is a name. */
  family?: 0 | 4 | 6;
  /** Set TCP_NODELAY on the new stream. Default false. */
  noDelay?: boolean;
  /** Bind the socket to this local IP address before connecting (default: the kernel picks). */
  localAddress?: string;
  /** Bind the socket to this local port before connecting (default 0: the kernel picks). */
  localPort?: number;
  /** Abort the connect (and the name lookup). */
  signal?: AbortSignal;
  /**
   * Deadline of the connect itself (not the name lookup), in milliseconds: past it, a Node-style
   * `ETIMEDOUT` error (`connect ETIMEDOUT 10.0.0.1:80`).
   */
  timeout?: number;
}

/** Options of readFile / writeFile. */
export interface FileOptions {
  /** Open flags (default 'r' for readFile, 'w' for writeFile). */
  flag?: OpenFlags;
  /** Mode of a created file (default 0o666). */
  mode?: number;
  /** Abort the whole operation. */
  signal?: AbortSignal;
}

/**
 * One driver and everything running on it. Make one with {@link createRuntime}; the
 * module-level functions (`open`, `listen`, ...) use a default runtime.
 *
 * @example
 * ```ts
 * const rt = await createRuntime({ driver: 'auto' })
 * console.log(rt.driver.name, rt.driver.model, rt.fallbackReason)
 * const data = await rt.readFile('/etc/hostname')
 * await rt.close()
 * ```
 */
export class Runtime extends Engine {
  /**
   * Open a file. `flags` as `node:fs` ('r', 'r+', 'w', 'wx', 'a', ... or a number), `mode` for a
   * created file (default 0o666).
   *
   * @example
   * ```ts
   * const f = await rt.open('/tmp/x', 'w+')
   * ```
   */
  open(path: string | Buffer | URL, flags?: OpenFlags, mode?: number | string): Promise<File> {
    return this.#startOpen(this.#openOp(path, flags, mode));
  }

  /** Check open()'s arguments and describe the op, synchronously. */
  #openOp(path: unknown, flags: unknown, mode: unknown): Op {
    this._checkOpen();
    const [text, bytes] = encodePath(path);
    const op = new Op(OpCode.OPENAT);
    op.path = bytes;
    op.flags = parseOpenFlags(flags);
    op.mode = parseMode(mode);
    op.ctx = { path: text };
    return op;
  }

  #startOpen(op: Op): Promise<File> {
    return this._start<number>(op, this._loose, null).then((fd) => new File(this, fd, op.ctx!.path!));
  }

  /**
   * Read a whole file into a new rentable buffer.
   *
   * @example
   * ```ts
   * const bytes = await rt.readFile('/etc/hostname')
   * ```
   */
  readFile(path: string | Buffer | URL, options?: FileOptions): Promise<Uint8Array> {
    const opts = checkOptions<FileOptions>(options);
    const signal = checkSignal(opts.signal);
    return this.open(path, opts.flag ?? 'r').then((f) => withClose(f, () => readAll(f, signal)));
  }

  /**
   * Write a whole file. `data` is rented (a string is copied into a rentable buffer first);
   * resolves with the buffer handed back.
   *
   * @example
   * ```ts
   * await rt.writeFile('/tmp/x', own('hello'))
   * ```
   */
  writeFile(path: string | Buffer | URL, data: Uint8Array | string, options?: FileOptions): Promise<Uint8Array> {
    const opts = checkOptions<FileOptions>(options);
    const signal = checkSignal(opts.signal);
    if (typeof data !== 'string') checkRentable(data, 'data');
    // Every check (path, flags, mode, closed runtime) runs before the caller's buffer is taken:
    // a refused call must take nothing.
    const openOp = this.#openOp(path, opts.flag ?? 'w', opts.mode);
    const owned = typeof data === 'string' ? own(data) : takeOwnership(data);
    return this.#startOpen(openOp).then(
      (f) => withClose(f, () => f.writeAll(owned, { signal: signal ?? undefined })),
      (err: Error) => Promise.reject(Object.assign(err, { buf: owned })),
    );
  }

  /**
   * Listen for TCP connections (IPv4 and IPv6) with `{ port, host }`, or for Unix domain stream
   * connections with `{ path }` (a filesystem path, or an abstract name with a leading `'\0'`).
   * `path` together with `port`/`host` is `ERR_RENTIO_INVALID_ARG_VALUE`.
   *
   * @example
   * ```ts
   * const l = await rt.listen({ port: 0, host: '127.0.0.1' })
   * for await (const s of l) handle(s)
   * const u = await rt.listen({ path: '/tmp/app.sock', readableAll: true, writableAll: true })
   * ```
   */
  listen(options: UnixListenOptions): Promise<UnixListener>;
  listen(options?: ListenOptions): Promise<TcpListener>;
  async listen(options?: ListenOptions | UnixListenOptions): Promise<TcpListener | UnixListener> {
    this._checkOpen();
    if (isUnix(options)) return listenUnix(this, options);
    const opts = checkOptions<ListenOptions>(options);
    const port = checkPort(opts.port ?? 0, true);
    const backlog = checkInt('backlog', opts.backlog ?? 511, 0, 65535);
    const ipv6Only = checkBool('ipv6Only', opts.ipv6Only ?? false);
    const reusePort = checkBool('reusePort', opts.reusePort ?? false);
    if (opts.host !== undefined && typeof opts.host !== 'string') throw new InvalidArgTypeError('host', 'a string', opts.host);
    if (opts.host === undefined) {
      try {
        return await this.#listenOn('::', port, backlog, ipv6Only, reusePort);
      } catch (err) {
        if ((err as { code?: string }).code !== 'EAFNOSUPPORT') throw err;
        return this.#listenOn('0.0.0.0', port, backlog, false, reusePort);
      }
    }
    const address = isIP(opts.host) ? opts.host : (await lookup(opts.host)).address;
    return this.#listenOn(address, port, backlog, ipv6Only, reusePort);
  }

  async #listenOn(address: string, port: number, backlog: number, ipv6Only: boolean, reusePort: boolean): Promise<TcpListener> {
    const family = isIP(address) === 6 ? AF_INET6 : AF_INET;
    const fd = await this.#socket(family, { address, port });
    const l = new TcpListener(this, fd);
    try {
      this._setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
      // SO_REUSEPORT only counts when set before bind(): the kernel joins the socket to the
      // port's reuseport group at bind time.
      if (reusePort) this._setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
      if (family === AF_INET6) this._setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, ipv6Only ? 1 : 0);
      await l._bindListen(address, port, backlog);
      return l;
    } catch (err) {
      await l.close().catch(() => {});
      throw err;
    }
  }

  /**
   * Connect a TCP stream (`{ host, port }`) or a Unix domain stream (`{ path }`).
   *
   * @example
   * ```ts
   * const s = await rt.connect({ host: '127.0.0.1', port: 8080 })
   * await s.writeAll(own('ping'))
   * const u = await rt.connect({ path: '/tmp/app.sock' })
   * ```
   */
  connect(options: UnixConnectOptions): Promise<UnixStream>;
  connect(options: ConnectOptions): Promise<TcpStream>;
  async connect(options: ConnectOptions | UnixConnectOptions): Promise<TcpStream | UnixStream> {
    this._checkOpen();
    if (isUnix(options)) return connectUnix(this, options);
    const opts = checkOptions<ConnectOptions>(options);
    // Port 0 is the kernel's to refuse (ECONNREFUSED), as node:net lets it through.
    const port = checkPort(opts.port, true);
    const signal = checkSignal(opts.signal);
    const timeoutNs = checkTimeout(opts.timeout);
    const local = checkLocal(opts.localAddress, opts.localPort);
    const host = opts.host ?? 'localhost';
    if (typeof host !== 'string') throw new InvalidArgTypeError('host', 'a string', host);
    if (opts.family !== undefined && opts.family !== 0 && opts.family !== 4 && opts.family !== 6)
      throw new InvalidArgTypeError('family', '0, 4 or 6', opts.family);
    if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
    const address = isIP(host) ? host : (await lookup(host, { family: opts.family ?? 0 })).address;
    if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
    const fd = await this.#socket(isIP(address) === 6 ? AF_INET6 : AF_INET, { address, port });
    const s = new TcpStream(this, fd);
    try {
      // Bind first (as node:net does for localAddress / localPort): the any-address of the
      // peer's family when only a port is given.
      if (local) await s._bind(localFor(local, address), local.port, signal);
      await s._connect(address, port, signal, timeoutNs);
      if (opts.noDelay) s.setNoDelay(true);
      return s;
    } catch (err) {
      await s.close().catch(() => {});
      throw err;
    }
  }

  /**
   * Open a UDP socket bound to `{ address, port }` (default: any address of the family, any free
   * port).
   *
   * @example
   * ```ts
   * const sock = await rt.bindUdp({ type: 'udp4', address: '127.0.0.1', port: 0 })
   * const [n, buf, from] = await sock.recv(alloc(1500))
   * ```
   */
  bindUdp(options: BindUdpOptions): Promise<UdpSocket> {
    this._checkOpen();
    return bindUdp(this, options);
  }

  /**
   * Resolve after `ms` milliseconds, timed by the kernel (an io_uring TIMEOUT, or a timerfd).
   *
   * @example
   * ```ts
   * await rt.sleep(10, { signal: AbortSignal.timeout(5) }).catch((e) => e.name === 'AbortError')
   * ```
   */
  sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void> {
    this._checkOpen();
    if (typeof ms !== 'number' || Number.isNaN(ms)) throw new InvalidArgTypeError('ms', 'a number', ms);
    if (ms < 0 || ms > 2 ** 31 * 1000) throw new OutOfRangeError('ms', `>= 0 and <= ${2 ** 31 * 1000}`, ms);
    const signal = checkSignal(checkOptions<{ signal: AbortSignal }>(options).signal);
    const op = new Op(OpCode.TIMEOUT);
    op.ns = Math.round(ms * 1e6);
    return this._start<number>(op, this._loose, signal).then(() => undefined);
  }

  /**
   * Make a buffer pool: `count` equal buffers of `size` bytes that stream reads draw from only
   * when data arrives (`sock.read(pool)` → `[n, lease]`), so idle connections hold no buffer.
   * Under uring it is a provided-buffer ring the kernel picks from.
   *
   * @example
   * ```ts
   * const pool = await rt.bufferPool({ size: 16384, count: 1024 })
   * const [n, lease] = await sock.read(pool)
   * lease?.release()
   * ```
   */
  bufferPool(options?: BufferPoolOptions): Promise<BufferPool> {
    this._checkOpen();
    const [size, count] = checkPoolOptions(options);
    // Buffer group ids are 16 bits (sqe.buf_group); reuse is never needed in practice.
    if (this.#nextGroup > 0xffff) throw new OutOfRangeError('buffer pools made by this runtime', '<= 65536', this.#nextGroup);
    return new BufferPool(this, this.#nextGroup++, size, count)._register();
  }

  #nextGroup = 0;

  async #socket(domain: number, ctx: { address: string; port: number }): Promise<number> {
    const op = new Op(OpCode.SOCKET);
    op.domain = domain;
    op.sockType = SOCK_STREAM;
    op.ctx = ctx;
    return this._start<number>(op, this._loose, null);
  }
}

/**
 * Make a runtime on the driver asked for (`options.driver`, else `RENTIO_DRIVER`, else `'auto'`).
 * Throws `ERR_RENTIO_INVALID_DRIVER` for a name that is not a driver and
 * `ERR_RENTIO_DRIVER_UNAVAILABLE` (with the reason) for a named driver that cannot work here.
 *
 * @example
 * ```ts
 * const rt = await createRuntime({ driver: 'epoll' })
 * ```
 */
export async function createRuntime(options?: RuntimeOptions): Promise<Runtime> {
  const opts = checkOptions<RuntimeOptions>(options);
  const name = checkDriverName(opts.driver ?? (process.env.RENTIO_DRIVER || 'auto'));
  const { driver, fallbackReason } = await openDriver(name, checkOptions<DriverOptions>(opts.driverOptions, 'driverOptions'));
  return new Runtime(driver, fallbackReason);
}

/** The checked `localAddress` / `localPort` of a connect, or null when neither is given. */
function checkLocal(address: unknown, port: unknown): { address: string | undefined; port: number } | null {
  if (address === undefined && port === undefined) return null;
  if (address !== undefined && (typeof address !== 'string' || !isIP(address)))
    throw new InvalidArgValueError('localAddress', 'must be an IP address', address);
  return { address, port: port === undefined ? 0 : checkPort(port, true) };
}

/**
 * The address to bind before connecting to `peer`: the one asked for, or the any-address of the
 * peer's family when only a port is. A local address of the other family is EINVAL, as libuv's
 * uv_ip4_addr / uv_ip6_addr answer it (the kernel would say EAFNOSUPPORT).
 */
function localFor(local: { address: string | undefined; port: number }, peer: string): string {
  const v6 = isIP(peer) === 6;
  if (local.address === undefined) return v6 ? '::' : '0.0.0.0';
  if ((isIP(local.address) === 6) !== v6) throw errnoException(-osConstants.errno.EINVAL, 'bind', { address: local.address, port: local.port });
  return local.address;
}

/**
 * True for a Unix socket's options (`path` given). `path` with `port` or `host` is refused: the
 * caller meant one of two different sockets.
 */
function isUnix(options: unknown): options is UnixListenOptions & Record<string, unknown> {
  if (options === null || typeof options !== 'object' || !('path' in options) || (options as { path?: unknown }).path === undefined) return false;
  const o = options as Record<string, unknown>;
  if (o.port !== undefined || o.host !== undefined) throw new InvalidArgValueError('options', 'must not give both path and port/host', options);
  return true;
}

async function withClose<T>(f: File, body: () => Promise<T>): Promise<T> {
  try {
    const v = await body();
    await f.close();
    return v;
  } catch (err) {
    await f.close().catch(() => {});
    throw err;
  }
}

async function readAll(f: File, signal: AbortSignal | null): Promise<Uint8Array> {
  const size = (await f.stat()).size;
  const sig = signal ?? undefined;
  // One buffer holds the file, and one read moves at most MAX_IO bytes: a bigger file is refused
  // up front (node:fs refuses past 2 GiB too, ERR_FS_FILE_TOO_LARGE).
  if (size > MAX_IO) throw new OutOfRangeError('file size', `<= ${MAX_IO} bytes to be read whole (${f.path})`, size);
  // A regular file is read to its size, as node:fs does; /proc files and pipes report size 0
  // and are read in growing chunks until EOF.
  let buf = alloc(size > 0 ? size : 65536);
  let have = 0;
  for (;;) {
    if (have === buf.byteLength) {
      if (size > 0) return buf;
      const bigger = alloc(buf.byteLength * 2);
      bigger.set(buf);
      buf = bigger;
    }
    const [n, b] = await f.read(buf, { offset: have, length: buf.byteLength - have, position: have, signal: sig });
    buf = b;
    if (n === 0) break;
    have += n;
  }
  if (have === buf.byteLength) return buf;
  const exact = alloc(have);
  exact.set(buf.subarray(0, have));
  return exact;
}
