/**
 * The ring: set up through liburing (`io_uring_queue_init_params`) on a koffi-allocated
 * `struct io_uring`, then the SQ ring, CQ ring and SQE array mapped into JS once with
 * `koffi.view` — SQEs are written and CQEs read through typed arrays, with `Atomics` on the
 * kernel's head/tail words.
 *
 * The driver relies on liburing 2.3's `struct io_uring` layout (per architecture below, measured
 * with `offsetof`) and on liburing mapping SQ slot i to SQE i once at set-up. Both are verified
 * against what the kernel reported in `io_uring_params` before the ring is used; a mismatch
 * refuses to run (`DriverUnavailableError`), so `auto` falls back instead of corrupting memory.
 * @module
 */
import { DriverUnavailableError, errnoException, errnoName } from '@rentio/core/driver';
import { readFileSync } from 'node:fs';
import { IORING_FEAT_NODROP, IORING_SETUP, IORING_SETUP_CQSIZE, IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_SINGLE_ISSUER } from './constants.js';
import { allocBytes, free, view, type Liburing, type Pointer } from './ffi.js';
import { setupRefusalError } from './refusal.js';

/**
 * liburing 2.3's `struct io_uring` (liburing's struct, not the kernel's, so not in core's abi.ts),
 * per architecture: sizeof and byte offsets, measured with `offsetof` on x86-64. The struct is
 * pointers, `size_t`s and `unsigned`s only, so aarch64 (also LP64, same alignment rules) has the
 * same layout; both are verified against `io_uring_params` at start all the same.
 */
const LP64_IO_URING = {
  size: 216,
  off: {
    sq_khead: 0,
    sq_ktail: 8,
    sq_kring_mask: 16,
    sq_kring_entries: 24,
    sq_kflags: 32,
    sq_kdropped: 40,
    sq_array: 48,
    sq_sqes: 56,
    sq_sqe_head: 64,
    sq_sqe_tail: 68,
    sq_ring_sz: 72,
    sq_ring_ptr: 80,
    sq_ring_mask: 88,
    sq_ring_entries: 92,
    cq_khead: 104,
    cq_ktail: 112,
    cq_kring_mask: 120,
    cq_kring_entries: 128,
    cq_kflags: 136,
    cq_koverflow: 144,
    cq_cqes: 152,
    cq_ring_sz: 160,
    cq_ring_ptr: 168,
    cq_ring_mask: 176,
    cq_ring_entries: 180,
    flags: 192,
    ring_fd: 196,
    features: 200,
  },
} as const;
const IO_URING_LAYOUT: Readonly<Record<string, typeof LP64_IO_URING>> = { x64: LP64_IO_URING, arm64: LP64_IO_URING };
// Ring.open refuses an architecture not listed (index.ts already refused it through core's abiFor);
// the fallback only gives the module constants a value and is never used to lay out memory.
const IO_URING = IO_URING_LAYOUT[process.arch] ?? LP64_IO_URING;
const SIZEOF_IO_URING = IO_URING.size;
/** Byte offsets in struct io_uring. */
const OFF = IO_URING.off;
/** sizeof(struct io_uring_params) and its fields' byte offsets. */
const SIZEOF_PARAMS = 120;
const P = {
  sq_entries: 0,
  cq_entries: 4,
  flags: 8,
  features: 20,
  // struct io_sqring_offsets sq_off at 40
  sq_head: 40,
  sq_tail: 44,
  sq_ring_mask: 48,
  sq_ring_entries: 52,
  sq_flags: 56,
  sq_dropped: 60,
  sq_array: 64,
  // struct io_cqring_offsets cq_off at 80
  cq_head: 80,
  cq_tail: 84,
  cq_ring_mask: 88,
  cq_ring_entries: 92,
  cq_overflow: 96,
  cq_cqes: 100,
  cq_flags: 104,
} as const;
/** sizeof(struct io_uring_sqe) and sizeof(struct io_uring_cqe) without SQE128/CQE32. */
export const SQE_SIZE = 64;
export const CQE_SIZE = 16;

/** What to ask of the kernel. */
export interface RingOptions {
  entries: number;
  cqEntries: number;
  /** Setup flags to try; on EINVAL the newest is dropped and set-up retried. */
  flags: number;
}

/** A live ring, its memory mapped into JS. */
export class Ring {
  readonly lib: Liburing;
  /** struct io_uring (C memory). */
  readonly ptr: Pointer;
  /** struct io_uring as u32 words (for liburing's sqe_head / sqe_tail). */
  readonly u32: Uint32Array;
  readonly fd: number;
  /** The ring's mmaps ([address, bytes]): what io_uring_queue_exit unmaps (for the parker's teardown). */
  readonly mappings: [bigint, number][];
  /** Setup flags in effect. */
  readonly flags: number;
  readonly features: number;
  readonly sqEntries: number;
  readonly sqMask: number;
  readonly cqEntries: number;
  readonly cqMask: number;
  /** The SQ ring mapping, as u32 words; `sqHead` / `sqFlags` index into it. */
  readonly sq: Uint32Array;
  readonly sqHead: number;
  readonly sqTail: number;
  readonly sqFlags: number;
  /** The SQE array, as u32 words (16 per SQE). */
  readonly sqes: Uint32Array;
  /** The CQ ring mapping, as u32 and i32 words; `cqHead`, `cqTail`, `cqFlags`, `cqes` index into it. */
  readonly cq: Uint32Array;
  readonly cqI32: Int32Array;
  readonly cqHead: number;
  readonly cqTail: number;
  readonly cqFlags: number;
  readonly cqes: number;
  /** True when the ring fd is registered with the kernel (IORING_REGISTER_RING_FDS): see {@link Ring.open}. */
  registeredFd = false;
  #open = true;

  private constructor(lib: Liburing, ptr: Pointer, params: DataView) {
    this.lib = lib;
    this.ptr = ptr;
    const raw = view(ptr, SIZEOF_IO_URING);
    const r = new DataView(raw);
    this.u32 = new Uint32Array(raw);
    this.fd = r.getInt32(OFF.ring_fd, true);
    this.flags = r.getUint32(OFF.flags, true);
    this.features = r.getUint32(OFF.features, true);
    this.sqEntries = r.getUint32(OFF.sq_ring_entries, true);
    this.sqMask = r.getUint32(OFF.sq_ring_mask, true);
    this.cqEntries = r.getUint32(OFF.cq_ring_entries, true);
    this.cqMask = r.getUint32(OFF.cq_ring_mask, true);
    const sqPtr = r.getBigUint64(OFF.sq_ring_ptr, true);
    const cqPtr = r.getBigUint64(OFF.cq_ring_ptr, true);
    const sqesPtr = r.getBigUint64(OFF.sq_sqes, true);
    const ptrAt = (off: number) => r.getBigUint64(off, true);
    const u32At = (off: number) => params.getUint32(off, true);

    // Verify liburing's struct against what the kernel told us, field by field.
    const bad: string[] = [];
    const expect = (what: string, ok: boolean) => {
      if (!ok) bad.push(what);
    };
    expect('ring_fd', this.fd >= 0);
    expect('flags', this.flags === u32At(P.flags));
    expect('features', this.features === u32At(P.features));
    expect('sq.ring_entries', this.sqEntries === u32At(P.sq_entries));
    expect('sq.ring_mask', this.sqMask === this.sqEntries - 1);
    expect('cq.ring_entries', this.cqEntries === u32At(P.cq_entries));
    expect('cq.ring_mask', this.cqMask === this.cqEntries - 1);
    expect('sq.ring_ptr', sqPtr !== 0n && cqPtr !== 0n && sqesPtr !== 0n);
    expect('sq.khead', ptrAt(OFF.sq_khead) === sqPtr + BigInt(u32At(P.sq_head)));
    expect('sq.ktail', ptrAt(OFF.sq_ktail) === sqPtr + BigInt(u32At(P.sq_tail)));
    expect('sq.kring_mask', ptrAt(OFF.sq_kring_mask) === sqPtr + BigInt(u32At(P.sq_ring_mask)));
    expect('sq.kring_entries', ptrAt(OFF.sq_kring_entries) === sqPtr + BigInt(u32At(P.sq_ring_entries)));
    expect('sq.kflags', ptrAt(OFF.sq_kflags) === sqPtr + BigInt(u32At(P.sq_flags)));
    expect('sq.kdropped', ptrAt(OFF.sq_kdropped) === sqPtr + BigInt(u32At(P.sq_dropped)));
    expect('sq.array', ptrAt(OFF.sq_array) === sqPtr + BigInt(u32At(P.sq_array)));
    expect('sq.sqe_head', r.getUint32(OFF.sq_sqe_head, true) === 0 && r.getUint32(OFF.sq_sqe_tail, true) === 0);
    expect('cq.khead', ptrAt(OFF.cq_khead) === cqPtr + BigInt(u32At(P.cq_head)));
    expect('cq.ktail', ptrAt(OFF.cq_ktail) === cqPtr + BigInt(u32At(P.cq_tail)));
    expect('cq.kring_mask', ptrAt(OFF.cq_kring_mask) === cqPtr + BigInt(u32At(P.cq_ring_mask)));
    expect('cq.kring_entries', ptrAt(OFF.cq_kring_entries) === cqPtr + BigInt(u32At(P.cq_ring_entries)));
    expect('cq.koverflow', ptrAt(OFF.cq_koverflow) === cqPtr + BigInt(u32At(P.cq_overflow)));
    expect('cq.cqes', ptrAt(OFF.cq_cqes) === cqPtr + BigInt(u32At(P.cq_cqes)));
    if (bad.length) throw new DriverUnavailableError('uring', `struct io_uring layout mismatch (liburing ABI not as built for): ${bad.join(', ')}`);

    const sqBuf = view(sqPtr, Number(r.getBigUint64(OFF.sq_ring_sz, true)));
    const cqBuf = cqPtr === sqPtr ? sqBuf : view(cqPtr, Number(r.getBigUint64(OFF.cq_ring_sz, true)));
    this.sq = new Uint32Array(sqBuf);
    this.sqHead = u32At(P.sq_head) >> 2;
    this.sqTail = u32At(P.sq_tail) >> 2;
    this.sqFlags = u32At(P.sq_flags) >> 2;
    this.sqes = new Uint32Array(view(sqesPtr, this.sqEntries * SQE_SIZE));
    this.mappings = [
      [sqPtr, sqBuf.byteLength],
      [sqesPtr, this.sqEntries * SQE_SIZE],
    ];
    if (cqPtr !== sqPtr) this.mappings.push([cqPtr, cqBuf.byteLength]);
    this.cq = new Uint32Array(cqBuf);
    this.cqI32 = new Int32Array(cqBuf);
    this.cqHead = u32At(P.cq_head) >> 2;
    this.cqTail = u32At(P.cq_tail) >> 2;
    this.cqFlags = u32At(P.cq_flags) >> 2;
    this.cqes = u32At(P.cq_cqes) >> 2;

    // The kernel's own view of the ring sizes, and liburing's identity SQ-slot → SQE mapping.
    const kSq = this.sq[u32At(P.sq_ring_entries) >> 2];
    const kCq = this.cq[u32At(P.cq_ring_entries) >> 2];
    if (kSq !== this.sqEntries || kCq !== this.cqEntries) bad.push(`ring sizes (kernel ${kSq}/${kCq}, liburing ${this.sqEntries}/${this.cqEntries})`);
    const array = u32At(P.sq_array) >> 2;
    for (let i = 0; i < this.sqEntries && !bad.length; i++)
      if (this.sq[array + i] !== i) bad.push('sq.array is not the identity map (liburing older than 2.2?)');
    if (!(this.features & IORING_FEAT_NODROP)) bad.push('kernel lacks IORING_FEAT_NODROP');
    if (bad.length) throw new DriverUnavailableError('uring', `ring check failed: ${bad.join(', ')}`);
  }

  /**
   * Set up a ring. Flags the kernel refuses (EINVAL) are dropped newest-first until set-up
   * succeeds. Throws `DriverUnavailableError` for "cannot work here" (EPERM, ENOSYS, EINVAL with
   * no flags, layout mismatch) and a Node-style error for resource failures (EMFILE, ENOMEM).
   */
  static open(lib: Liburing, opts: RingOptions): Ring {
    if (!IO_URING_LAYOUT[process.arch])
      throw new DriverUnavailableError('uring', `liburing's struct io_uring layout for ${process.arch} is not stated in rentio`);
    let flags = opts.flags;
    for (;;) {
      const ptr = allocBytes(SIZEOF_IO_URING);
      new Uint8Array(view(ptr, SIZEOF_IO_URING)).fill(0);
      const params = new Uint8Array(SIZEOF_PARAMS);
      const pv = new DataView(params.buffer);
      let f = flags;
      if (opts.cqEntries > 0) {
        f |= IORING_SETUP_CQSIZE;
        pv.setUint32(P.cq_entries, opts.cqEntries, true);
      }
      pv.setUint32(P.flags, f, true);
      const res = lib.io_uring_queue_init_params(opts.entries, ptr, params);
      if (res === 0) {
        try {
          const ring = new Ring(lib, ptr, pv);
          // A registered ring fd (IORING_REGISTER_RING_FDS, 5.18): liburing then enters with
          // IORING_ENTER_REGISTERED_RING and the kernel skips the fd-table lookup (fget/fput) on
          // every io_uring_enter. A thread may register only a few (EBUSY past the kernel's limit),
          // so this is best effort; io_uring_queue_exit unregisters it.
          ring.registeredFd = lib.io_uring_register_ring_fd(ptr) === 1;
          return ring;
        } catch (err) {
          // liburing tears down its own struct whatever layout we expected.
          lib.io_uring_queue_exit(ptr);
          free(ptr);
          throw err;
        }
      }
      free(ptr);
      if (res === -22 /* EINVAL */ && flags !== 0) {
        flags &= ~highestBit(flags);
        // DEFER_TASKRUN is only valid with SINGLE_ISSUER.
        if (!(flags & IORING_SETUP_SINGLE_ISSUER)) flags &= ~IORING_SETUP_DEFER_TASKRUN;
        continue;
      }
      throw setupError(res);
    }
  }

  /** True until {@link Ring.close}. */
  get open(): boolean {
    return this.#open;
  }

  /** Unmap and close the ring. SAFETY: every typed array over the ring is dangling afterwards. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.lib.io_uring_queue_exit(this.ptr);
    free(this.ptr);
  }
}

/** The error for a failed io_uring_setup: unavailable (fall back) or a real failure (throw). */
export function setupError(res: number): Error {
  const refused = setupRefusalError(res);
  if (refused) return refused;
  switch (errnoName(res)) {
    case 'EINVAL':
      return new DriverUnavailableError('uring', 'io_uring_setup: EINVAL (kernel refuses the ring parameters)');
    default:
      return errnoException(res, 'io_uring_setup');
  }
}

/** The value of the kernel.io_uring_disabled sysctl, or null where the kernel has none. */
export function ioUringDisabled(): number | null {
  try {
    return Number(readFileSync('/proc/sys/kernel/io_uring_disabled', 'utf8').trim());
  } catch {
    return null;
  }
}

/** Setup flags as names joined by '|' ('' for none). */
export function flagNames(flags: number): string {
  return Object.entries(IORING_SETUP)
    .filter(([, v]) => flags & v)
    .map(([k]) => k)
    .join('|');
}

function highestBit(n: number): number {
  return 1 << (31 - Math.clz32(n));
}
