/**
 * The fds of this thread's open handles, kept where the parker addon can close them when a
 * worker is stopped from outside (terminate(), or the main thread exiting): no JS runs then, and
 * a socket left open would keep its port — a listener under SO_REUSEPORT would even keep being
 * handed connections that nobody accepts.
 *
 * Only worker threads keep a ledger: a process's exit closes the main thread's fds. Without the
 * addon (koffi fallback) there is none either; such a worker already warns it must not be stopped.
 * Cost per handle: a typed-array store when it opens and one when it closes.
 * @module
 */
import { isMainThread } from 'node:worker_threads';
import { loadNative } from './parker.js';

// Chunks are never moved or freed while the thread lives: the addon holds their storage.
const SHIFT = 10;
const CHUNK = 1 << SHIFT;

/** Slots in chunks of Int32 fds, -1 for a free slot. @internal */
export class FdLedger {
  readonly #chunks: Int32Array[] = [];
  readonly #free: number[] = [];
  readonly #track: (chunk: Int32Array) => void;

  constructor(track: (chunk: Int32Array) => void) {
    this.#track = track;
  }

  /** List `fd`; returns its slot. */
  add(fd: number): number {
    if (this.#free.length === 0) this.#grow();
    const slot = this.#free.pop()!; // INVARIANT: #grow() left CHUNK free slots
    this.#chunks[slot >>> SHIFT]![slot & (CHUNK - 1)] = fd;
    return slot;
  }

  /** Unlist a slot. INVARIANT: called *before* the fd is closed by anyone. */
  remove(slot: number): void {
    this.#chunks[slot >>> SHIFT]![slot & (CHUNK - 1)] = -1;
    this.#free.push(slot);
  }

  #grow(): void {
    const chunk = new Int32Array(CHUNK).fill(-1);
    this.#track(chunk);
    const base = this.#chunks.length * CHUNK;
    this.#chunks.push(chunk);
    for (let i = CHUNK - 1; i >= 0; i--) this.#free.push(base + i);
  }
}

let ledger: FdLedger | null | undefined;

/** This thread's ledger, or null (main thread, or no addon). @internal */
export function fdLedger(): FdLedger | null {
  if (ledger !== undefined) return ledger;
  const native = isMainThread ? null : loadNative();
  return (ledger = native ? new FdLedger((chunk) => native.trackFds(chunk)) : null);
}
