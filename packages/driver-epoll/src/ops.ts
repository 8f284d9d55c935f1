/**
 * The epoll op table: for each core `OpCode`, how it runs under the readiness model and the
 * syscall it makes. This is the one place an op lives in this driver; driver.ts only dispatches
 * on {@link Run}; a file op's `job` names the blocking call a file worker runs for it, in
 * file-jobs.ts (a module apart so that a worker never loads koffi, which this one does).
 *
 * How an op runs ({@link Run}):
 * - `READINESS`: try the nonblocking syscall at once; on EAGAIN wait in the registry until the fd
 *   turns readable (`write` false) or writable, then retry (poll semantics, as mio/tokio do).
 * - `FILE`: a blocking syscall on a file worker thread (regular files cannot be polled: epoll_ctl
 *   gives EPERM), the trade libuv and tokio make.
 * - `FILE_OR_READINESS`: `pollable(op)` decides — readiness for sockets, FIFOs and character
 *   devices (a worker blocked in read(2) could never be cancelled), a worker otherwise.
 * - `NOW`: one nonblocking syscall, completed at once (it never waits).
 * - `TIMER`: the driver's timer heap and its one timerfd.
 *
 * Adding an op: add its code in core's op.ts, then one entry here (and one in driver-uring's
 * ops.ts); test/conformance/op-tables.test.mjs fails until every code has an entry.
 *
 * SAFETY: addresses passed to the kernel point into memory the op owns (`buf`, `bufs`, `path`,
 * `addr`) and keeps reachable until it completes, or into the driver's scratch, which the kernel
 * is done with when the synchronous call returns.
 * @module
 */
import { OpCode, SOCKADDR_STORAGE, type FdSet, type Op } from '@rentio/core/driver';
import { EAGAIN, EINPROGRESS, EINTR, ENOBUFS, MSG_NOSIGNAL, RWF_NOWAIT, SOCK_CLOEXEC, SOCK_NONBLOCK } from './constants.js';
import * as ffi from './ffi.js';
import { FileJob, type FileJobId } from './file-jobs.js';
import { recvmmsgPooled } from './recvmmsg.js';

/** How an op runs; see the module comment. */
export const Run = { READINESS: 0, FILE: 1, FILE_OR_READINESS: 2, NOW: 3, TIMER: 4 } as const;
export type Run = (typeof Run)[keyof typeof Run];

/** What an op's main-thread syscall may use of the driver. */
export interface EpollHost {
  /** fds made by SOCKET or ACCEPT (nonblocking sockets). */
  readonly sockets: FdSet;
  /** A pollable opened fd (FIFO, character device, socket)? Decided once per fd. */
  pollable(fd: number): boolean;
  /** One struct iovec for the op's buffer window, in the driver's scratch: its address, valid until the next call. */
  iov(op: Op): number;
  /** struct msghdr + iovecs for `bufs` in the driver's scratch, valid until the next call. */
  msghdr(bufs: Uint8Array[]): Uint8Array;
  /** getsockopt(fd, SOL_SOCKET, SO_ERROR): the pending socket error (0 = none), or -errno. */
  soError(fd: number): number;
  /** Forget every readiness interest and cache for `fd`. INVARIANT: called before close(2). */
  forget(fd: number): void;
}

/**
 * A main-thread syscall: its result, or -errno (-EAGAIN: not ready yet, wait). -EINTR is retried
 * by the driver.
 */
export type Syscall = (op: Op, host: EpollHost) => number;

/** How one core op runs under epoll. */
export interface EpollOp {
  readonly run: Run;
  /** READINESS: the readiness the op waits for — writable (true) or readable (false). */
  readonly write?: boolean;
  /** READINESS, NOW, and the readiness side of FILE_OR_READINESS: the nonblocking syscall. */
  readonly syscall?: Syscall;
  /** READINESS: the first attempt, when it differs from the retries (CONNECT). */
  readonly start?: Syscall;
  /** FILE_OR_READINESS: true when this op takes the readiness path. */
  readonly pollable?: (op: Op, host: EpollHost) => boolean;
  /**
   * FILE_OR_READINESS, the file side: a first try on the main thread that never blocks — its
   * result (>= 0), or < 0 to hand the op to a file worker (which reports the real error, if any).
   */
  readonly nowait?: Syscall;
  /** FILE and FILE_OR_READINESS: the blocking call a file worker runs (file-jobs.ts). */
  readonly job?: FileJobId;
}

/** r from libc → result or -errno. */
function res(r: number): number {
  return r < 0 ? -ffi.errno() : r;
}

function bufAddr(op: Op): number {
  return ffi.addressOf(op.buf!) + op.off;
}

// sendfile(2)'s off_t, read and advanced by the kernel: one for the driver's life, as every
// call is synchronous on the main thread.
const sendfileOff = new BigInt64Array(1);
const sendfileOffAddr = ffi.addressOf(new Uint8Array(sendfileOff.buffer));

/** Every core op, by code. */
export const EPOLL_OPS: Readonly<Record<OpCode, EpollOp>> = {
  [OpCode.OPENAT]: {
    run: Run.FILE,
    job: FileJob.OPENAT,
  },
  [OpCode.CLOSE]: {
    run: Run.NOW,
    syscall: (op, host) => {
      host.forget(op.fd);
      // Linux frees the descriptor before close(2) can return EINTR (close(2), NOTES): the close
      // is done, and the driver's EINTR retry must never close the number again — by then it may
      // belong to another open.
      const r = res(ffi.close(op.fd));
      return r === -EINTR ? 0 : r;
    },
  },
  [OpCode.READ]: {
    run: Run.FILE_OR_READINESS,
    write: false,
    pollable: (op, host) => host.pollable(op.fd),
    syscall: (op) => res(op.pos < 0 ? ffi.read(op.fd, bufAddr(op), op.len) : ffi.pread(op.fd, bufAddr(op), op.len, op.pos)),
    // A page-cache hit is read here, in ~1-2 µs, instead of a round trip through a file thread
    // (a wake of that thread and of this one: tens of µs on a shared VM). preadv2's offset -1 is
    // the file position, as read(2). A miss (EAGAIN), or a file system without RWF_NOWAIT
    // (EOPNOTSUPP), goes to a worker. May be short when only part of the window is cached: a
    // short read, as read(2) may return at any time.
    nowait: (op, host) => res(ffi.preadv2(op.fd, host.iov(op), 1, op.pos, RWF_NOWAIT)),
    job: FileJob.READ,
  },
  [OpCode.WRITE]: {
    run: Run.FILE_OR_READINESS,
    write: true,
    pollable: (op, host) => host.pollable(op.fd),
    syscall: (op) => res(op.pos < 0 ? ffi.write(op.fd, bufAddr(op), op.len) : ffi.pwrite(op.fd, bufAddr(op), op.len, op.pos)),
    job: FileJob.WRITE,
  },
  [OpCode.WRITEV]: {
    run: Run.FILE_OR_READINESS,
    write: true,
    // Sockets only: sendmsg carries MSG_NOSIGNAL, which writev(2) cannot.
    pollable: (op, host) => host.sockets.has(op.fd),
    syscall: (op, host) => res(ffi.sendmsg(op.fd, host.msghdr(op.bufs!), MSG_NOSIGNAL)),
    job: FileJob.WRITEV,
  },
  [OpCode.FSYNC]: {
    run: Run.FILE,
    job: FileJob.FSYNC,
  },
  [OpCode.STATX]: {
    run: Run.FILE,
    job: FileJob.STATX,
  },
  [OpCode.FTRUNCATE]: {
    run: Run.FILE,
    job: FileJob.FTRUNCATE,
  },
  [OpCode.SOCKET]: {
    run: Run.NOW,
    syscall: (op, host) => {
      const r = res(ffi.socket(op.domain, op.sockType | SOCK_NONBLOCK | SOCK_CLOEXEC, op.protocol));
      if (r >= 0) host.sockets.add(r);
      return r;
    },
  },
  [OpCode.BIND]: {
    run: Run.NOW,
    syscall: (op) => res(ffi.bind(op.fd, ffi.addressOf(op.addr!), op.addrLen)),
  },
  [OpCode.LISTEN]: {
    run: Run.NOW,
    syscall: (op) => res(ffi.listen(op.fd, op.backlog)),
  },
  [OpCode.ACCEPT]: {
    run: Run.READINESS,
    write: false,
    syscall: (op, host) => {
      // op.addr: sockaddr_storage, then the socklen_t accept4 reads and updates.
      const a = ffi.addressOf(op.addr!);
      const r = res(ffi.accept4(op.fd, a, a + SOCKADDR_STORAGE, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (r >= 0) host.sockets.add(r);
      return r;
    },
  },
  [OpCode.CONNECT]: {
    run: Run.READINESS,
    write: true,
    // A nonblocking connect says EINPROGRESS (or EINTR: it goes on in the background); the
    // socket turns writable when it finished, and SO_ERROR says how.
    start: (op) => {
      const r = res(ffi.connect(op.fd, ffi.addressOf(op.addr!), op.addrLen));
      return r === -EINPROGRESS || r === -EINTR ? -EAGAIN : r;
    },
    syscall: (op, host) => {
      const err = host.soError(op.fd);
      return err > 0 ? -err : err;
    },
  },
  [OpCode.RECV]: {
    run: Run.READINESS,
    write: false,
    syscall: (op) => res(ffi.recv(op.fd, bufAddr(op), op.len, op.flags)),
  },
  [OpCode.SEND]: {
    run: Run.READINESS,
    write: true,
    // MSG_NOSIGNAL: a peer that went away is EPIPE for this op, never SIGPIPE for the process.
    // No MSG_ZEROCOPY (uring's sendZcThreshold has no epoll counterpart): its completions come
    // through the socket's error queue (one recvmsg(MSG_ERRQUEUE) per batch, on EPOLLERR), and on
    // loopback the kernel copies anyway — see bench/RESULTS.md, "Zero-copy send".
    syscall: (op) => res(ffi.send(op.fd, bufAddr(op), op.len, op.flags | MSG_NOSIGNAL)),
  },
  [OpCode.SHUTDOWN]: {
    run: Run.NOW,
    syscall: (op) => res(ffi.shutdown(op.fd, op.flags)),
  },
  [OpCode.TIMEOUT]: {
    run: Run.TIMER,
  },
  [OpCode.SENDMSG]: {
    run: Run.READINESS,
    write: true,
    // op.addr: the struct msghdr core built (iovec and peer sockaddr inside the same block).
    syscall: (op) => res(ffi.sendmsg(op.fd, op.addr!, op.flags | MSG_NOSIGNAL)),
  },
  [OpCode.RECVMSG]: {
    run: Run.READINESS,
    write: false,
    // One datagram per call; the kernel writes msg_namelen, msg_flags and the sender into op.addr.
    syscall: (op) => res(ffi.recvmsg(op.fd, op.addr!, op.flags)),
  },
  [OpCode.CHMOD]: {
    // A path op: it may block on a slow filesystem, so on a file worker like open/stat.
    run: Run.FILE,
    job: FileJob.CHMOD,
  },
  [OpCode.UNLINK]: {
    run: Run.FILE,
    job: FileJob.UNLINK,
  },
  [OpCode.SENDFILE]: {
    run: Run.READINESS,
    write: true,
    // sendfile(2) when the socket is writable: the nonblocking socket takes what fits (a short
    // count) or says EAGAIN. The file side reads the page cache on this thread, as nginx's
    // sendfile does; a cold file blocks the loop for its disk reads. pos -1: the file's own
    // position (offset NULL).
    syscall: (op) => {
      if (op.pos < 0) return res(ffi.sendfile(op.fd, op.fdIn, 0, op.len));
      sendfileOff[0] = BigInt(op.pos);
      return res(ffi.sendfile(op.fd, op.fdIn, sendfileOffAddr, op.len));
    },
  },
  [OpCode.RECV_POOL]: {
    run: Run.READINESS,
    write: false,
    // A pool buffer is taken only for the recv itself and given back when it found nothing, so a
    // read waiting for readiness holds none. No free buffer: ENOBUFS, the bytes left in the socket
    // (core waits for a release and tries again), as the kernel answers a uring buffer-select recv.
    syscall: (op) => {
      const pool = op.pool!;
      const bid = pool.take();
      if (bid < 0) return -ENOBUFS;
      const r = res(ffi.recv(op.fd, ffi.addressOf(pool.buffer(bid)), pool.size, op.flags));
      if (r > 0) op.bid = bid;
      else pool.untake(bid);
      return r;
    },
  },
  [OpCode.RECVMSG_POOL]: {
    run: Run.READINESS,
    write: false,
    // One recvmmsg(2) per readiness drains a batch of datagrams into pool buffers (recvmmsg.ts).
    syscall: recvmmsgPooled,
  },
  // Nothing to register: the pool's free list is core's, taken from at readiness.
  [OpCode.POOL_REGISTER]: { run: Run.NOW, syscall: () => 0 },
  [OpCode.POOL_UNREGISTER]: { run: Run.NOW, syscall: () => 0 },
};
