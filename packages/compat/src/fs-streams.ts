/**
 * `createReadStream` / `createWriteStream` over rentio files, with the `node:fs` options people
 * use (`start`, `end`, `highWaterMark`, `flags`, `mode`, `autoClose`, `emitClose`, `flush`).
 *
 * Same buffer rule as sockets: reads go into a pooled slab (or a stream-owned buffer for a
 * `highWaterMark` larger than a slab) and only completed bytes are copied out and pushed; writes
 * are copied into staging slabs at `write()` time and acknowledged once on disk's page cache.
 * @module
 */
import { Buffer } from 'node:buffer';
import { Readable, Writable } from 'node:stream';
import { alloc, type File, type OpenFlags } from '@rentio/core';
import { invalidArgType, isClosedByUs, outOfRange, rethrowUncaught, streamDestroyed } from './errors.js';
import { pool, reportPool } from './pool.js';
import { resolveRuntime, type RuntimeOption } from './runtime.js';
import { Stager, kStager, kSubmit, stageWrites, writeSegments } from './stager.js';

type Callback = (err?: Error | null) => void;

/** Options of {@link createReadStream}. */
export interface ReadStreamOptions {
  /** Open flags (default 'r'). */
  flags?: OpenFlags;
  /** Mode of a created file (default 0o666). */
  mode?: number;
  /** First byte to read (default: the file's current position, i.e. 0 for a fresh open). */
  start?: number;
  /** Last byte to read, inclusive (default Infinity). */
  end?: number;
  /** Bytes per read and the readable `highWaterMark` (default 64 KiB). */
  highWaterMark?: number;
  /** Close the file on end or error (default true). */
  autoClose?: boolean;
  /** Emit 'close' after destroy (default true). */
  emitClose?: boolean;
  /** Destroy the stream when the signal aborts. */
  signal?: AbortSignal;
  /** An open rentio file to read instead of opening `path`. */
  file?: File;
  /** The runtime to open on (default: core's `defaultRuntime()`). */
  runtime?: RuntimeOption;
}

/** Options of {@link createWriteStream}. */
export interface WriteStreamOptions {
  /** Open flags (default 'w'). */
  flags?: OpenFlags;
  /** Mode of a created file (default 0o666). */
  mode?: number;
  /** Byte position to write at (default: the file's current position). */
  start?: number;
  /** Writable `highWaterMark` (default 16 KiB, as `fs.WriteStream`). */
  highWaterMark?: number;
  /** Close the file on finish or error (default true). */
  autoClose?: boolean;
  /** Emit 'close' after destroy (default true). */
  emitClose?: boolean;
  /** fsync before closing (default false). */
  flush?: boolean;
  /** Destroy the stream when the signal aborts. */
  signal?: AbortSignal;
  /** An open rentio file to write instead of opening `path`. */
  file?: File;
  /** The runtime to open on (default: core's `defaultRuntime()`). */
  runtime?: RuntimeOption;
}

function checkPos(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number') throw invalidArgType(name, 'of type number', v);
  if (!(v >= 0) || (Number.isFinite(v) && !Number.isSafeInteger(v))) throw outOfRange(name, `>= 0 and <= ${Number.MAX_SAFE_INTEGER}`, v);
  return v;
}

/**
 * A readable file stream over rentio, shaped as `fs.ReadStream` (`path`, `bytesRead`, `pending`,
 * `'open'`, `'ready'`, `close()`). Make one with {@link createReadStream}.
 *
 * @example
 * ```ts
 * const rs = createReadStream('/var/log/syslog', { start: 0, end: 4095 })
 * rs.on('open', (fd) => console.log('fd', fd)).pipe(process.stdout)
 * ```
 */
export class RentioReadStream extends Readable {
  /** The path opened. */
  readonly path: string;
  /** First byte read. */
  readonly start: number | undefined;
  /** Last byte read (inclusive). */
  readonly end: number;
  /** Bytes read so far. */
  bytesRead = 0;
  #file: File | null;
  #opts: ReadStreamOptions;
  #pos: number;
  #reading = false;
  #chunk: number;
  #own: Buffer | null = null;

  /** @internal use {@link createReadStream} */
  constructor(path: string, opts: ReadStreamOptions) {
    const hwm = opts.highWaterMark ?? 64 * 1024;
    super({ highWaterMark: hwm, emitClose: opts.emitClose ?? true, autoDestroy: opts.autoClose ?? true });
    this.path = path;
    this.#opts = opts;
    this.#file = opts.file ?? null;
    this.start = opts.start === undefined ? undefined : checkPos('start', opts.start, 0);
    this.end = checkPos('end', opts.end, Infinity);
    if (this.start !== undefined && this.start > this.end) throw outOfRange('start', `<= "end" (here: ${this.end})`, this.start);
    this.#pos = this.start ?? -1;
    this.#chunk = Math.max(1, Math.min(hwm, 0x7ffff000));
    if (opts.signal) addSignal(opts.signal, this);
  }

  /** True until the file is open. */
  get pending(): boolean {
    return this.#file === null;
  }

  /** The rentio file (null until open). */
  get file(): File | null {
    return this.#file;
  }

  override _construct(cb: Callback): void {
    openFile(this, this.#file, this.path, this.#opts, 'r', (f) => (this.#file = f), cb);
  }

  override _read(): void {
    const f = this.#file;
    if (this.#reading || !f || this.destroyed) return;
    let want = this.#chunk;
    if (this.#pos >= 0 && Number.isFinite(this.end)) want = Math.min(want, this.end - this.#pos + 1);
    else if (Number.isFinite(this.end)) want = Math.min(want, this.end - this.bytesRead + 1);
    if (want <= 0) {
      this.push(null);
      return;
    }
    // A slab from the pool when a chunk fits one, else this stream's own buffer (reused: the
    // bytes are copied out before the next read is submitted).
    const buf = this.#chunk <= pool.slabSize ? pool.take() : (this.#own ?? Buffer.from(alloc(this.#chunk).buffer));
    this.#own = null;
    let p: Promise<[number, Uint8Array]>;
    try {
      p = f.read(buf, { length: want, position: this.#pos });
    } catch (err) {
      this.#giveBack(buf);
      this.destroy(err as Error);
      return;
    }
    this.#reading = true;
    p.then(this.#onRead, this.#onError);
  }

  #giveBack(buf: Uint8Array | undefined): void {
    if (!buf) return;
    if (buf.byteLength === pool.slabSize) pool.give(buf);
    else if (buf.byteLength > 0) this.#own = buf as Buffer;
  }

  #onRead = ([n, buf]: [number, Uint8Array]): void => {
    this.#reading = false;
    if (this.destroyed) {
      this.#giveBack(buf);
      return;
    }
    let chunk: Buffer | null = null;
    if (n > 0) {
      chunk = Buffer.allocUnsafe(n);
      (buf as Buffer).copy(chunk, 0, 0, n);
      if (this.#pos >= 0) this.#pos += n;
      this.bytesRead += n;
    }
    this.#giveBack(buf);
    try {
      this.push(chunk); // may run 'data' listeners at once
    } catch (e) {
      rethrowUncaught(e);
    }
  };

  #onError = (err: Error & { buf?: Uint8Array }): void => {
    this.#reading = false;
    this.#giveBack(err?.buf);
    if (!this.destroyed) this.destroy(isClosedByUs(err) ? streamDestroyed('read') : err);
  };

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.#own = null;
    closeFile(this.#file, this.#opts.autoClose ?? true, err, cb);
  }

  /** Close the stream (as `fs.ReadStream#close`). */
  close(cb?: (err?: Error | null) => void): void {
    if (cb) this.once('close', () => cb()).once('error', cb);
    this.destroy();
  }
}

/**
 * A writable file stream over rentio, shaped as `fs.WriteStream` (`path`, `bytesWritten`,
 * `pending`, `'open'`, `'ready'`, `close()`). Make one with {@link createWriteStream}.
 *
 * @example
 * ```ts
 * const ws = createWriteStream('/tmp/out.txt')
 * ws.end('bye\n', () => console.log(ws.bytesWritten)) // 4
 * ```
 */
export class RentioWriteStream extends Writable {
  /** The path opened. */
  readonly path: string;
  /** Position written at first. */
  readonly start: number | undefined;
  /** Bytes written (completed) so far. */
  bytesWritten = 0;
  #file: File | null;
  #opts: WriteStreamOptions;
  #pos: number;

  /** @internal use {@link createWriteStream} */
  constructor(path: string, opts: WriteStreamOptions) {
    super({ highWaterMark: opts.highWaterMark ?? 16 * 1024, emitClose: opts.emitClose ?? true, autoDestroy: opts.autoClose ?? true });
    this.path = path;
    this.#opts = opts;
    this.#file = opts.file ?? null;
    this.start = opts.start === undefined ? undefined : checkPos('start', opts.start, 0);
    this.#pos = this.start ?? -1;
    if (opts.signal) addSignal(opts.signal, this);
  }

  /** True until the file is open. */
  get pending(): boolean {
    return this.#file === null;
  }

  /** The rentio file (null until open). */
  get file(): File | null {
    return this.#file;
  }

  override _construct(cb: Callback): void {
    openFile(this, this.#file, this.path, this.#opts, 'w', (f) => (this.#file = f), cb);
  }

  // write(), end(), _write() and _writev() stage each chunk at once: installed by stageWrites()
  // below, shared with the socket. This class says how staged segments reach the file.
  /** @internal */
  readonly [kStager] = new Stager(pool);

  /** @internal */
  [kSubmit](chunks: Uint8Array[], cb: Callback): void {
    const f = this.#file;
    if (!f || this.destroyed) {
      cb(streamDestroyed('write'));
      return;
    }
    // Never rejects: writeSegments resolves with the first error, and the callback's own throw goes to rethrowUncaught.
    void writeSegments(pool, this[kStager].segments(chunks), (seg) => this.#writeOne(f, seg.slab, seg.len)).then((err) => {
      if (err && (this.destroyed || isClosedByUs(err))) err = streamDestroyed('write');
      try {
        cb(err); // runs user write callbacks
      } catch (e) {
        rethrowUncaught(e);
      }
    });
  }

  async #writeOne(f: File, slab: Uint8Array, len: number): Promise<Uint8Array> {
    const back = await f.writeAll(slab, { length: len, position: this.#pos });
    if (this.#pos >= 0) this.#pos += len;
    this.bytesWritten += len;
    return back;
  }

  override _final(cb: Callback): void {
    if (!this.#opts.flush || !this.#file) {
      cb();
      return;
    }
    this.#file
      .sync()
      .then(
        () => cb(),
        (e: Error) => cb(e),
      )
      .then(undefined, rethrowUncaught);
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this[kStager].clear();
    closeFile(this.#file, this.#opts.autoClose ?? true, err, cb);
  }

  /** Close the stream after pending writes, as `fs.WriteStream#close`. */
  close(cb?: (err?: Error | null) => void): void {
    if (cb) this.once('close', () => cb()).once('error', cb);
    if (!this.writableEnded) this.end();
    else if (this.writableFinished) this.destroy();
  }
}

stageWrites(RentioWriteStream);

/**
 * The body of both file streams' `_construct`: take the file the stream was given, or open
 * `path` on the runtime (with `defaultFlags` unless the options set `flags`) and hand it to
 * `setFile`; report the runtime's pool either way; then emit 'open' (with the fd) and 'ready',
 * as `fs` streams do, before `cb` — for a given file on the next tick, never inside
 * `_construct` itself.
 */
function openFile(
  stream: Readable | Writable,
  file: File | null,
  path: string,
  opts: ReadStreamOptions | WriteStreamOptions,
  defaultFlags: OpenFlags,
  setFile: (f: File) => void,
  cb: Callback,
): void {
  if (file) {
    reportPool(file.runtime);
    process.nextTick(() => opened(stream, file, cb));
    return;
  }
  resolveRuntime(opts.runtime)
    .then((rt) => {
      reportPool(rt);
      return rt.open(path, opts.flags ?? defaultFlags, opts.mode);
    })
    .then((f) => {
      setFile(f);
      opened(stream, f, cb);
    }, cb);
}

/** Announce the open file, then let the stream start (`_construct`'s callback). */
function opened(stream: Readable | Writable, file: File, cb: Callback): void {
  try {
    stream.emit('open', file.fd);
    stream.emit('ready');
  } catch (e) {
    // A throwing listener must not leave _construct's callback uncalled.
    rethrowUncaught(e);
  }
  cb();
}

function addSignal(signal: AbortSignal, stream: Readable | Writable): void {
  const onAbort = (): void => {
    stream.destroy(Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' }));
  };
  if (signal.aborted) process.nextTick(onAbort);
  else {
    signal.addEventListener('abort', onAbort, { once: true });
    stream.once('close', () => signal.removeEventListener('abort', onAbort));
  }
}

/** Close the file (cancelling ops in flight and waiting for them) unless autoClose is off. */
function closeFile(f: File | null, autoClose: boolean, err: Error | null, cb: (err: Error | null) => void): void {
  if (!f || !autoClose || f.closed) {
    // autoClose: false leaves the file open for its owner (whose close waits for any op still
    // in flight); a closed file has already waited for its ops.
    cb(err);
    return;
  }
  f.close().then(
    () => cb(err),
    (e: Error) => cb(err ?? e),
  );
}

/**
 * Read a file as a stream, over rentio: `fs.createReadStream` with `start`, `end` (inclusive),
 * `highWaterMark`, `flags`, `mode`, `autoClose`, `emitClose`, `signal`.
 *
 * @example
 * ```ts
 * import { createReadStream, createWriteStream } from '@rentio/compat'
 * import { pipeline } from 'node:stream/promises'
 * await pipeline(createReadStream('in.bin', { start: 0, end: 1023 }), createWriteStream('out.bin'))
 * ```
 */
export function createReadStream(path: string | URL, options?: ReadStreamOptions | string): RentioReadStream {
  return new RentioReadStream(pathString(path, options), typeof options === 'object' && options !== null ? options : {});
}

/**
 * Write a file as a stream, over rentio: `fs.createWriteStream` with `start`, `highWaterMark`,
 * `flags`, `mode`, `autoClose`, `emitClose`, `flush`, `signal`. Each write's callback runs once
 * its bytes were written (so an error is reported by the write that caused it).
 *
 * @example
 * ```ts
 * import { createWriteStream } from '@rentio/compat'
 * const out = createWriteStream('/tmp/log.txt', { flags: 'a' })
 * out.write('hello\n', (err) => { if (!err) console.log('written') })
 * out.end()
 * ```
 */
export function createWriteStream(path: string | URL, options?: WriteStreamOptions | string): RentioWriteStream {
  return new RentioWriteStream(pathString(path, options), typeof options === 'object' && options !== null ? options : {});
}

function pathString(path: unknown, options: unknown): string {
  if (options !== undefined && options !== null && typeof options !== 'object' && typeof options !== 'string')
    throw invalidArgType('options', 'an object or a string', options);
  if (path instanceof URL) {
    if (path.protocol !== 'file:') throw invalidArgType('path', 'a file: URL', path.href);
    return decodeURIComponent(path.pathname);
  }
  if (typeof path !== 'string') {
    // With `file` the path is only the stream's label: a non-string one names nothing.
    if ((options as { file?: unknown } | undefined)?.file) return '';
    throw invalidArgType('path', 'of type string or an instance of URL', path);
  }
  return path;
}
