/**
 * Buffer ownership: what may be rented, how ownership is taken, and windows into a buffer.
 *
 * A rentable buffer is a `Uint8Array` spanning its whole, non-shared `ArrayBuffer`. Taking it
 * detaches the caller's `ArrayBuffer` (the engine enforces that nothing the caller still holds
 * can touch memory the kernel is using) and gives the op a new `ArrayBuffer` over the *same*
 * memory, so a pointer handed to the kernel stays valid.
 * @module
 */
import { Buffer } from 'node:buffer';
import { transfer } from './transfer.js';
import { BufferNotRentableError, InvalidArgTypeError, OutOfRangeError } from './errors.js';

/**
 * Allocate a rentable buffer of `size` bytes (zero-filled).
 *
 * @example
 * ```ts
 * const [n, buf] = await file.read(alloc(4096))
 * ```
 */
export function alloc(size: number): Uint8Array {
  checkSize('size', size);
  // INVARIANT: `new ArrayBuffer` keeps its bytes off the V8 heap, so the address never moves.
  return new Uint8Array(new ArrayBuffer(size));
}

/**
 * Copy a string (UTF-8) or bytes into a new rentable buffer.
 *
 * @example
 * ```ts
 * await stream.writeAll(own('hello\n'))
 * ```
 */
export function own(data: string | ArrayBufferView | ArrayBuffer): Uint8Array {
  if (typeof data === 'string') {
    const out = alloc(Buffer.byteLength(data));
    Buffer.from(out.buffer).write(data);
    return out;
  }
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) {
    const src = bytesOf(data, 'data');
    const out = alloc(src.byteLength);
    out.set(src);
    return out;
  }
  throw new InvalidArgTypeError('data', 'a string, an ArrayBufferView or an ArrayBuffer', data);
}

/**
 * The bytes of a view or an ArrayBuffer, as a Uint8Array over the same memory. A detached one —
 * usually lent to an op still in flight — throws ERR_RENTIO_BUFFER_DETACHED (the engine would
 * throw a bare TypeError at the first view made over it).
 * @internal
 */
export function bytesOf(data: ArrayBufferView | ArrayBuffer, name: string): Uint8Array {
  const ab = ArrayBuffer.isView(data) ? data.buffer : data;
  if (ab.byteLength === 0 && ab instanceof ArrayBuffer && isDetached(ab)) throw detachedError(name);
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

function detachedError(name: string): BufferNotRentableError {
  return new BufferNotRentableError(
    'ERR_RENTIO_BUFFER_DETACHED',
    `The "${name}" argument is detached: it was lent to an operation and not yet handed back (use the buffer the operation resolved with)`,
  );
}

/**
 * Throw unless `buf` may be rented. Never touches the buffer.
 * @internal
 */
export function checkRentable(buf: unknown, name = 'buffer'): asserts buf is Uint8Array {
  if (!(buf instanceof Uint8Array)) throw new InvalidArgTypeError(name, 'a Uint8Array made by alloc() or own()', buf);
  const ab = buf.buffer;
  if (typeof SharedArrayBuffer !== 'undefined' && ab instanceof SharedArrayBuffer) {
    throw new BufferNotRentableError(
      'ERR_RENTIO_BUFFER_SHARED',
      `The "${name}" argument is backed by a SharedArrayBuffer, which other threads can touch while the kernel owns it; use alloc()`,
    );
  }
  if (buf.byteOffset !== 0 || buf.byteLength !== ab.byteLength) {
    if (Buffer.isBuffer(buf) && ab.byteLength === Buffer.poolSize) {
      throw new BufferNotRentableError(
        'ERR_RENTIO_BUFFER_POOLED',
        `The "${name}" argument is a pooled Buffer (a slice of Node's shared pool); detaching it would break other Buffers. Use alloc() or own()`,
      );
    }
    throw new BufferNotRentableError(
      'ERR_RENTIO_BUFFER_VIEW',
      `The "${name}" argument is a view over part of a larger ArrayBuffer; pass the whole buffer and a { offset, length } window instead`,
    );
  }
  if (ab.byteLength === 0 && isDetached(ab as ArrayBuffer)) throw detachedError(name);
}

function isDetached(ab: ArrayBuffer): boolean {
  // Node 20 has no ArrayBuffer.prototype.detached; a zero-length buffer is rare, so probe it.
  try {
    structuredClone(ab);
    return false;
  } catch {
    return true;
  }
}

/**
 * Take ownership of a checked rentable buffer: detach the caller's `ArrayBuffer` and return a
 * view of the same class over the same memory for the op to hold.
 * @internal
 */
export function takeOwnership(buf: Uint8Array): Uint8Array {
  const ab = transfer(buf.buffer as ArrayBuffer);
  // SAFETY: transfer moves the backing store (see transfer.ts): the address is unchanged.
  return Buffer.isBuffer(buf) ? Buffer.from(ab) : new Uint8Array(ab);
}

/** A window `{ offset, length }` into a buffer. */
export interface Window {
  /** First byte of the window (default 0). */
  offset?: number;
  /** Bytes in the window (default: to the end of the buffer). */
  length?: number;
}

/**
 * Resolve and check a window against `buf`. INVARIANT: this runs before any pointer reaches the
 * kernel — a window past the end is memory corruption, not an error.
 * @internal
 */
export function checkWindow(buf: Uint8Array, offset: unknown, length: unknown): [number, number] {
  const size = buf.byteLength;
  let off = 0;
  if (offset !== undefined) {
    if (typeof offset !== 'number') throw new InvalidArgTypeError('offset', 'of type number', offset);
    if (!Number.isInteger(offset) || offset < 0 || offset > size) throw new OutOfRangeError('offset', `an integer >= 0 and <= ${size}`, offset);
    off = offset;
  }
  let len = size - off;
  if (length !== undefined) {
    if (typeof length !== 'number') throw new InvalidArgTypeError('length', 'of type number', length);
    if (!Number.isInteger(length) || length < 0 || length > size - off)
      throw new OutOfRangeError('length', `an integer >= 0 and <= ${size - off}`, length);
    len = length;
  }
  return [off, len];
}

/** The most one read/write syscall moves on Linux (0x7ffff000 bytes); larger windows are moved in several ops. */
export const MAX_IO = 0x7ffff000;

function checkSize(name: string, size: unknown): void {
  if (typeof size !== 'number') throw new InvalidArgTypeError(name, 'of type number', size);
  if (!Number.isInteger(size) || size < 0 || size > 2 ** 32) throw new OutOfRangeError(name, `an integer >= 0 and <= ${2 ** 32}`, size);
}
