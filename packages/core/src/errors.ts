/**
 * Every error rentio raises, in one place.
 *
 * Two families:
 * - misuse (wrong types, a closed handle, a rent rule broken): `RentioError` subclasses with an
 *   `ERR_RENTIO_*` code, thrown synchronously where the mistake is knowable synchronously;
 * - failed syscalls: Node-style system errors (`code`, negative `errno`, `syscall`, and
 *   `path`/`address`/`port` where they apply), the shape `node:fs` and `node:net` users handle.
 *
 * Every error raised for an operation that owned a buffer carries it back as `err.buf`.
 * @module
 */
import { getSystemErrorMap } from 'node:util';

/**
 * `instanceof` is brand-based, as undici does it: each class puts its own registered symbol on
 * its prototype and checks for that symbol in its own `Symbol.hasInstance`. An instance carries
 * the brands of its class and every ancestor (through the prototype chain), so `instanceof` is
 * true exactly for its class and its real ancestors — and also for an error made by another copy
 * of this module (two installs of @rentio/core), since `Symbol.for` is process-wide.
 * INVARIANT: every exported error class is passed to `branded` once, below its declaration.
 */
function branded(cls: abstract new (...args: never[]) => object, name: string): void {
  const k = Symbol.for(`rentio.error.${name}`);
  Object.defineProperty(cls.prototype, k, { value: true });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value: (value: unknown) => typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[k] === true,
  });
}

/** Fields every rentio misuse error has. */
export interface RentioErrorFields {
  /** Stable machine-readable code, always `ERR_RENTIO_*`. */
  readonly code: string;
  /** The owned buffer handed back, when the failed call had taken one. */
  buf?: Uint8Array;
}

function brand<T extends Error>(err: T, code: string): T & RentioErrorFields {
  Object.defineProperty(err, 'code', { value: code, enumerable: true });
  return err as T & RentioErrorFields;
}

/**
 * Base class of rentio's misuse errors. `instanceof RentioError` is true for every rentio
 * misuse error — including the `TypeError` / `RangeError` ones below — and works across copies
 * of the package because the check is branded, not prototype-based.
 *
 * @example
 * ```ts
 * try { f.read(Buffer.from('pooled')) } catch (e) { if (e instanceof RentioError) console.log(e.code) }
 * ```
 */
export class RentioError extends Error implements RentioErrorFields {
  declare readonly code: string;
  buf?: Uint8Array;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    brand(this, code);
  }
}
branded(RentioError, 'RentioError');

/** A `TypeError` with an `ERR_RENTIO_*` code: wrong types and buffers that cannot be rented. */
export class RentioTypeError extends TypeError implements RentioErrorFields {
  declare readonly code: string;
  buf?: Uint8Array;
  constructor(code: string, message: string) {
    super(message);
    brand(this, code);
  }
}
// A rentio misuse error of any kind is `instanceof RentioError`.
Object.defineProperty(RentioTypeError.prototype, Symbol.for('rentio.error.RentioError'), { value: true });
branded(RentioTypeError, 'RentioTypeError');

/** A `RangeError` with an `ERR_RENTIO_*` code: numbers out of range, windows past a buffer's end. */
export class RentioRangeError extends RangeError implements RentioErrorFields {
  declare readonly code: string;
  buf?: Uint8Array;
  constructor(code: string, message: string) {
    super(message);
    brand(this, code);
  }
}
// A rentio misuse error of any kind is `instanceof RentioError`.
Object.defineProperty(RentioRangeError.prototype, Symbol.for('rentio.error.RentioError'), { value: true });
branded(RentioRangeError, 'RentioRangeError');

/** A value of the wrong type (`ERR_RENTIO_INVALID_ARG_TYPE`). */
export class InvalidArgTypeError extends RentioTypeError {
  constructor(name: string, expected: string, actual: unknown) {
    super('ERR_RENTIO_INVALID_ARG_TYPE', `The "${name}" argument must be ${expected}. Received ${describe(actual)}`);
  }
}
branded(InvalidArgTypeError, 'InvalidArgTypeError');

/** A value of the right type but not acceptable (`ERR_RENTIO_INVALID_ARG_VALUE`), e.g. a path with a NUL byte. */
export class InvalidArgValueError extends RentioTypeError {
  constructor(name: string, reason: string, actual: unknown) {
    super('ERR_RENTIO_INVALID_ARG_VALUE', `The "${name}" argument ${reason}. Received ${describe(actual)}`);
  }
}
branded(InvalidArgValueError, 'InvalidArgValueError');

/** A number outside its range (`ERR_RENTIO_OUT_OF_RANGE`), including a window past the buffer's end. */
export class OutOfRangeError extends RentioRangeError {
  constructor(name: string, range: string, actual: unknown) {
    super('ERR_RENTIO_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${describe(actual)}`);
  }
}
branded(OutOfRangeError, 'OutOfRangeError');

/**
 * A buffer that cannot be rented (its ownership cannot be taken without breaking memory the
 * caller does not own). `code` says why:
 * - `ERR_RENTIO_BUFFER_POOLED`: a Node `Buffer` that is a slice of Node's shared pool;
 * - `ERR_RENTIO_BUFFER_VIEW`: a view (`subarray`) over part of a larger `ArrayBuffer`;
 * - `ERR_RENTIO_BUFFER_SHARED`: backed by a `SharedArrayBuffer`;
 * - `ERR_RENTIO_BUFFER_DETACHED`: already detached — usually lent to another op still in flight.
 */
export class BufferNotRentableError extends RentioTypeError {
  constructor(
    code: 'ERR_RENTIO_BUFFER_POOLED' | 'ERR_RENTIO_BUFFER_VIEW' | 'ERR_RENTIO_BUFFER_SHARED' | 'ERR_RENTIO_BUFFER_DETACHED',
    message: string,
  ) {
    super(code, message);
  }
}
branded(BufferNotRentableError, 'BufferNotRentableError');

/** The handle (file, stream, listener) is closed (`ERR_RENTIO_HANDLE_CLOSED`), or was closed while the op was pending. */
export class HandleClosedError extends RentioError {
  constructor(what: string, pending = false) {
    super('ERR_RENTIO_HANDLE_CLOSED', pending ? `${what} was closed while the operation was pending` : `${what} is closed`);
  }
}
branded(HandleClosedError, 'HandleClosedError');

/** The runtime is closed (`ERR_RENTIO_RUNTIME_CLOSED`), or was closed while the op was pending. */
export class RuntimeClosedError extends RentioError {
  constructor(pending = false) {
    super('ERR_RENTIO_RUNTIME_CLOSED', pending ? 'the runtime was closed while the operation was pending' : 'the runtime is closed');
  }
}
branded(RuntimeClosedError, 'RuntimeClosedError');

/** The driver named is not a driver (`ERR_RENTIO_INVALID_DRIVER`). */
export class InvalidDriverError extends RentioError {
  constructor(name: unknown) {
    super('ERR_RENTIO_INVALID_DRIVER', `RENTIO_DRIVER / driver must be 'auto', 'uring' or 'epoll'. Received ${describe(name)}`);
  }
}
branded(InvalidDriverError, 'InvalidDriverError');

/**
 * The driver asked for cannot work here (`ERR_RENTIO_DRIVER_UNAVAILABLE`); `reason` is the
 * one-line cause ("io_uring_setup: EPERM (kernel.io_uring_disabled=2)", "liburing.so.2 not found").
 * Drivers throw it from `open()` for "cannot work here" conditions only; `auto` falls back on it.
 */
export class DriverUnavailableError extends RentioError {
  readonly driver: string;
  readonly reason: string;
  constructor(driver: string, reason: string, options?: { cause?: unknown }) {
    super('ERR_RENTIO_DRIVER_UNAVAILABLE', `driver '${driver}' is unavailable: ${reason}`, options);
    this.driver = driver;
    this.reason = reason;
  }
}
branded(DriverUnavailableError, 'DriverUnavailableError');

/** An operation this driver's kernel model cannot do (`ERR_RENTIO_UNSUPPORTED`); the message says why. */
export class UnsupportedError extends RentioError {
  constructor(message: string) {
    super('ERR_RENTIO_UNSUPPORTED', message);
  }
}
branded(UnsupportedError, 'UnsupportedError');

/**
 * A datagram socket is connected, and the call named a destination (`ERR_RENTIO_DGRAM_IS_CONNECTED`,
 * as node:dgram's ERR_SOCKET_DGRAM_IS_CONNECTED), or `connect()` was called twice.
 */
export class DgramIsConnectedError extends RentioError {
  constructor() {
    super('ERR_RENTIO_DGRAM_IS_CONNECTED', 'Already connected');
  }
}
branded(DgramIsConnectedError, 'DgramIsConnectedError');

/** A datagram socket is not connected (`ERR_RENTIO_DGRAM_NOT_CONNECTED`, as node:dgram's ERR_SOCKET_DGRAM_NOT_CONNECTED). */
export class DgramNotConnectedError extends RentioError {
  constructor() {
    super('ERR_RENTIO_DGRAM_NOT_CONNECTED', 'Not connected');
  }
}
branded(DgramNotConnectedError, 'DgramNotConnectedError');

/** The uring driver refuses to submit after the process changed uid/gid (`ERR_RENTIO_CREDENTIALS_CHANGED`). */
export class CredentialsChangedError extends RentioError {
  constructor(message: string) {
    super('ERR_RENTIO_CREDENTIALS_CHANGED', message);
  }
}
branded(CredentialsChangedError, 'CredentialsChangedError');

/**
 * A buffer lease was used after `release()` (`ERR_RENTIO_LEASE_RELEASED`): its bytes went back to
 * the pool and may already hold another read's data.
 */
export class LeaseReleasedError extends RentioError {
  constructor() {
    super('ERR_RENTIO_LEASE_RELEASED', 'the buffer lease was released: its bytes belong to the pool again');
  }
}
branded(LeaseReleasedError, 'LeaseReleasedError');

/** A buffer lease was released a second time (`ERR_RENTIO_LEASE_RELEASED_TWICE`). */
export class LeaseReleasedTwiceError extends RentioError {
  constructor() {
    super('ERR_RENTIO_LEASE_RELEASED_TWICE', 'the buffer lease was already released');
  }
}
branded(LeaseReleasedTwiceError, 'LeaseReleasedTwiceError');

/**
 * The buffer pool is closed (`ERR_RENTIO_POOL_CLOSED`): a read through it, or a lease kept past
 * the pool's close and used (or released) after it.
 */
export class PoolClosedError extends RentioError {
  constructor(what = 'the buffer pool is closed') {
    super('ERR_RENTIO_POOL_CLOSED', what);
  }
}
branded(PoolClosedError, 'PoolClosedError');

/**
 * Raised for an op cancelled through its `AbortSignal`: `name 'AbortError'`, `code 'ABORT_ERR'`,
 * the signal's reason as `cause`, and the owned buffer as `buf` — the same shape as Node's own.
 */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';
  buf?: Uint8Array;
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}
branded(AbortError, 'AbortError');

/** A Node-style system error, as `node:fs` / `node:net` raise them. */
export interface SystemError extends Error {
  code: string;
  errno: number;
  syscall: string;
  path?: string;
  address?: string;
  port?: number;
  buf?: Uint8Array;
}

/** Context that makes a system error say where it happened. */
export interface ErrnoContext {
  path?: string;
  address?: string;
  port?: number;
  /** The syscall to name instead of the op's (node:net names a failed bind of `listen()` 'listen'). */
  syscall?: string;
  /**
   * node:net's listen shape, with the errno's description:
   * `listen EADDRINUSE: address already in use /tmp/app.sock` (Node's uvExceptionWithHostPort).
   */
  described?: boolean;
}

let errorMap: Map<number, [string, string]> | undefined;

/** `EAGAIN` etc. for a negative (or positive) errno number; `Unknown system error -n` otherwise. */
export function errnoName(errno: number): string {
  errorMap ??= getSystemErrorMap();
  return errorMap.get(-Math.abs(errno))?.[0] ?? `Unknown system error ${-Math.abs(errno)}`;
}

/** Which of Node's two system-error message shapes an error takes. */
export type ErrnoShape = 'fs' | 'net';

/**
 * The one errno → Node-style error path. `errno` may be given positive (as libc's `errno`) or
 * negative (as a CQE's `res`); the error carries it negative, as Node does.
 *
 * Messages take Node's two shapes: `'fs'` as node:fs (uvException: `ENOENT: no such file or
 * directory, open '/x'`) and `'net'` as node:net (errnoException / exceptionWithHostPort in
 * Node's lib/internal/errors.js: `read ECONNRESET`, `connect ECONNREFUSED 127.0.0.1:80`).
 * Default: `'net'` when the context has an address, else `'fs'`.
 */
export function errnoException(errno: number, syscall: string, ctx?: ErrnoContext, shape?: ErrnoShape): SystemError {
  errorMap ??= getSystemErrorMap();
  const n = -Math.abs(errno);
  const [code, desc] = errorMap.get(n) ?? [`Unknown system error ${n}`, 'unknown error'];
  syscall = ctx?.syscall ?? syscall;
  let message: string;
  if ((shape ?? (ctx?.address !== undefined ? 'net' : 'fs')) === 'net') {
    // node:net's listen errors also carry the description (uvExceptionWithHostPort):
    // `listen EADDRINUSE: address already in use /tmp/app.sock`.
    message = ctx?.described ? `${syscall} ${code}: ${desc}` : `${syscall} ${code}`;
    // Like Node, a port is printed only when > 0 (a pipe's listen error carries port -1).
    if (ctx?.address !== undefined) message += ` ${ctx.address}${ctx.port !== undefined && ctx.port > 0 ? `:${ctx.port}` : ''}`;
  } else {
    message = `${code}: ${desc}, ${syscall}${ctx?.path !== undefined ? ` '${ctx.path}'` : ''}`;
  }
  const err = new Error(message) as SystemError;
  err.errno = n;
  err.code = code;
  err.syscall = syscall;
  if (ctx?.path !== undefined) err.path = ctx.path;
  if (ctx?.address !== undefined) err.address = ctx.address;
  // As Node's exceptionWithHostPort: no `port` for port 0 (a connect to port 0).
  if (ctx?.port !== undefined && ctx.port !== 0) err.port = ctx.port;
  return err;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return `function ${v.name || '<anonymous>'}`;
  if (typeof v === 'object') {
    const ctor = v.constructor?.name;
    return ctor ? `an instance of ${ctor}` : 'an object';
  }
  if (typeof v === 'string') return `type string (${JSON.stringify(v.length > 28 ? v.slice(0, 25) + '...' : v)})`;
  if (typeof v === 'bigint') return `type bigint (${v}n)`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'symbol') return `type ${typeof v} (${String(v)})`;
  return `type ${typeof v}`;
}
