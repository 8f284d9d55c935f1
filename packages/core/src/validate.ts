/**
 * Argument checks shared by every public op. Each throws synchronously with an `ERR_RENTIO_*`
 * code, before anything is taken from the caller or reaches the kernel.
 * @module
 */
import { bytesOf } from './buffer.js';
import { InvalidArgTypeError, InvalidArgValueError, OutOfRangeError } from './errors.js';

/** An options bag: undefined, null or a plain object. */
export function checkOptions<T extends object>(opts: unknown, name = 'options'): Partial<T> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object') throw new InvalidArgTypeError(name, 'an object', opts);
  return opts;
}

/** An optional AbortSignal. */
export function checkSignal(signal: unknown): AbortSignal | null {
  if (signal === undefined || signal === null) return null;
  if (!(signal instanceof AbortSignal)) throw new InvalidArgTypeError('signal', 'an AbortSignal', signal);
  return signal;
}

/** A file position: number or bigint >= 0, or null/undefined/-1 for "the current position". */
export function checkPosition(pos: unknown): number {
  if (pos === undefined || pos === null || pos === -1 || pos === -1n) return -1;
  return checkOffset('position', pos);
}

/** A file offset or length: number or bigint in [0, Number.MAX_SAFE_INTEGER]. */
export function checkOffset(name: string, v: unknown): number {
  if (typeof v === 'bigint') {
    if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new OutOfRangeError(name, `>= 0 and <= ${Number.MAX_SAFE_INTEGER}`, v);
    return Number(v);
  }
  if (typeof v !== 'number') throw new InvalidArgTypeError(name, 'a number or a bigint', v);
  if (!Number.isSafeInteger(v) || v < 0) throw new OutOfRangeError(name, `an integer >= 0 and <= ${Number.MAX_SAFE_INTEGER}`, v);
  return v;
}

/** A path: a string (or Buffer/URL of one) without NUL bytes → NUL-terminated bytes. */
export function encodePath(path: unknown): [string, Uint8Array] {
  if (path instanceof URL) {
    if (path.protocol !== 'file:') throw new InvalidArgValueError('path', 'must be a file: URL', path.href);
    path = decodeURIComponent(path.pathname);
  }
  if (path instanceof Uint8Array) {
    const b = bytesOf(path, 'path');
    path = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString();
  }
  if (typeof path !== 'string') throw new InvalidArgTypeError('path', 'a string, a Buffer or a file: URL', path);
  if (path.length === 0) throw new InvalidArgValueError('path', 'must not be empty', path);
  if (path.includes('\u0000')) throw new InvalidArgValueError('path', 'must not contain NUL bytes', path);
  const bytes = new Uint8Array(new ArrayBuffer(Buffer.byteLength(path) + 1));
  Buffer.from(bytes.buffer).write(path);
  return [path, bytes];
}

/** A TCP port. */
export function checkPort(port: unknown, allowZero: boolean): number {
  if (typeof port === 'string' && /^\d+$/.test(port)) port = Number(port);
  if (typeof port !== 'number') throw new InvalidArgTypeError('port', 'a number', port);
  if (!Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535)
    throw new OutOfRangeError('port', `an integer >= ${allowZero ? 0 : 1} and <= 65535`, port);
  return port;
}

/** A non-negative integer within [min, max]. */
export function checkInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number') throw new InvalidArgTypeError(name, 'of type number', v);
  if (!Number.isInteger(v) || v < min || v > max) throw new OutOfRangeError(name, `an integer >= ${min} and <= ${max}`, v);
  return v;
}

/** A boolean. */
export function checkBool(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new InvalidArgTypeError(name, 'of type boolean', v);
  return v;
}

/** Longest `timeout` option: what a kernel timespec and the timer heap hold exactly (as `sleep`). */
const MAX_TIMEOUT_MS = 2 ** 31 * 1000;

/**
 * An op's `timeout` option (milliseconds, > 0; fractions allowed) → nanoseconds, 0 when absent.
 * Zero is refused rather than read as "no deadline" (as `socket.setTimeout(0)` would): a deadline
 * computed down to 0 means "already late", and silently waiting forever would hide it.
 */
export function checkTimeout(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new InvalidArgTypeError('timeout', 'a number of milliseconds', v);
  if (!(v > 0) || v > MAX_TIMEOUT_MS) throw new OutOfRangeError('timeout', `> 0 and <= ${MAX_TIMEOUT_MS} (milliseconds)`, v);
  return Math.max(1, Math.round(v * 1e6));
}
