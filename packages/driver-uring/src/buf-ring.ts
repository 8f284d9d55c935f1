/**
 * A provided-buffer ring (IORING_REGISTER_PBUF_RING, Linux 5.19): a buffer pool's free buffers
 * handed to the kernel, which picks one only when a buffer-select recv (IOSQE_BUFFER_SELECT,
 * `sqe.buf_group` = the pool's group) has bytes to put in it — so a recv waiting on an idle
 * socket holds no memory. The CQE names the buffer (`IORING_CQE_F_BUFFER`, id in `flags >> 16`);
 * core lends it out as a lease, and its release writes it back into the ring here.
 *
 * ABI (`<liburing/io_uring.h>`, the same on every architecture):
 * - `struct io_uring_buf { u64 addr @0; u32 len @8; u16 bid @12; u16 resv @14 }`, 16 bytes; the
 *   ring is `ring_entries` (a power of two) of them, and the ring's tail (u16) overlays
 *   `bufs[0].resv`, byte 14.
 * - `struct io_uring_buf_reg { u64 ring_addr @0; u32 ring_entries @8; u16 bgid @12; u16 flags @14;
 *   u64 resv[3] @16 }`, 40 bytes (liburing 2.3's header calls `flags` `pad`; the kernel reads it
 *   as flags: IOU_PBUF_RING_MMAP 1, IOU_PBUF_RING_INC 2).
 *
 * IOU_PBUF_RING_INC (6.12: the kernel consumes a buffer in pieces) is not used, although this
 * machine's kernel (6.18) accepts it (registering with flags 2 returns 0; `rentio doctor` probes
 * it): a lease owns a whole pool buffer, and its release detaches every view of that buffer so a
 * stale view can never read the next read's bytes; with incremental consumption several leases
 * would share one buffer and one release could not detach its own bytes without detaching its
 * siblings'. (Its gain — small messages packed into one buffer — matters for memory under many
 * busy connections, not idle ones, where no buffer is held either way.)
 * @module
 */
import type { PoolMemory, PoolProvider } from '@rentio/core/driver';
import { addressOf } from './ffi.js';
import type { Ring } from './ring.js';

/** sizeof(struct io_uring_buf). */
const BUF_SIZE = 16;
/** sizeof(struct io_uring_buf_reg). */
const BUF_REG_SIZE = 40;
/** u16 index of the ring tail (byte 14 of bufs[0]). */
const TAIL_U16 = 7;
/** The kernel pins the ring's pages: its address and size must be page-aligned. */
const PAGE = 4096;

/** One registered provided-buffer ring, fed from one pool. */
export class BufRing implements PoolProvider {
  readonly #ring: Ring;
  readonly #pool: PoolMemory;
  /** INVARIANT: kept reachable until unregistered — the kernel has the pages pinned and reads them. */
  readonly #mem: ArrayBuffer;
  readonly #u32: Uint32Array;
  readonly #u16: Uint16Array;
  readonly #mask: number;
  /** Each pool buffer's address, once looked up (0: not yet). */
  readonly #addrs: Float64Array;
  /** Our copy of the tail (the kernel only reads it). */
  #tail = 0;
  #registered = false;

  constructor(ring: Ring, pool: PoolMemory) {
    this.#ring = ring;
    this.#pool = pool;
    let entries = 1;
    while (entries < pool.count) entries <<= 1;
    const bytes = Math.max(PAGE, entries * BUF_SIZE);
    this.#mem = new ArrayBuffer(bytes + PAGE);
    const base = Number(addressOf(this.#mem));
    const skew = (PAGE - (base % PAGE)) % PAGE;
    this.#u32 = new Uint32Array(this.#mem, skew, bytes >> 2);
    this.#u16 = new Uint16Array(this.#mem, skew, bytes >> 1);
    this.#mask = entries - 1;
    this.#addrs = new Float64Array(pool.count);
    this.address = base + skew;
    this.entries = entries;
  }

  /** Address of the ring (page-aligned). */
  readonly address: number;
  /** Ring entries (a power of two >= the pool's count). */
  readonly entries: number;

  /** IORING_REGISTER_PBUF_RING, then every buffer of the pool into the ring. 0 or -errno. */
  register(): number {
    const reg = new Uint8Array(BUF_REG_SIZE);
    const dv = new DataView(reg.buffer);
    dv.setBigUint64(0, BigInt(this.address), true);
    dv.setUint32(8, this.entries, true);
    dv.setUint16(12, this.#pool.group, true);
    dv.setUint16(14, 0, true);
    const r = this.#ring.lib.io_uring_register_buf_ring(this.#ring.ptr, reg, 0);
    if (r < 0) return r;
    this.#registered = true;
    for (let bid = 0; bid < this.#pool.count; bid++) this.recycle(bid, this.#pool.buffer(bid));
    return 0;
  }

  /** IORING_UNREGISTER_PBUF_RING. 0 or -errno. */
  unregister(): number {
    if (!this.#registered) return 0;
    this.#registered = false;
    return this.#ring.lib.io_uring_unregister_buf_ring(this.#ring.ptr, this.#pool.group);
  }

  /**
   * io_uring_buf_ring_add + io_uring_buf_ring_advance(1): one buffer back to the kernel.
   * SAFETY: `buf` is the pool's buffer `bid`, which the pool keeps reachable while it is open,
   * and the pool is unregistered (core's POOL_UNREGISTER) before its memory is dropped.
   */
  recycle(bid: number, buf: Uint8Array): void {
    const i = (this.#tail & this.#mask) * (BUF_SIZE >> 2);
    // SAFETY: a pool buffer's memory never moves (a release's detach keeps the address,
    // transfer.ts), so its address is looked up once (a koffi call) and kept.
    const a = this.#addrs[bid] || (this.#addrs[bid] = Number(addressOf(buf)));
    this.#u32[i] = a >>> 0;
    this.#u32[i + 1] = Math.floor(a / 4294967296) >>> 0;
    this.#u32[i + 2] = buf.byteLength;
    // bid (u16 at byte 12); byte 14 is resv, which in entry 0 is the tail: leave it alone.
    this.#u16[(i << 1) + 6] = bid;
    this.#tail = (this.#tail + 1) & 0xffff;
    // io_uring_smp_store_release(&br->tail, tail): the entry is written before the kernel sees it.
    Atomics.store(this.#u16, TAIL_U16, this.#tail);
  }
}

/** IOU_PBUF_RING_INC: the kernel may consume a buffer in pieces (Linux 6.12). */
export const IOU_PBUF_RING_INC = 2;

/**
 * Does the kernel register a provided-buffer ring with these flags? (0: plain rings, 5.19;
 * IOU_PBUF_RING_INC: incremental consumption, 6.12.) Registers a one-page ring on `ring` under
 * group `bgid` and unregisters it.
 */
export function probePbufRing(ring: Ring, bgid: number, flags: number): boolean {
  const mem = new ArrayBuffer(2 * PAGE);
  const base = Number(addressOf(mem));
  const reg = new Uint8Array(BUF_REG_SIZE);
  const dv = new DataView(reg.buffer);
  dv.setBigUint64(0, BigInt(base + ((PAGE - (base % PAGE)) % PAGE)), true);
  dv.setUint32(8, 8, true);
  dv.setUint16(12, bgid, true);
  dv.setUint16(14, flags, true);
  if (ring.lib.io_uring_register_buf_ring(ring.ptr, reg, 0) < 0) return false;
  ring.lib.io_uring_unregister_buf_ring(ring.ptr, bgid);
  return true;
}
