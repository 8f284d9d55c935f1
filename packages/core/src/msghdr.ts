/**
 * The owned block of a SENDMSG / RECVMSG op: one piece of C-visible memory holding the
 * `struct msghdr`, its one `struct iovec` and the peer's `sockaddr`, every pointer filled by core,
 * so a driver hands the kernel a single address (`op.addr`) and nothing else.
 *
 * Layout (offsets from sys/abi.ts; on LP64 Linux, x86-64 and aarch64 alike):
 *   0   struct msghdr   msg_name 0 (ptr), msg_namelen 8 (u32), msg_iov 16 (ptr), msg_iovlen 24
 *                       (size_t), msg_control 32 (ptr), msg_controllen 40 (size_t), msg_flags 48 (int)
 *   56  struct iovec    iov_base 56 (ptr), iov_len 64 (size_t)
 *   72  sockaddr        up to sizeof(struct sockaddr_storage) = 128 bytes
 *
 * SAFETY: the block's own pointers (msg_name, msg_iov) point inside it, and iov_base into the
 * op's owned buffer; the op holds both (`op.addr`, `op.buf`) until it completes, so nothing the
 * kernel was given can be freed or reused before the CQE (uring) or the syscall's return (epoll).
 * Blocks are recycled through a per-socket free list only after their op completed.
 * @module
 */
import { MSG_TRUNC } from './constants.js';
import type { ErrnoContext } from './errors.js';
import { Op, OpCode } from './op.js';
import { ABI, abiFor } from './sys/abi.js';
import { addressOf } from './sys/libc.js';
import { AF_INET, decodeSockaddr, encodeSockaddr, SOCKADDR_STORAGE, type SocketAddressInfo } from './sockaddr.js';

// Offsets from the per-architecture layouts (sys/abi.ts). On an architecture rentio states no
// layouts for (ABI null) core still loads, but no driver opens (abiFor) and no block can be made
// (MsgBlock's constructor refuses), so the zero stand-ins below are never used.
const MSGHDR = ABI?.msghdr ?? { size: 0, name: 0, namelen: 0, iov: 0, iovlen: 0, control: 0, controllen: 0, flags: 0 };
const IOVEC = ABI?.iovec ?? { size: 0, base: 0, len: 0 };
const MSG_NAME = MSGHDR.name;
const MSG_NAMELEN = MSGHDR.namelen;
const MSG_IOV = MSGHDR.iov;
const MSG_IOVLEN = MSGHDR.iovlen;
const MSG_CONTROL = MSGHDR.control;
const MSG_CONTROLLEN = MSGHDR.controllen;
const MSG_FLAGS = MSGHDR.flags;
/** The iovec follows the msghdr, 8-byte aligned. */
const IOV = MSGHDR.size;
const IOV_BASE = IOV + IOVEC.base;
const IOV_LEN = IOV + IOVEC.len;
/** The peer sockaddr follows the iovec. */
const NAME = IOV + IOVEC.size;
/** Bytes of one block. */
export const MSG_BLOCK_SIZE = NAME + SOCKADDR_STORAGE;

/** Where a datagram came from, and whether it was cut to fit the window. */
export interface DatagramFrom extends SocketAddressInfo {
  /**
   * True when the datagram was longer than the window (the kernel's MSG_TRUNC in msg_flags): the
   * window holds its first bytes and the rest of that datagram is gone.
   */
  truncated: boolean;
}

/** One reusable block and its address (fixed for the block's life: its ArrayBuffer never moves). */
export class MsgBlock {
  readonly bytes = new Uint8Array(new ArrayBuffer(MSG_BLOCK_SIZE));
  readonly view = new DataView(this.bytes.buffer);
  readonly address = addressOf(this.bytes.buffer);
  readonly name = this.bytes.subarray(NAME);
  /** The destination encoded in `name` by the last send through this block (skip re-encoding it). */
  #lastAddress = '';
  #lastPort = -1;
  #lastNameLen = 0;
  /** The IPv4 peer last decoded from `name` (its address word as the kernel wrote it) and its text. */
  #fromIp4 = -1;
  #fromText = '';

  constructor() {
    if (!ABI) abiFor('rentio'); // throws DriverUnavailableError: no stated layouts on this architecture
    // The block's inner pointers never change: set them once.
    setPtr(this.view, MSG_IOV, this.address + IOV);
    setPtr(this.view, MSG_IOVLEN, 1);
  }

  /** Point the iovec at `buf[off, off + len)` and set the name: `nameLen` 0 means none (connected). */
  fill(buf: Uint8Array, off: number, len: number, nameLen: number): void {
    const v = this.view;
    setPtr(v, MSG_NAME, nameLen > 0 ? this.address + NAME : 0);
    v.setUint32(MSG_NAMELEN, nameLen, true);
    setPtr(v, MSG_CONTROL, 0);
    setPtr(v, MSG_CONTROLLEN, 0);
    v.setInt32(MSG_FLAGS, 0, true);
    setPtr(v, IOV_BASE, addressOf(buf) + off);
    setPtr(v, IOV_LEN, len);
  }

  /** Encode `address:port` as this block's name (cached: a socket usually sends to few peers). */
  encodeName(address: string, port: number): number {
    if (address !== this.#lastAddress || port !== this.#lastPort) {
      this.#lastNameLen = encodeSockaddr(address, port, this.name);
      this.#lastAddress = address;
      this.#lastPort = port;
    }
    return this.#lastNameLen;
  }

  /** A RECVMSG lets the kernel write the name: the send cache no longer describes it. */
  forgetName(): void {
    this.#lastPort = -1;
  }

  /** After RECVMSG: the peer and the truncation flag the kernel wrote back. */
  from(): DatagramFrom {
    const v = this.view;
    const truncated = (v.getInt32(MSG_FLAGS, true) & MSG_TRUNC) !== 0;
    if (v.getUint32(MSG_NAMELEN, true) === 0) return { address: '', family: 'IPv4', port: 0, truncated };
    // struct sockaddr_in: sin_family (u16) at 0, sin_port (big-endian u16) at 2, sin_addr at 4.
    if (v.getUint16(NAME, true) === AF_INET) {
      // A socket usually hears from few peers: keep the text of the last one instead of building
      // a string (and a DataView and an info object) per datagram.
      const ip = v.getUint32(NAME + 4, true);
      if (ip !== this.#fromIp4) {
        const b = this.name;
        this.#fromText = `${b[4]}.${b[5]}.${b[6]}.${b[7]}`;
        this.#fromIp4 = ip;
      }
      return { address: this.#fromText, family: 'IPv4', port: v.getUint16(NAME + 2, false), truncated };
    }
    const info = decodeSockaddr(this.name);
    return { address: info.address, family: info.family, port: info.port, truncated };
  }
}

/** Store a pointer or size_t (< 2^53) as a little-endian u64, without a BigInt per call. */
function setPtr(v: DataView, at: number, n: number): void {
  v.setUint32(at, n >>> 0, true);
  v.setUint32(at + 4, Math.floor(n / 4294967296), true);
}

/** A free list of blocks, one per datagram socket: ops in flight hold theirs, the rest wait here. */
export class MsgBlocks {
  #free: MsgBlock[] = [];

  take(): MsgBlock {
    return this.#free.pop() ?? new MsgBlock();
  }

  give(b: MsgBlock): void {
    // A burst of concurrent ops may have made many: keep a bounded few.
    if (this.#free.length < 64) this.#free.push(b);
  }
}

/**
 * A SENDMSG or RECVMSG op: holds its block until completion, resolves `[n, buf]` (send) or
 * `[n, buf, from]` (recv), then hands the block back to its socket's free list.
 */
export class MsgOp extends Op {
  readonly block: MsgBlock;
  readonly #pool: MsgBlocks;

  constructor(
    code: typeof OpCode.SENDMSG | typeof OpCode.RECVMSG,
    pool: MsgBlocks,
    buf: Uint8Array,
    off: number,
    len: number,
    ctx: ErrnoContext | undefined,
  ) {
    super(code);
    this.#pool = pool;
    this.block = pool.take();
    this.buf = buf;
    this.off = off;
    this.len = len;
    this.ctx = ctx;
    // INVARIANT: op.addr is the block's memory; the op (held by the driver) keeps it alive.
    this.addr = this.block.bytes;
    this.addrLen = MSG_BLOCK_SIZE;
  }

  /** Describe a send to `address:port` (or, both undefined, on a connected socket). */
  static send(
    pool: MsgBlocks,
    buf: Uint8Array,
    off: number,
    len: number,
    address: string | undefined,
    port: number | undefined,
    ctx: ErrnoContext | undefined,
  ): MsgOp {
    const op = new MsgOp(OpCode.SENDMSG, pool, buf, off, len, ctx);
    const nameLen = address === undefined ? 0 : op.block.encodeName(address, port!);
    op.block.fill(buf, off, len, nameLen);
    return op;
  }

  /** Describe a receive into `buf[off, off + len)`. */
  static recv(pool: MsgBlocks, buf: Uint8Array, off: number, len: number, ctx: ErrnoContext | undefined): MsgOp {
    const op = new MsgOp(OpCode.RECVMSG, pool, buf, off, len, ctx);
    op.block.forgetName();
    op.block.fill(buf, off, len, SOCKADDR_STORAGE);
    return op;
  }

  override complete(res: number): void {
    const first = this.pending;
    super.complete(res);
    // INVARIANT: complete() is the driver's last touch of the block; only now may it be reused.
    if (first) this.#pool.give(this.block);
  }

  protected override value(res: number): unknown {
    return this.code === OpCode.RECVMSG ? [res, this.buf, this.block.from()] : [res, this.buf];
  }
}
