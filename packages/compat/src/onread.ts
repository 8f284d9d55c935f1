/**
 * `net.Socket`'s `onread` option: received bytes land in a buffer the caller supplies (one
 * buffer, or a function giving the next one) and are reported by `callback(nread, buf)` instead
 * of `'data'`. Returning `false` from the callback stops reading until `resume()`.
 * @module
 */

/** `{ buffer, callback }` as `net.connect`'s `onread` takes it. */
export interface OnReadOptions {
  /** The buffer each read lands in, or a function returning the buffer for the next read. */
  buffer: Uint8Array | (() => Uint8Array);
  /** Called (with the socket as `this`) with the bytes read and the buffer holding them; `false` stops reading. */
  callback: (nread: number, buf: Uint8Array) => boolean | void;
}

/**
 * The reads of a socket with `onread`. The kernel's bytes arrive in pooled buffers (compat never
 * reads into caller memory, see the README's buffer rule) and are copied into the caller's
 * buffer a buffer-length at a time, each piece one callback — the pieces node:net's reads of at
 * most `buffer.length` bytes give.
 */
export class UserBufferReads {
  #buf: Uint8Array | null;
  readonly #gen: (() => unknown) | null;
  readonly #cb: (nread: number, buf: Uint8Array) => unknown;
  /** Bytes read but not handed over yet: the callback asked to stop part-way through a read. */
  #rest: Uint8Array | null = null;

  private constructor(buffer: Uint8Array | null, gen: (() => unknown) | null, cb: (nread: number, buf: Uint8Array) => unknown) {
    this.#buf = buffer;
    this.#gen = gen;
    this.#cb = cb;
  }

  /** The reader for `onread`, or null when it is not a usable `{ buffer, callback }` (ignored, as by net.Socket). */
  static from(onread: unknown): UserBufferReads | null {
    if (onread === null || typeof onread !== 'object') return null;
    const { buffer, callback } = onread as Partial<OnReadOptions>;
    if (typeof callback !== 'function') return null;
    if (buffer instanceof Uint8Array) return new UserBufferReads(buffer, null, callback);
    if (typeof buffer === 'function') return new UserBufferReads(null, buffer, callback);
    return null;
  }

  /** True while bytes of an earlier read wait to be handed over. */
  get holding(): boolean {
    return this.#rest !== null;
  }

  /**
   * Hand `bytes` to the callback in buffer-sized pieces, `self` as `this`. Returns false once the
   * callback returned `false` or `stopped()` turned true (a `pause()` inside it); what is left is
   * kept (copied) for {@link flush}. A callback that throws throws from here.
   */
  deliver(self: object, bytes: Uint8Array, stopped: () => boolean): boolean {
    let off = 0;
    while (off < bytes.length) {
      const buf = this.#current();
      if (!buf) return true;
      const k = Math.min(buf.length, bytes.length - off);
      buf.set(bytes.subarray(off, off + k));
      off += k;
      let go: boolean;
      try {
        go = this.#cb.call(self, k, buf) !== false;
      } finally {
        // As node:net: the next buffer is asked for after each callback.
        if (this.#gen) this.#next();
      }
      if (!go || stopped()) {
        // Copied: `bytes` is a pooled buffer going back to the pool.
        if (off < bytes.length) this.#rest = Uint8Array.prototype.slice.call(bytes, off);
        return false;
      }
    }
    return true;
  }

  /** Hand over what an earlier {@link deliver} kept; false if the callback stopped again. */
  flush(self: object, stopped: () => boolean): boolean {
    const rest = this.#rest;
    this.#rest = null;
    return rest === null || this.deliver(self, rest, stopped);
  }

  /** The buffer the next piece goes to (asking the generator for the first one). */
  #current(): Uint8Array | null {
    if (this.#buf === null && this.#gen) this.#next();
    return this.#buf;
  }

  /** Ask the generator for the next buffer; anything but a Uint8Array keeps the current one. */
  #next(): void {
    const b = this.#gen!();
    if (b instanceof Uint8Array) this.#buf = b;
  }
}
