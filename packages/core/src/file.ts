/**
 * An open file. Under `uring` every op is a native io_uring op; under `epoll` regular files
 * cannot be polled, so the driver runs them on its worker threads.
 * @module
 */
import { alloc } from './buffer.js';
import { FSYNC_DATASYNC } from './constants.js';
import { Handle, type IoOptions } from './handle.js';
import { Op, OpCode } from './op.js';
import type { Runtime } from './runtime.js';
import { AT_EMPTY_PATH, STATX_MASK, STATX_SIZE, Stats } from './stats.js';
import { checkOffset } from './validate.js';

/** Open flags: a `node:fs` flag string ('r', 'r+', 'w', 'wx', 'w+', 'a', 'ax', 'a+', ...) or O_* bits. */
export type OpenFlags = string | number;

/** Options of {@link File.read} and {@link File.write}. */
export interface FileIoOptions extends IoOptions {
  /** File offset (number or bigint); omitted / null / -1: the current position, which advances. */
  position?: number | bigint | null;
}

const EMPTY_PATH = new Uint8Array(new ArrayBuffer(1));

/**
 * An open file (from `open()`). Every op rents its buffer: the caller's buffer is detached
 * until the op resolves `[n, buf]` with the same memory (or rejects with `err.buf`).
 *
 * @example
 * ```ts
 * const f = await open('/tmp/data', 'r')
 * const [n, buf] = await f.read(alloc(4096), { position: 0 })
 * await f.close()
 * ```
 */
export class File extends Handle {
  // A getter, not a field: the same for every file, so no 8 bytes per handle for it.
  /** @internal */
  override get _what(): string {
    return 'file';
  }
  /** The path the file was opened with. */
  readonly path: string;

  /** @internal made by `open()` */
  constructor(rt: Runtime, fd: number, path: string) {
    super(rt, fd);
    this.path = path;
  }

  /**
   * Read into `buf` (or its `{ offset, length }` window) at `position`. Resolves `[bytesRead, buf]`;
   * 0 bytes means end of file.
   */
  read(buf: Uint8Array, options?: FileIoOptions): Promise<[number, Uint8Array]> {
    const a = this._rent(buf, options, true);
    // An empty window reads nothing without asking the kernel, as node:fs does (the kernel would
    // still check the fd, e.g. EBADF on a write-only file, where node:fs resolves 0).
    if (a.len === 0 && !a.signal?.aborted) return Promise.resolve([0, a.owned]);
    return this._bufOp(OpCode.READ, a.owned, a.off, a.len, a.pos, a.signal, a.timeoutNs);
  }

  /** Write `buf` (or its window) at `position`. Resolves `[bytesWritten, buf]`; may be short. */
  write(buf: Uint8Array, options?: FileIoOptions): Promise<[number, Uint8Array]> {
    const a = this._rent(buf, options, true);
    return this._bufOp(OpCode.WRITE, a.owned, a.off, a.len, a.pos, a.signal, a.timeoutNs);
  }

  /**
   * Write all of `buf` (or its window), looping over short writes. Resolves the buffer handed
   * back; on error `err.buf` is the buffer and `err.bytesWritten` says how far it got.
   */
  writeAll(buf: Uint8Array, options?: FileIoOptions): Promise<Uint8Array> {
    return this._writeAll(OpCode.WRITE, this._rent(buf, options, true));
  }

  /** File status (size, mode, times, ...), from `statx(2)`. */
  stat(): Promise<Stats> {
    this._check();
    const op = new Op(OpCode.STATX);
    op.buf = alloc(STATX_SIZE);
    op.path = EMPTY_PATH;
    op.flags = AT_EMPTY_PATH;
    op.mode = STATX_MASK;
    op.ctx = { path: this.path };
    return this._start<number>(op, null).then(() => new Stats(op.buf!));
  }

  /** Flush the file's data and metadata to storage (`fsync`). */
  sync(): Promise<void> {
    return this.#sync(0);
  }

  /** Flush the file's data to storage (`fdatasync`). */
  datasync(): Promise<void> {
    return this.#sync(FSYNC_DATASYNC);
  }

  /** Truncate (or extend with zeros) to `length` bytes (default 0). */
  truncate(length: number | bigint = 0): Promise<void> {
    this._check();
    const n = checkOffset('length', length);
    const op = new Op(OpCode.FTRUNCATE);
    op.pos = n;
    op.ctx = { path: this.path };
    return this._start<number>(op, null).then(() => undefined);
  }

  #sync(flags: number): Promise<void> {
    this._check();
    const op = new Op(OpCode.FSYNC);
    op.flags = flags;
    return this._start<number>(op, null).then(() => undefined);
  }
}
