/**
 * A listening Unix domain stream socket, and how one is made (socket, bind, optional chmod,
 * listen) and connected to.
 * @module
 */
import { SOCK_STREAM } from './constants.js';
import { AbortError, InvalidArgTypeError, InvalidArgValueError, errnoException, type ErrnoContext } from './errors.js';
import { Listener } from './listener.js';
import { Op, OpCode } from './op.js';
import type { Runtime } from './runtime.js';
import { AF_UNIX, SUN_PATH_SIZE, encodeSockaddrUn, isAbstract, sunPathBytes } from './sockaddr-un.js';
import { UnixStream } from './unix-stream.js';
import { checkBool, checkInt, checkSignal, checkTimeout, encodePath } from './validate.js';

/** Options of `listen({ path })`. */
export interface UnixListenOptions {
  /**
   * Filesystem path, or a Linux abstract name with a leading `'\0'`. At most 107 bytes for a path
   * (sun_path holds 108 with the NUL) and 107 name bytes after an abstract name's `'\0'`.
   * An existing file at the path is an `EADDRINUSE` error: it is never unlinked for you.
   */
  path: string;
  /** Pending-connection queue length. Default 511, as Node. */
  backlog?: number;
  /** Make the socket file readable by all users (chmod a+r after bind, as libuv's `uv_pipe_chmod`). */
  readableAll?: boolean;
  /** Make the socket file writable by all users (chmod a+w) — needed for others to connect. */
  writableAll?: boolean;
}

/** Options of `connect({ path })`. */
export interface UnixConnectOptions {
  /** The listener's path, or abstract name with a leading `'\0'`. */
  path: string;
  /** Abort the connect. */
  signal?: AbortSignal;
  /** Deadline of the connect, in milliseconds: past it, a Node-style `ETIMEDOUT` error. */
  timeout?: number;
}

// S_IRUSR|S_IRGRP|S_IROTH and S_IWUSR|S_IWGRP|S_IWOTH, as uv_pipe_chmod sets them.
const READABLE_ALL = 0o444;
const WRITABLE_ALL = 0o222;

/**
 * A Unix domain listener (from `listen({ path })`). Iterate it to accept `UnixStream`s until it
 * is closed. Closing it removes the socket file it created (as `net.Server#close()` does for a
 * path); an abstract name simply disappears with the socket.
 *
 * @example
 * ```ts
 * const l = await listen({ path: '/tmp/app.sock' })
 * console.log(l.address())            // '/tmp/app.sock'
 * for await (const s of l) serve(s)   // ends when l.close() is called
 * ```
 */
export class UnixListener extends Listener<UnixStream> {
  readonly #path: string;
  /** Bytes of the path to unlink on close (a filesystem path this listener bound). */
  #unlinkPath: Uint8Array | null = null;
  #closed: Promise<void> | null = null;

  /** @internal made by listen({ path }) */
  constructor(rt: Runtime, fd: number, path: string) {
    super(rt, fd);
    this.#path = path;
  }

  /** The path (or `'\0'`-prefixed abstract name) the listener is bound to, as `net.Server#address()` gives it for a pipe. */
  address(): string {
    return this.#path;
  }

  /** Close the listener, then remove the socket file it bound (never a file it did not create). */
  override close(): Promise<void> {
    this.#closed ??= this.#afterClose(super.close());
    return this.#closed;
  }

  /** @internal */
  override _closeForRuntime(): Promise<void> {
    this.#closed ??= this.#afterClose(super._closeForRuntime());
    return this.#closed;
  }

  async #afterClose(closing: Promise<void>): Promise<void> {
    try {
      await closing;
    } finally {
      const path = this.#unlinkPath;
      this.#unlinkPath = null;
      if (path) {
        const op = new Op(OpCode.UNLINK);
        op.path = path;
        // Internal: also runs while the runtime closes. ENOENT (someone removed it) is fine.
        await this._rt._start<number>(op, this._rt._loose, null, true).catch(() => {});
      }
    }
  }

  /** @internal */
  protected _accepted(fd: number): UnixStream {
    // The peer of an accepted stream is usually unnamed; UnixStream#remotePath asks the kernel.
    return new UnixStream(this._rt, fd);
  }

  /** bind, chmod, listen. Errors are named as node:net names them ('listen', then the path). @internal */
  async _bindListen(addr: Uint8Array, addrLen: number, backlog: number, mode: number): Promise<void> {
    const ctx: ErrnoContext = { address: this.#path, port: -1, syscall: 'listen', described: true };
    const bind = new Op(OpCode.BIND);
    bind.addr = addr;
    bind.addrLen = addrLen;
    bind.ctx = ctx;
    await this._start<number>(bind, null);
    if (!isAbstract(this.#path)) this.#unlinkPath = encodePath(this.#path)[1];
    if (mode !== 0) await this.#chmod(mode);
    const listen = new Op(OpCode.LISTEN);
    listen.backlog = backlog;
    listen.ctx = ctx;
    await this._start<number>(listen, null);
  }

  /**
   * Set the socket file's mode to exactly `bits`, as libuv's uv_pipe_chmod does since libuv 1.46
   * (Node 22 and 24): readableAll alone gives 0o444, both give 0o666. Node 20's older libuv added
   * the bits to the current mode instead (0o777 for both); rentio follows the supported versions.
   */
  async #chmod(bits: number): Promise<void> {
    const chmod = new Op(OpCode.CHMOD);
    chmod.path = this.#unlinkPath!;
    chmod.mode = bits;
    chmod.ctx = { syscall: 'uv_pipe_chmod', path: this.#path };
    await this._rt._start<number>(chmod, this, null);
  }
}

/** Check a Unix socket path: a string, non-empty, no NUL in a filesystem path. */
export function checkUnixPath(path: unknown): string {
  if (typeof path !== 'string') throw new InvalidArgTypeError('path', 'a string', path);
  if (path.length === 0) throw new InvalidArgValueError('path', 'must not be empty', path);
  if (!isAbstract(path) && path.includes('\u0000'))
    throw new InvalidArgValueError('path', "must not contain NUL bytes (only an abstract name starts with '\\0')", path);
  if (isAbstract(path) && path.length === 1) throw new InvalidArgValueError('path', "must name an abstract socket after its leading '\\0'", path);
  return path;
}

/**
 * A path too long for sun_path, refused before any syscall. libuv (Node 20) silently truncates
 * it and binds or connects to a different name; rentio refuses, with the errno a C program gets
 * for a name too long (ENAMETOOLONG), in node:net's message shape.
 */
function tooLong(path: string, syscall: string): Error {
  const err = errnoException(-36 /* ENAMETOOLONG */, syscall, {
    address: path,
    syscall,
    described: syscall === 'listen',
    port: syscall === 'listen' ? -1 : undefined,
  });
  return Object.assign(err, {
    message: `${err.message} (${sunPathBytes(path)} bytes; sun_path holds ${SUN_PATH_SIZE}${isAbstract(path) ? '' : ' including the NUL'})`,
  });
}

/** listen({ path, ... }). @internal */
export async function listenUnix(rt: Runtime, opts: Partial<UnixListenOptions> & Record<string, unknown>): Promise<UnixListener> {
  const path = checkUnixPath(opts.path);
  const backlog = checkInt('backlog', opts.backlog ?? 511, 0, 65535);
  const readableAll = checkBool('readableAll', opts.readableAll ?? false);
  const writableAll = checkBool('writableAll', opts.writableAll ?? false);
  if ((readableAll || writableAll) && isAbstract(path)) {
    throw new InvalidArgValueError('options', 'can not set readableAll or writableAll to true when path is an abstract unix socket', opts);
  }
  if (sunPathBytes(path) > SUN_PATH_SIZE) throw tooLong(path, 'listen');
  const [addr, addrLen] = encodeSockaddrUn(path);
  const fd = await unixSocket(rt, { address: path });
  const l = new UnixListener(rt, fd, path);
  try {
    await l._bindListen(addr, addrLen, backlog, (readableAll ? READABLE_ALL : 0) | (writableAll ? WRITABLE_ALL : 0));
    return l;
  } catch (err) {
    await l.close().catch(() => {});
    throw err;
  }
}

/** connect({ path, signal }). @internal */
export async function connectUnix(rt: Runtime, opts: Partial<UnixConnectOptions> & Record<string, unknown>): Promise<UnixStream> {
  const path = checkUnixPath(opts.path);
  const signal = checkSignal(opts.signal);
  const timeoutNs = checkTimeout(opts.timeout);
  if (sunPathBytes(path) > SUN_PATH_SIZE) throw tooLong(path, 'connect');
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
  const [addr, addrLen] = encodeSockaddrUn(path);
  const fd = await unixSocket(rt, { address: path });
  const s = new UnixStream(rt, fd);
  try {
    await s._connectTo(addr, addrLen, { address: path }, signal, timeoutNs);
    return s;
  } catch (err) {
    await s.close().catch(() => {});
    throw err;
  }
}

function unixSocket(rt: Runtime, ctx: ErrnoContext): Promise<number> {
  const op = new Op(OpCode.SOCKET);
  op.domain = AF_UNIX;
  op.sockType = SOCK_STREAM;
  op.ctx = ctx;
  return rt._start<number>(op, rt._loose, null);
}
