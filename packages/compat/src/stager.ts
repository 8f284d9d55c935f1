/**
 * Frozen-buffer staging for poll-style writes.
 *
 * A poll-style caller may change its buffer the moment `write()` returns; a completion kernel may
 * read the submitted memory until the op completes. So `write()` copies the caller's bytes at
 * once — before `Writable` buffers the chunk by reference — into a staging slab from the pool,
 * and passes `Writable` a view of the copy. Consecutive writes are packed into the same slab, so
 * a corked burst (an HTTP response's head and body) is one slab and one kernel op.
 *
 * When `Writable` hands the views to `_write`/`_writev`, {@link Stager.segments} turns them back
 * into whole slabs to rent to the kernel. Renting detaches the slab's `ArrayBuffer`, which would
 * empty any other view still queued in `Writable`; so a slab is rented only when the chunks
 * handed over cover exactly everything packed into it (`Writable` hands over all its buffered
 * chunks at once, so that is the normal case). Otherwise its chunks are copied into fresh slabs
 * and the packed slab stays attached until all its bytes were handed over. Either way nothing can
 * touch a slab between its submission and its completion: it is detached, and it is given back
 * to the pool only with the op's result.
 * @module
 */
import { Buffer } from 'node:buffer';
import { Writable } from 'node:stream';
import type { StagingPool } from './pool.js';

type Callback = (err?: Error | null) => void;

/** A slab being packed: the bytes `used` so far, `handed` bytes already given to a submission. */
interface Packing {
  slab: Buffer;
  ab: ArrayBuffer;
  used: number;
  handed: number;
  sealed: boolean;
}

/** One kernel write: the first `len` bytes of a rentable slab. */
export interface Segment {
  slab: Buffer;
  len: number;
}

const EMPTY = Buffer.alloc(0);

/** Packs written chunks into slabs and turns handed-over chunks back into segments. */
export class Stager {
  readonly #pool: StagingPool;
  /** Slabs packed and not fully handed over, oldest first. The last one may still take bytes. */
  #packing: Packing[] = [];

  constructor(pool: StagingPool) {
    this.#pool = pool;
  }

  /**
   * Copy `chunk` into staging now. Returns the view to pass to `Writable` — or, for a chunk
   * larger than a slab, several views in order.
   */
  stage(chunk: Uint8Array | string, encoding: BufferEncoding | undefined): Buffer | Buffer[] {
    let bytes: Uint8Array;
    if (typeof chunk === 'string') {
      const len = Buffer.byteLength(chunk, encoding);
      if (len === 0) return EMPTY;
      const p = this.#room(len);
      if (p) {
        p.slab.write(chunk, p.used, len, encoding);
        return this.#view(p, len);
      }
      bytes = Buffer.from(chunk, encoding);
    } else {
      bytes = chunk;
    }
    const len = bytes.byteLength;
    if (len === 0) return EMPTY;
    const p = this.#room(len);
    if (p) {
      p.slab.set(bytes, p.used);
      return this.#view(p, len);
    }
    // Larger than a slab: fill the current slab's room, then whole slabs.
    const views: Buffer[] = [];
    let off = 0;
    while (off < len) {
      let q = this.#current();
      if (!q || q.used === q.slab.byteLength) q = this.#open();
      const n = Math.min(q.slab.byteLength - q.used, len - off);
      q.slab.set(bytes.subarray(off, off + n), q.used);
      views.push(this.#view(q, n));
      off += n;
    }
    return views;
  }

  /**
   * The segments to submit for `chunks` (views from {@link stage}, or anything else, which is
   * copied), in order. The caller owns the returned slabs and gives each back to the pool once
   * its op settled.
   */
  segments(chunks: readonly Uint8Array[]): Segment[] {
    // The common case (a corked HTTP response, one write): one chunk that is all of the oldest
    // slab — the general path below would find the same, with more work.
    const first = this.#packing[0];
    if (chunks.length === 1 && first !== undefined && first.handed === 0) {
      const c = chunks[0]!; // length 1
      if (c.buffer === first.ab && c.byteOffset === 0 && c.byteLength === first.used && c.byteLength > 0) {
        this.#packing.shift();
        return [{ slab: first.slab, len: first.used }];
      }
    }
    const out: Segment[] = [];
    // Slabs touched, with the byte ranges of their chunks in this submission.
    let i = 0;
    while (i < chunks.length) {
      const c = chunks[i]!; // i < chunks.length
      const p = c.byteLength > 0 ? this.#find(c.buffer as ArrayBuffer) : undefined;
      if (!p) {
        if (c.byteLength > 0) this.#copyInto(out, c);
        i++;
        continue;
      }
      // The run of chunks in this slab, and whether it is exactly [0, used) contiguous.
      let exact = p.handed === 0 && c.byteOffset === 0;
      let end = c.byteOffset + c.byteLength;
      let j = i + 1;
      for (let next = chunks[j]; next && next.byteLength > 0 && next.buffer === p.ab; next = chunks[++j]) {
        if (next.byteOffset !== end) exact = false;
        end = next.byteOffset + next.byteLength;
      }
      if (exact && end === p.used) {
        this.#remove(p);
        out.push({ slab: p.slab, len: p.used });
      } else {
        // Another view into this slab is still queued somewhere: copy, keep the slab attached.
        p.sealed = true;
        for (let k = i; k < j; k++) {
          const run = chunks[k]!; // k < j <= chunks.length
          this.#copyInto(out, run);
          p.handed += run.byteLength;
        }
        if (p.handed >= p.used) {
          this.#remove(p);
          this.#pool.give(p.slab);
        }
      }
      i = j;
    }
    return out;
  }

  /** Give back every slab still packing (the stream is being destroyed; its queued views are dropped). */
  clear(): void {
    for (const p of this.#packing.splice(0)) this.#pool.give(p.slab);
  }

  /** Bytes staged and not yet handed over. */
  get pending(): number {
    let n = 0;
    for (const p of this.#packing) n += p.used - p.handed;
    return n;
  }

  #current(): Packing | undefined {
    const p = this.#packing[this.#packing.length - 1];
    return p && !p.sealed ? p : undefined;
  }

  /** The packing slab with room for `len` bytes, opening one if needed; undefined if len > a slab. */
  #room(len: number): Packing | undefined {
    const p = this.#current();
    if (p && p.slab.byteLength - p.used >= len) return p;
    if (len > this.#pool.slabSize) return undefined;
    if (p) p.sealed = true;
    return this.#open();
  }

  #open(): Packing {
    const cur = this.#current();
    if (cur) cur.sealed = true;
    const slab = this.#pool.take();
    const p: Packing = { slab, ab: slab.buffer as ArrayBuffer, used: 0, handed: 0, sealed: false };
    this.#packing.push(p);
    return p;
  }

  #view(p: Packing, len: number): Buffer {
    const v = Buffer.from(p.ab, p.used, len);
    p.used += len;
    return v;
  }

  #find(ab: ArrayBuffer): Packing | undefined {
    for (const p of this.#packing) if (p.ab === ab) return p;
    return undefined;
  }

  #remove(p: Packing): void {
    const k = this.#packing.indexOf(p);
    if (k >= 0) this.#packing.splice(k, 1);
  }

  /** Copy bytes into fresh slabs appended to `out` (the slow, always-correct path). */
  #copyInto(out: Segment[], c: Uint8Array): void {
    let off = 0;
    while (off < c.byteLength) {
      let last = out[out.length - 1];
      // Only a slab this call opened may be appended to (never a packed slab being rented whole).
      if (!last || !fresh.has(last) || last.len === last.slab.byteLength) {
        last = { slab: this.#pool.take(), len: 0 };
        fresh.add(last);
        out.push(last);
      }
      const n = Math.min(last.slab.byteLength - last.len, c.byteLength - off);
      last.slab.set(c.subarray(off, off + n), last.len);
      last.len += n;
      off += n;
    }
  }
}

/** Segments opened by the copy path (they may take more bytes while a submission is built). */
const fresh = new WeakSet<Segment>();

// --- the write side of a staging stream ------------------------------------------------------
//
// Staging has to happen in `write()`/`end()` themselves, before `Writable` queues the chunk by
// reference. The socket and the file write stream stage the same way, so the overrides are
// written once, here, and installed on each class's prototype by {@link stageWrites}; a class
// supplies only its {@link kStager} and how it submits segments ({@link kSubmit}).

/** The stream's {@link Stager} (a property of every staging stream). @internal */
export const kStager: unique symbol = Symbol('rentio.compat.stager');
/** `(chunks, cb)`: submit the chunks `Writable` hands over; `cb` once written or failed. @internal */
export const kSubmit: unique symbol = Symbol('rentio.compat.submit');

/**
 * Optional `(cb) => boolean | undefined`: a write after `end()`; the write's result if the stream
 * handles it, undefined to let `Writable` raise its own error. @internal
 */
export const kWriteAfterEnd: unique symbol = Symbol('rentio.compat.writeAfterEnd');

/** What a staging stream provides to the overrides {@link stageWrites} installs. @internal */
export interface StagingStream extends Writable {
  readonly [kStager]: Stager;
  [kSubmit](chunks: Uint8Array[], cb: Callback): void;
  [kWriteAfterEnd]?(cb: Callback | undefined): boolean | undefined;
}

/**
 * Whether `stream` may stage `chunk`: bytes or a string, on a stream still writable and not in
 * object mode. Anything else (or a write `Writable` will refuse) goes to `Writable` untouched,
 * for its own error or, in object mode, to be taken as it is.
 */
function stageable(stream: Writable, chunk: unknown): chunk is Uint8Array | string {
  return (typeof chunk === 'string' || chunk instanceof Uint8Array) && !stream.destroyed && !stream.writableEnded && !stream.writableObjectMode;
}

// Writable's own methods (a Duplex carries the very same functions), which queue the staged
// views and run the callbacks. Taken unbound on purpose: each call passes the stream as `this`.
// eslint-disable-next-line @typescript-eslint/unbound-method -- always called with .call(stream, ...)
const writableWrite = Writable.prototype.write as (this: Writable, chunk: unknown, encoding?: BufferEncoding | Callback, cb?: Callback) => boolean;
// eslint-disable-next-line @typescript-eslint/unbound-method -- always called with .call(stream, ...)
const writableEnd = Writable.prototype.end as (this: Writable, chunk?: unknown, encoding?: BufferEncoding | Callback, cb?: Callback) => Writable;

/** `write()`: stage `chunk` now and queue its view(s), `cb` on the last one. */
function stagedWrite(this: StagingStream, chunk: unknown, encoding?: BufferEncoding | Callback, cb?: Callback): boolean {
  if (typeof encoding === 'function') {
    cb = encoding;
    encoding = undefined;
  }
  if (this.writableEnded && this[kWriteAfterEnd]) {
    const handled = this[kWriteAfterEnd](cb);
    if (handled !== undefined) return handled;
  }
  if (!stageable(this, chunk)) return writableWrite.call(this, chunk, encoding as BufferEncoding, cb);
  const staged = this[kStager].stage(chunk, encoding);
  if (!Array.isArray(staged)) return writableWrite.call(this, staged, cb);
  // A chunk larger than a slab is several views, written in order.
  for (let i = 0; i < staged.length - 1; i++) writableWrite.call(this, staged[i]);
  return writableWrite.call(this, staged[staged.length - 1], cb);
}

/** `end()`: as {@link stagedWrite}, the last view going to `end` (so `cb` keeps `end()`'s meaning). */
function stagedEnd(this: StagingStream, chunk?: unknown, encoding?: BufferEncoding | Callback, cb?: Callback): StagingStream {
  if (typeof chunk === 'function') {
    cb = chunk as Callback;
    chunk = undefined;
    encoding = undefined;
  } else if (typeof encoding === 'function') {
    cb = encoding;
    encoding = undefined;
  }
  if (chunk === undefined || chunk === null || !stageable(this, chunk))
    return writableEnd.call(this, chunk, encoding as BufferEncoding, cb) as StagingStream;
  const staged = this[kStager].stage(chunk, encoding);
  if (!Array.isArray(staged)) return writableEnd.call(this, staged, cb) as StagingStream;
  for (let i = 0; i < staged.length - 1; i++) writableWrite.call(this, staged[i]);
  return writableEnd.call(this, staged[staged.length - 1], cb) as StagingStream;
}

function stagedWrite1(this: StagingStream, chunk: Uint8Array, _encoding: BufferEncoding, cb: Callback): void {
  this[kSubmit]([chunk], cb);
}

function stagedWritev(this: StagingStream, entries: { chunk: Uint8Array }[], cb: Callback): void {
  const list = new Array<Uint8Array>(entries.length);
  for (let i = 0; i < entries.length; i++) list[i] = entries[i]!.chunk; // i < entries.length
  this[kSubmit](list, cb);
}

/**
 * Install the staging `write()`/`end()` and the `_write()`/`_writev()` that hand chunks to
 * `[kSubmit]` on a stream class's prototype. @internal
 *
 * @example
 * ```ts
 * class Out extends Writable { [kStager] = new Stager(pool); [kSubmit](chunks, cb) { ... } }
 * stageWrites(Out)
 * ```
 */
export function stageWrites(cls: { prototype: object }): void {
  const methods = { write: stagedWrite, end: stagedEnd, _write: stagedWrite1, _writev: stagedWritev };
  for (const [name, value] of Object.entries(methods)) {
    Object.defineProperty(cls.prototype, name, { value, writable: true, configurable: true, enumerable: false });
  }
}

/**
 * Write `segs` in order with `writeOne` (which submits one and resolves its slab), giving every
 * slab back to the pool; resolves the first error (later segments are not written) or null.
 * Never rejects.
 */
export async function writeSegments(pool: StagingPool, segs: Segment[], writeOne: (seg: Segment) => Promise<Uint8Array>): Promise<Error | null> {
  let err: Error | null = null;
  for (const seg of segs) {
    if (err) {
      pool.give(seg.slab);
      continue;
    }
    try {
      pool.give(await writeOne(seg));
    } catch (e) {
      // Rejected: err.buf is the slab handed back. Thrown before submission: still ours.
      pool.give((e as { buf?: Uint8Array }).buf);
      pool.give(seg.slab);
      err = e as Error;
    }
  }
  return err;
}
