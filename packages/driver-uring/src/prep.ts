/**
 * How each core op fills an SQE — the JS equivalent of liburing's header-inline
 * `io_uring_prep_*` helpers, which cannot be called through FFI.
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
import { OpCode, type Op } from '@rentio/core/driver';
import {
  AT_FDCWD, IORING_FSYNC_DATASYNC, IORING_OP_ACCEPT, IORING_OP_ASYNC_CANCEL, IORING_OP_BIND, IORING_OP_CLOSE,
  IORING_OP_CONNECT, IORING_OP_FSYNC, IORING_OP_FTRUNCATE, IORING_OP_LISTEN, IORING_OP_OPENAT, IORING_OP_READ,
  IORING_OP_RECV, IORING_OP_SEND, IORING_OP_SENDMSG, IORING_OP_SHUTDOWN, IORING_OP_SOCKET, IORING_OP_STATX, IORING_OP_TIMEOUT,
  IORING_OP_WRITE, IORING_OP_WRITEV, MSG_NOSIGNAL, SOCK_CLOEXEC,
} from './constants.js';
import { addressOf } from './ffi.js';
import { SCRATCH_SIZE, type Slab } from './slab.js';

/** The io_uring opcode each core op maps onto. */
export const IORING_OP_OF: Record<number, number> = {
  [OpCode.OPENAT]: IORING_OP_OPENAT,
  [OpCode.CLOSE]: IORING_OP_CLOSE,
  [OpCode.READ]: IORING_OP_READ,
  [OpCode.WRITE]: IORING_OP_WRITE,
  [OpCode.WRITEV]: IORING_OP_WRITEV,
  [OpCode.FSYNC]: IORING_OP_FSYNC,
  [OpCode.STATX]: IORING_OP_STATX,
  [OpCode.FTRUNCATE]: IORING_OP_FTRUNCATE,
  [OpCode.SOCKET]: IORING_OP_SOCKET,
  [OpCode.BIND]: IORING_OP_BIND,
  [OpCode.LISTEN]: IORING_OP_LISTEN,
  [OpCode.ACCEPT]: IORING_OP_ACCEPT,
  [OpCode.CONNECT]: IORING_OP_CONNECT,
  [OpCode.RECV]: IORING_OP_RECV,
  [OpCode.SEND]: IORING_OP_SEND,
  [OpCode.SHUTDOWN]: IORING_OP_SHUTDOWN,
  [OpCode.TIMEOUT]: IORING_OP_TIMEOUT,
};

/** slab.variant of a WRITEV: as SENDMSG (first choice at the current position), or as plain WRITEV. */
export const WRITEV_AS_SENDMSG = 0;
export const WRITEV_PLAIN = 1;
/** sizeof(struct msghdr) on x86-64, rounded to keep the iovecs after it 16-byte aligned. */
const MSGHDR_SIZE = 64;

/** user_data high word of an ASYNC_CANCEL SQE: never a slot generation (those stay below 2^31). */
export const USER_DATA_CANCEL = 0xffffffff;

/** Largest length one read/write moves (the kernel's MAX_RW_COUNT); a longer window completes short. */
const MAX_RW = 0x7ffff000;
const TWO32 = 4294967296;

/**
 * Fill the SQE at word `b` for `op`, which sits in `slot` of `slab`. user_data is the slot and its
 * generation.
 */
export function prepSqe(w: Uint32Array, b: number, op: Op, slab: Slab, slot: number): void {
  switch (op.code) {
    case OpCode.READ:
    case OpCode.WRITE:
      sqe(w, b, op.code === OpCode.READ ? IORING_OP_READ : IORING_OP_WRITE, op.fd, op.pos, bufAddr(op), clampLen(op.len), 0);
      break;
    case OpCode.RECV:
      sqe(w, b, IORING_OP_RECV, op.fd, 0, bufAddr(op), clampLen(op.len), op.flags);
      break;
    case OpCode.SEND:
      // MSG_NOSIGNAL: a peer that went away is EPIPE for this op, never SIGPIPE for the process.
      sqe(w, b, IORING_OP_SEND, op.fd, 0, bufAddr(op), clampLen(op.len), op.flags | MSG_NOSIGNAL);
      break;
    case OpCode.WRITEV:
      if (op.pos < 0 && slab.variant[slot] === WRITEV_AS_SENDMSG) {
        // At the current position: a socket (core's gather write) unless ENOTSOCK says otherwise
        // (then the driver resubmits it as WRITEV_PLAIN). SENDMSG carries MSG_NOSIGNAL; WRITEV
        // cannot, and each EPIPE would also raise SIGPIPE.
        sqe(w, b, IORING_OP_SENDMSG, op.fd, 0, gather(op, slab, slot, MSGHDR_SIZE), 1, MSG_NOSIGNAL);
      } else {
        sqe(w, b, IORING_OP_WRITEV, op.fd, op.pos, gather(op, slab, slot, 0), op.bufs!.length, 0);
      }
      break;
    case OpCode.OPENAT:
      sqe(w, b, IORING_OP_OPENAT, AT_FDCWD, 0, addr(op.path!), op.mode, op.flags);
      break;
    case OpCode.CLOSE:
      sqe(w, b, IORING_OP_CLOSE, op.fd, 0, 0, 0, 0);
      break;
    case OpCode.FSYNC:
      sqe(w, b, IORING_OP_FSYNC, op.fd, 0, 0, 0, op.flags & IORING_FSYNC_DATASYNC);
      break;
    case OpCode.STATX:
      // statx(fd, path, flags, mask, buf): addr = path, len = mask, off = statx buffer.
      sqe(w, b, IORING_OP_STATX, op.fd, addr(op.buf!), addr(op.path!), op.mode, op.flags);
      break;
    case OpCode.FTRUNCATE:
      sqe(w, b, IORING_OP_FTRUNCATE, op.fd, op.pos, 0, 0, 0);
      break;
    case OpCode.SOCKET:
      // socket(domain, type, protocol): fd = domain, off = type, len = protocol. Blocking on purpose:
      // io_uring polls internally, and O_NONBLOCK would turn waits into -EAGAIN results.
      sqe(w, b, IORING_OP_SOCKET, op.domain, op.sockType | SOCK_CLOEXEC, 0, op.protocol, 0);
      break;
    case OpCode.BIND:
      sqe(w, b, IORING_OP_BIND, op.fd, op.addrLen, addr(op.addr!), 0, 0);
      break;
    case OpCode.LISTEN:
      sqe(w, b, IORING_OP_LISTEN, op.fd, 0, 0, op.backlog, 0);
      break;
    case OpCode.ACCEPT: {
      // op.addr: sockaddr_storage, then the socklen_t the kernel reads and updates (addr2).
      const a = addr(op.addr!);
      sqe(w, b, IORING_OP_ACCEPT, op.fd, a + 128, a, 0, SOCK_CLOEXEC);
      break;
    }
    case OpCode.CONNECT:
      sqe(w, b, IORING_OP_CONNECT, op.fd, op.addrLen, addr(op.addr!), 0, 0);
      break;
    case OpCode.SHUTDOWN:
      sqe(w, b, IORING_OP_SHUTDOWN, op.fd, 0, 0, op.flags, 0);
      break;
    case OpCode.TIMEOUT: {
      // struct __kernel_timespec { i64 tv_sec; i64 tv_nsec } in the slot's scratch; len 1, off
      // (completion count) 0: a pure timer.
      const c = slab.scratchChunk(slot);
      const s = slab.scratchWord(slot);
      setU64(c, s, Math.floor(op.ns / 1e9));
      setU64(c, s + 2, op.ns % 1e9);
      sqe(w, b, IORING_OP_TIMEOUT, -1, 0, slab.scratchAddress(slot), 1, 0);
      break;
    }
    default:
      throw new Error(`rentio uring: no SQE for op code ${op.code}`);
  }
  w[b + 8] = slot;
  w[b + 9] = slab.gen[slot]!;
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

function sqe(w: Uint32Array, b: number, opcode: number, fd: number, off: number, address: number, len: number, opFlags: number): void {
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

/** Store a non-negative safe integer, or -1 (all ones: "current position"), as a little-endian u64. */
function setU64(w: Uint32Array, i: number, n: number): void {
  if (n < 0) {
    w[i] = 0xffffffff;
    w[i + 1] = 0xffffffff;
  } else {
    w[i] = n >>> 0;
    w[i + 1] = (n / TWO32) >>> 0;
  }
}

function addr(buf: Uint8Array): number {
  return Number(addressOf(buf));
}

function bufAddr(op: Op): number {
  return Number(addressOf(op.buf!)) + op.off;
}

function clampLen(len: number): number {
  return len > MAX_RW ? MAX_RW : len;
}

/**
 * struct iovec { void *base; size_t len } per buffer, after `header` bytes, in slot scratch or
 * (many buffers) slab.extra. With a header, it is a struct msghdr (x86-64, 56 bytes): msg_name 0,
 * msg_namelen 8, msg_iov 16, msg_iovlen 24, msg_control 32, msg_controllen 40, msg_flags 48.
 * Returns the address of the header (or of the iovecs when there is none).
 */
function gather(op: Op, slab: Slab, slot: number, header: number): number {
  const bufs = op.bufs!;
  const size = header + bufs.length * 16;
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
  if (header) {
    for (let k = 0; k < header >> 2; k++) w[i + k] = 0;
    setU64(w, i + 4, address + header);
    setU64(w, i + 6, bufs.length);
    i += header >> 2;
  }
  for (const buf of bufs) {
    setU64(w, i, Number(addressOf(buf)));
    setU64(w, i + 2, buf.byteLength);
    i += 4;
  }
  return address;
}
