/**
 * Writing one SQE from JS — the part of liburing's header-inline `io_uring_prep_*` helpers that
 * cannot be called through FFI. What each op puts in it is in ops.ts.
 *
 * An SQE is 16 u32 words (struct io_uring_sqe, 64 bytes):
 *   w0 opcode | flags << 8 | ioprio << 16   w1 fd        w2,w3 off / addr2   w4,w5 addr
 *   w6 len                                   w7 op flags  w8,w9 user_data     w10..w15 zero here
 * Like `io_uring_prep_rw`, every word is written, so nothing of a previous SQE in the slot leaks.
 *
 * SAFETY: every address written here points into memory the op (held by the slab until its CQE)
 * or the slab's scratch keeps alive: `op.buf`, `op.bufs`, `op.path`, `op.addr`, slot scratch.
 * Windows were checked by core (`off + len <= buf.byteLength`); they are not widened here.
 * @module
 */
import { abiFor, type Op } from '@rentio/core/driver';
import { IORING_OP_ASYNC_CANCEL } from './constants.js';
import { addressOf } from './ffi.js';
import { SCRATCH_SIZE, type Slab } from './slab.js';

/** user_data high word of an ASYNC_CANCEL SQE: never a slot generation (those stay below 2^31). */
export const USER_DATA_CANCEL = 0xffffffff;

/** Largest length one read/write moves (the kernel's MAX_RW_COUNT); a longer window completes short. */
const MAX_RW = 0x7ffff000;
const TWO32 = 4294967296;
// index.ts refused to open where the layouts are not stated: abiFor does not throw here.
const { msghdr: MSGHDR, iovec: IOVEC } = abiFor('uring');

/** Write every word of the SQE at word `b` but user_data (set by {@link setUserData}). */
export function sqe(w: Uint32Array, b: number, opcode: number, fd: number, off: number, address: number, len: number, opFlags: number): void {
  w[b] = opcode;
  w[b + 1] = fd;
  setU64(w, b + 2, off);
  setU64(w, b + 4, address);
  w[b + 6] = len;
  w[b + 7] = opFlags;
  w[b + 10] = 0;
  w[b + 11] = 0;
  w[b + 12] = 0;
  w[b + 13] = 0;
  w[b + 14] = 0;
  w[b + 15] = 0;
}

/** user_data = the slot (low word) and its generation (high word). */
export function setUserData(w: Uint32Array, b: number, slot: number, gen: number): void {
  w[b + 8] = slot;
  w[b + 9] = gen;
}

/** Fill an ASYNC_CANCEL SQE aimed at the op in `slot` with generation `gen`. */
export function prepCancel(w: Uint32Array, b: number, slot: number, gen: number): void {
  sqe(w, b, IORING_OP_ASYNC_CANCEL, -1, 0, 0, 0, 0);
  // addr = the target's user_data.
  w[b + 4] = slot;
  w[b + 5] = gen;
  w[b + 8] = 0;
  w[b + 9] = USER_DATA_CANCEL;
}

/** Store a non-negative safe integer, or -1 (all ones: "current position"), as a little-endian u64. */
export function setU64(w: Uint32Array, i: number, n: number): void {
  if (n < 0) {
    w[i] = 0xffffffff;
    w[i + 1] = 0xffffffff;
  } else {
    w[i] = n >>> 0;
    w[i + 1] = (n / TWO32) >>> 0;
  }
}

/** Address of a whole owned buffer (path, sockaddr, statx buffer). */
export function addr(buf: Uint8Array): number {
  return Number(addressOf(buf));
}

/** Address of the op's window `buf[off..]`. */
export function bufAddr(op: Op): number {
  return Number(addressOf(op.buf!)) + op.off;
}

/** A window longer than one read/write can move completes short instead of failing. */
export function clampLen(len: number): number {
  return len > MAX_RW ? MAX_RW : len;
}

/**
 * struct iovec per buffer, after `header` bytes, in slot scratch or (many buffers) slab.extra.
 * With a header, it is a struct msghdr whose msg_iov/msg_iovlen point at the iovecs.
 * Returns the address of the header (or of the iovecs when there is none).
 */
export function gather(op: Op, slab: Slab, slot: number, header: number): number {
  const bufs = op.bufs!;
  const size = header + bufs.length * IOVEC.size;
  let w: Uint32Array;
  let i: number;
  let address: number;
  if (size <= SCRATCH_SIZE) {
    w = slab.scratchChunk(slot);
    i = slab.scratchWord(slot);
    address = slab.scratchAddress(slot);
  } else {
    // INVARIANT: slab.extra keeps this memory reachable until the slot is released after the CQE.
    const mem = new ArrayBuffer(size);
    slab.extra[slot] = mem;
    w = new Uint32Array(mem);
    i = 0;
    address = Number(addressOf(mem));
  }
  // Offsets are in bytes in abi.ts and in u32 words here (>> 2).
  if (header) {
    for (let k = 0; k < header >> 2; k++) w[i + k] = 0;
    setU64(w, i + (MSGHDR.iov >> 2), address + header);
    setU64(w, i + (MSGHDR.iovlen >> 2), bufs.length);
    i += header >> 2;
  }
  for (const buf of bufs) {
    setU64(w, i + (IOVEC.base >> 2), Number(addressOf(buf)));
    setU64(w, i + (IOVEC.len >> 2), buf.byteLength);
    i += IOVEC.size >> 2;
  }
  return address;
}
