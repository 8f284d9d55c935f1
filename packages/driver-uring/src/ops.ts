/**
 * The uring op table: for each core `OpCode`, the io_uring opcode it becomes, how its SQE is
 * filled, and — for opcodes newer kernels added — the synchronous libc call used when the running
 * kernel lacks it. This is the one place an op lives in this driver.
 *
 * Adding an op: add its code in core's op.ts, then one entry here (the test
 * test/conformance/op-tables.test.mjs fails until every code has one).
 *
 * SAFETY: see sqe.ts — every address written points into memory the op or the slab keeps alive
 * until the op's CQE.
 * @module
 */
import { abiFor, addressOf, OpCode, SOCKADDR_STORAGE, type Op } from '@rentio/core/driver';
import {
  AT_FDCWD,
  IORING_FSYNC_DATASYNC,
  IORING_OP_ACCEPT,
  IORING_OP_BIND,
  IORING_OP_CLOSE,
  IORING_OP_CONNECT,
  IORING_OP_FSYNC,
  IORING_OP_FTRUNCATE,
  IORING_OP_LISTEN,
  IORING_OP_OPENAT,
  IORING_OP_READ,
  IORING_OP_RECV,
  IORING_OP_RECVMSG,
  IORING_OP_SEND,
  IORING_OP_SEND_ZC,
  IORING_OP_SENDMSG,
  IORING_OP_SPLICE,
  IORING_SEND_ZC_REPORT_USAGE,
  IORING_OP_SHUTDOWN,
  IORING_OP_SOCKET,
  IORING_OP_STATX,
  IORING_OP_TIMEOUT,
  IORING_OP_UNLINKAT,
  IORING_OP_WRITE,
  IORING_OP_WRITEV,
  IORING_ACCEPT_MULTISHOT,
  IORING_RECV_MULTISHOT,
  IOSQE_BUFFER_SELECT,
  MSG_NOSIGNAL,
  MSG_TRUNC,
  SOCK_CLOEXEC,
} from './constants.js';
import type { Libc } from './ffi.js';
import type { Slab } from './slab.js';
import { singleShotBlock } from './multishot-recvmsg.js';
import { spliceFlowOf } from './splice.js';
import { addr, bufAddr, clampLen, gather, setU64, sqe } from './sqe.js';

/** How one core op runs under io_uring. */
export interface UringOp {
  /**
   * The io_uring opcode (`IORING_OP_*`) the op is submitted as; null when io_uring has none (the
   * op always runs its libc `fallback`).
   */
  readonly opcode: number | null;
  /** Fill the SQE at word `b` for `op`, which sits in `slot` of `slab` (user_data is set by the caller). */
  readonly prep: (w: Uint32Array, b: number, op: Op, slab: Slab, slot: number) => void;
  /**
   * When the kernel lacks `opcode`: the same syscall through libc, synchronously (result, or < 0
   * with errno set). Absent: the opcode is required, and the driver is unavailable without it.
   */
  readonly fallback?: (op: Op, libc: Libc) => number;
}

/** slab.variant of a SEND: plain (0), or as IORING_OP_SEND_ZC (set at submit, see driver.ts). */
export const SEND_AS_ZC = 1;
/** slab.variant of a WRITEV: as SENDMSG (first choice at the current position), or as plain WRITEV. */
export const WRITEV_AS_SENDMSG = 0;
export const WRITEV_PLAIN = 1;
/** slab.variant of a RECV_POOL: a multishot carrier (multishot-recv.ts) rather than one recv. */
export const RECV_MULTISHOT = 1;
/** slab.variant of an ACCEPT: a multishot carrier (multishot-accept.ts) rather than one accept. */
export const ACCEPT_MULTISHOT = 1;
// index.ts refused to open where the layouts are not stated: abiFor does not throw here.
const { msghdr: MSGHDR, timespec: TIMESPEC } = abiFor('uring');
/** sizeof(struct msghdr), rounded up to keep the iovecs after it 16-byte aligned. */
const MSGHDR_SIZE = (MSGHDR.size + 15) & ~15;

/** Every core op, by code. */
export const URING_OPS: Readonly<Record<OpCode, UringOp>> = {
  [OpCode.OPENAT]: {
    opcode: IORING_OP_OPENAT,
    prep: (w, b, op) => sqe(w, b, IORING_OP_OPENAT, AT_FDCWD, 0, addr(op.path!), op.mode, op.flags),
  },
  [OpCode.CLOSE]: {
    opcode: IORING_OP_CLOSE,
    prep: (w, b, op) => sqe(w, b, IORING_OP_CLOSE, op.fd, 0, 0, 0, 0),
  },
  [OpCode.READ]: {
    opcode: IORING_OP_READ,
    prep: (w, b, op) => sqe(w, b, IORING_OP_READ, op.fd, op.pos, bufAddr(op), clampLen(op.len), 0),
  },
  [OpCode.WRITE]: {
    opcode: IORING_OP_WRITE,
    prep: (w, b, op) => sqe(w, b, IORING_OP_WRITE, op.fd, op.pos, bufAddr(op), clampLen(op.len), 0),
  },
  [OpCode.WRITEV]: {
    opcode: IORING_OP_WRITEV,
    prep: (w, b, op, slab, slot) => {
      if (op.pos < 0 && slab.variant[slot] === WRITEV_AS_SENDMSG) {
        // At the current position: a socket (core's gather write) unless ENOTSOCK says otherwise
        // (then the driver resubmits it as WRITEV_PLAIN). SENDMSG carries MSG_NOSIGNAL; WRITEV
        // cannot, and each EPIPE would also raise SIGPIPE.
        sqe(w, b, IORING_OP_SENDMSG, op.fd, 0, gather(op, slab, slot, MSGHDR_SIZE), 1, MSG_NOSIGNAL);
      } else {
        sqe(w, b, IORING_OP_WRITEV, op.fd, op.pos, gather(op, slab, slot, 0), op.bufs!.length, 0);
      }
    },
  },
  [OpCode.FSYNC]: {
    opcode: IORING_OP_FSYNC,
    prep: (w, b, op) => sqe(w, b, IORING_OP_FSYNC, op.fd, 0, 0, 0, op.flags & IORING_FSYNC_DATASYNC),
  },
  [OpCode.STATX]: {
    opcode: IORING_OP_STATX,
    // statx(fd, path, flags, mask, buf): addr = path, len = mask, off = statx buffer.
    prep: (w, b, op) => sqe(w, b, IORING_OP_STATX, op.fd, addr(op.buf!), addr(op.path!), op.mode, op.flags),
  },
  [OpCode.FTRUNCATE]: {
    opcode: IORING_OP_FTRUNCATE,
    prep: (w, b, op) => sqe(w, b, IORING_OP_FTRUNCATE, op.fd, op.pos, 0, 0, 0),
    fallback: (op, libc) => libc.ftruncate(op.fd, op.pos),
  },
  [OpCode.SOCKET]: {
    opcode: IORING_OP_SOCKET,
    // socket(domain, type, protocol): fd = domain, off = type, len = protocol. Blocking on purpose:
    // io_uring polls internally, and O_NONBLOCK would turn waits into -EAGAIN results.
    prep: (w, b, op) => sqe(w, b, IORING_OP_SOCKET, op.domain, op.sockType | SOCK_CLOEXEC, 0, op.protocol, 0),
    fallback: (op, libc) => libc.socket(op.domain, op.sockType | SOCK_CLOEXEC, op.protocol),
  },
  [OpCode.BIND]: {
    opcode: IORING_OP_BIND,
    prep: (w, b, op) => sqe(w, b, IORING_OP_BIND, op.fd, op.addrLen, addr(op.addr!), 0, 0),
    fallback: (op, libc) => libc.bind(op.fd, addressOf(op.addr!), op.addrLen),
  },
  [OpCode.LISTEN]: {
    opcode: IORING_OP_LISTEN,
    prep: (w, b, op) => sqe(w, b, IORING_OP_LISTEN, op.fd, 0, 0, op.backlog, 0),
    fallback: (op, libc) => libc.listen(op.fd, op.backlog),
  },
  [OpCode.ACCEPT]: {
    opcode: IORING_OP_ACCEPT,
    prep: (w, b, op, slab, slot) => {
      if (slab.variant[slot] === ACCEPT_MULTISHOT) {
        // multishot-accept.ts's carrier: IORING_ACCEPT_MULTISHOT in sqe->ioprio (word 0's high
        // half), no address (one SQE cannot hold one per connection; getpeername fills it).
        sqe(w, b, IORING_OP_ACCEPT, op.fd, 0, 0, 0, SOCK_CLOEXEC);
        w[b] = IORING_OP_ACCEPT | (IORING_ACCEPT_MULTISHOT << 16);
        return;
      }
      // op.addr: sockaddr_storage, then the socklen_t the kernel reads and updates (addr2).
      const a = addr(op.addr!);
      sqe(w, b, IORING_OP_ACCEPT, op.fd, a + SOCKADDR_STORAGE, a, 0, SOCK_CLOEXEC);
    },
  },
  [OpCode.CONNECT]: {
    opcode: IORING_OP_CONNECT,
    prep: (w, b, op) => sqe(w, b, IORING_OP_CONNECT, op.fd, op.addrLen, addr(op.addr!), 0, 0),
  },
  [OpCode.RECV]: {
    opcode: IORING_OP_RECV,
    prep: (w, b, op) => sqe(w, b, IORING_OP_RECV, op.fd, 0, bufAddr(op), clampLen(op.len), op.flags),
  },
  [OpCode.SEND]: {
    opcode: IORING_OP_SEND,
    // MSG_NOSIGNAL: a peer that went away is EPIPE for this op, never SIGPIPE for the process.
    // As SEND_ZC (a write at or above the driver's zero-copy threshold, where the kernel has it):
    // the same fields, and IORING_SEND_ZC_REPORT_USAGE in ioprio so the notification says
    // whether the kernel copied after all (stats().zcCopied).
    prep: (w, b, op, slab, slot) => {
      if (slab.variant[slot] !== SEND_AS_ZC) return sqe(w, b, IORING_OP_SEND, op.fd, 0, bufAddr(op), clampLen(op.len), op.flags | MSG_NOSIGNAL);
      sqe(w, b, IORING_OP_SEND_ZC, op.fd, 0, bufAddr(op), clampLen(op.len), op.flags | MSG_NOSIGNAL);
      w[b] = w[b]! | (IORING_SEND_ZC_REPORT_USAGE << 16);
    },
  },
  [OpCode.SHUTDOWN]: {
    opcode: IORING_OP_SHUTDOWN,
    prep: (w, b, op) => sqe(w, b, IORING_OP_SHUTDOWN, op.fd, 0, 0, op.flags, 0),
  },
  [OpCode.TIMEOUT]: {
    opcode: IORING_OP_TIMEOUT,
    prep: (w, b, op, slab, slot) => {
      // struct __kernel_timespec { i64 tv_sec; i64 tv_nsec } in the slot's scratch; len 1, off
      // (completion count) 0: a pure timer.
      const c = slab.scratchChunk(slot);
      const s = slab.scratchWord(slot);
      setU64(c, s + (TIMESPEC.sec >> 2), Math.floor(op.ns / 1e9));
      setU64(c, s + (TIMESPEC.nsec >> 2), op.ns % 1e9);
      sqe(w, b, IORING_OP_TIMEOUT, -1, 0, slab.scratchAddress(slot), 1, 0);
    },
  },
  [OpCode.SENDMSG]: {
    opcode: IORING_OP_SENDMSG,
    // io_uring_prep_sendmsg: addr = the struct msghdr, len = 1, msg_flags in word 7. op.addr is
    // the one block core built (msghdr, iovec, peer sockaddr; pointers filled): the slab holds the
    // op, so the block and the buffer its iovec points at live until the CQE.
    prep: (w, b, op) => sqe(w, b, IORING_OP_SENDMSG, op.fd, 0, addr(op.addr!), 1, op.flags | MSG_NOSIGNAL),
  },
  [OpCode.RECVMSG]: {
    opcode: IORING_OP_RECVMSG,
    // As SENDMSG; the kernel writes msg_namelen, msg_flags and the peer address into op.addr.
    prep: (w, b, op) => sqe(w, b, IORING_OP_RECVMSG, op.fd, 0, addr(op.addr!), 1, op.flags),
  },
  [OpCode.CHMOD]: {
    // io_uring has no chmod: always the libc call (a metadata update; core uses it once per
    // listen({ path, readableAll | writableAll })).
    opcode: null,
    prep: () => {
      throw new Error('rentio uring: CHMOD has no io_uring opcode (it runs its libc fallback)');
    },
    fallback: (op, libc) => libc.fchmodat(AT_FDCWD, addressOf(op.path!), op.mode, 0),
  },
  [OpCode.UNLINK]: {
    opcode: IORING_OP_UNLINKAT,
    // io_uring_prep_unlinkat: fd = dirfd, addr = path, len 0, unlink_flags (word 7) 0.
    prep: (w, b, op) => sqe(w, b, IORING_OP_UNLINKAT, AT_FDCWD, 0, addr(op.path!), 0, 0),
    fallback: (op, libc) => libc.unlinkat(AT_FDCWD, addressOf(op.path!), 0),
  },
  [OpCode.SENDFILE]: {
    opcode: IORING_OP_SPLICE,
    // file → pipe, then pipe → socket, one splice per SQE: splice.ts.
    prep: (w, b, op, slab, slot) => spliceFlowOf(slab).prep(w, b, op, slab, slot),
  },
  [OpCode.RECV_POOL]: {
    opcode: IORING_OP_RECV,
    // io_uring_prep_recv(sqe, fd, NULL, pool.size, flags) with IOSQE_BUFFER_SELECT and
    // sqe->buf_group (u16 at byte 40, word 10): the kernel picks a buffer of the pool's ring only
    // when bytes arrive; the CQE names it (driver.ts sets op.bid). An empty ring: -ENOBUFS.
    // RECV_MULTISHOT variant (multishot-recv.ts's carrier): IORING_RECV_MULTISHOT in sqe->ioprio
    // (the high half of word 0), and len 0 — the kernel refuses a length on a multishot RECV
    // before 6.10; each chunk is at most one pool buffer anyway.
    prep: (w, b, op, slab, slot) => {
      const pool = op.pool!;
      const multi = slab.variant[slot] === RECV_MULTISHOT;
      sqe(w, b, IORING_OP_RECV, op.fd, 0, 0, multi ? 0 : pool.size, op.flags);
      w[b] = IORING_OP_RECV | (IOSQE_BUFFER_SELECT << 8) | (multi ? IORING_RECV_MULTISHOT << 16 : 0);
      w[b + 10] = pool.group;
    },
  },
  [OpCode.RECVMSG_POOL]: {
    opcode: IORING_OP_RECVMSG,
    // io_uring_prep_recvmsg_multishot(sqe, fd, msghdr, 0) with IOSQE_BUFFER_SELECT and
    // sqe->buf_group: multishot-recvmsg.ts's carrier, its msghdr (op.addr) naming only
    // msg_namelen — each CQE's buffer then holds io_uring_recvmsg_out, the name, the payload.
    // Without multishot: one plain buffer-select RECVMSG, its block made by singleShotBlock, the
    // payload moved behind a header at its CQE (singleShotDatagram); MSG_TRUNC so the result is
    // the datagram's real length.
    prep: (w, b, op, slab, slot) => {
      const multi = slab.variant[slot] === RECV_MULTISHOT;
      sqe(w, b, IORING_OP_RECVMSG, op.fd, 0, multi ? addr(op.addr!) : singleShotBlock(op), 1, multi ? 0 : MSG_TRUNC);
      w[b] = IORING_OP_RECVMSG | (IOSQE_BUFFER_SELECT << 8) | (multi ? IORING_RECV_MULTISHOT << 16 : 0);
      w[b + 10] = op.pool!.group;
    },
  },
  // Registering a ring is an io_uring_register call, not an SQE: driver.ts runs both at submit.
  [OpCode.POOL_REGISTER]: { opcode: null, prep: notAnSqe, fallback: notAFallback },
  [OpCode.POOL_UNREGISTER]: { opcode: null, prep: notAnSqe, fallback: notAFallback },
};

function notAnSqe(): never {
  throw new Error('rentio uring: buffer pool (un)registration is done by the driver at submit, never as an SQE');
}

function notAFallback(): never {
  throw new Error('rentio uring: buffer pool (un)registration is done by the driver at submit');
}
