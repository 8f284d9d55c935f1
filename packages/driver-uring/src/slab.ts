/**
 * The op slab: every op the driver holds, by slot, from `submit` to its CQE.
 *
 * `user_data` of an op's SQE is its slot (low 32 bits) and the slot's generation (high 32 bits).
 * A slot's generation changes each time it is freed, so a late or stale CQE — one whose op was
 * already settled and whose slot now holds another op — matches no op and is dropped: it can
 * never settle the wrong op (an fd number reused after close never receives an old result).
 *
 * Each slot also owns {@link SCRATCH_SIZE} bytes of C-visible scratch memory for what an SQE
 * points at besides the op's own buffers: the `__kernel_timespec` of a TIMEOUT, the iovec array
 * of a WRITEV. Scratch lives in fixed chunks that never move or shrink, so an address handed to
 * the kernel stays valid until the slot is freed (after the CQE). A chunk is made the first time
 * one of its slots needs scratch: most ops (a recv, a send, a multishot carrier held by each idle
 * socket) need none, and 10,000 idle sockets would otherwise hold 2.5 MB of it.
 * @module
 */
import type { Op } from '@rentio/core/driver';
import { addressOf } from './ffi.js';

/** Slot states. */
export const FREE = 0;
/** Waiting in the driver's JS queue for room in the SQ. */
export const QUEUED = 1;
/** Queued, and cancelled before it reached the kernel: completes with -ECANCELED, never submitted. */
export const QUEUED_CANCELLED = 2;
/** Its SQE is in the ring: the kernel owns its memory until the CQE. */
export const IN_KERNEL = 3;

/** Bytes of scratch per slot: a timespec, 16 iovecs, or a msghdr and 12 iovecs. */
export const SCRATCH_SIZE = 256;
const CHUNK_SHIFT = 8;
const CHUNK_SLOTS = 1 << CHUNK_SHIFT;
/**
 * Generations stay below 2^30, so the high word of an op's user_data never equals a reserved tag
 * (USER_DATA_CANCEL) and bit 30 is free to mark the op's linked timeout (link-timeout.ts).
 */
export const GEN_MASK = 0x3fffffff;

/**
 * Slot table with generations, per-slot state and per-slot scratch memory.
 * INVARIANT: every per-slot array has `ops.length` entries and one scratch chunk per
 * CHUNK_SLOTS slots; a slot passed in came from {@link Slab.alloc}, so indexing by it (the `!`
 * below, and in the driver) is always in range.
 */
export class Slab {
  /** The op in each slot (null when free). INVARIANT: holding the op holds its owned memory. */
  ops: (Op | null)[] = [];
  /** Generation of each slot. */
  gen = new Uint32Array(0);
  /** State of each slot ({@link FREE}, {@link QUEUED}, ...). */
  state = new Uint8Array(0);
  /** How the slot's op is expressed when an op has two forms (0 = the first choice); see ops.ts. */
  variant = new Uint8Array(0);
  /** Memory an SQE of the slot points at besides scratch (a big iovec array), kept until the CQE. */
  extra: (ArrayBuffer | null)[] = [];
  /** Scratch chunks, as u32 words (null until a slot of the chunk needs scratch), and each chunk's address (0 until then). */
  scratch: (Uint32Array | null)[] = [];
  scratchAddr: number[] = [];
  #free = new Int32Array(0);
  #freeTop = 0;
  /** Slots in use. */
  used = 0;

  constructor(initial: number) {
    this.#grow(Math.max(CHUNK_SLOTS, initial));
  }

  /** Take a free slot for `op`; grows the slab when full (never moves existing scratch). */
  alloc(op: Op, state: number): number {
    if (this.#freeTop === 0) this.#grow(this.ops.length * 2);
    const slot = this.#free[--this.#freeTop]!; // #freeTop > 0: grown just above when it was 0
    this.ops[slot] = op;
    this.state[slot] = state;
    this.variant[slot] = 0;
    this.used++;
    op.slot = slot;
    return slot;
  }

  /** Release a slot; its generation changes so CQEs still carrying the old one are recognised as stale. */
  release(slot: number): void {
    const op = this.ops[slot];
    if (op) op.slot = -1;
    this.ops[slot] = null;
    this.extra[slot] = null;
    this.state[slot] = FREE;
    this.gen[slot] = (this.gen[slot]! + 1) & GEN_MASK;
    this.#free[this.#freeTop++] = slot;
    this.used--;
  }

  /** The op a CQE's user_data names, or null when the CQE is stale (slot freed or reused). */
  lookup(slot: number, gen: number): Op | null {
    if (slot >= this.ops.length || this.gen[slot] !== gen || this.state[slot] !== IN_KERNEL) return null;
    return this.ops[slot]!;
  }

  /** Word index of a slot's scratch inside its chunk. */
  scratchWord(slot: number): number {
    return (slot & (CHUNK_SLOTS - 1)) * (SCRATCH_SIZE >> 2);
  }

  /** Address of a slot's scratch. */
  scratchAddress(slot: number): number {
    this.scratchChunk(slot);
    return this.scratchAddr[slot >> CHUNK_SHIFT]! + (slot & (CHUNK_SLOTS - 1)) * SCRATCH_SIZE;
  }

  /** A slot's scratch chunk (u32 words), made at the first use of any of its slots. */
  scratchChunk(slot: number): Uint32Array {
    const c = slot >> CHUNK_SHIFT;
    return this.scratch[c] ?? this.#makeChunk(c);
  }

  #makeChunk(c: number): Uint32Array {
    // INVARIANT: a chunk is referenced from `scratch` for the slab's life, so its memory never moves or frees.
    const chunk = new ArrayBuffer(CHUNK_SLOTS * SCRATCH_SIZE);
    const words = (this.scratch[c] = new Uint32Array(chunk));
    this.scratchAddr[c] = Number(addressOf(chunk));
    return words;
  }

  #grow(size: number): void {
    size = Math.ceil(size / CHUNK_SLOTS) * CHUNK_SLOTS;
    const old = this.ops.length;
    if (size <= old) return;
    const gen = new Uint32Array(size);
    gen.set(this.gen);
    this.gen = gen;
    const state = new Uint8Array(size);
    state.set(this.state);
    this.state = state;
    const variant = new Uint8Array(size);
    variant.set(this.variant);
    this.variant = variant;
    const free = new Int32Array(size);
    free.set(this.#free.subarray(0, this.#freeTop));
    this.#free = free;
    for (let s = size - 1; s >= old; s--) this.#free[this.#freeTop++] = s;
    for (let s = old; s < size; s++) {
      this.ops.push(null);
      this.extra.push(null);
    }
    for (let c = old >> CHUNK_SHIFT; c < size >> CHUNK_SHIFT; c++) {
      this.scratch.push(null);
      this.scratchAddr.push(0);
    }
  }
}
