/**
 * The epoll readiness driver. An op tries its nonblocking syscall at once; on EAGAIN it waits in
 * the registry for readiness and is retried (poll semantics). Regular-file ops go to the file
 * workers; reads and writes on an opened FIFO, character device or socket wait for readiness like
 * a socket's, so they can be cancelled (a worker blocked in read(2) cannot). Sleeps share one
 * timerfd armed to the earliest deadline. Everything — sockets, the timerfd, the workers' eventfd
 * — is registered in one epoll instance, and Node's own loop watches that one fd (the parker).
 * @module
 */
import {
  ECANCELED, EAGAIN, OpCode, Parker, type Driver, type DriverStats, type Op,
} from '@rentio/core/driver';
import {
  AT_EMPTY_PATH, CLOCK_MONOTONIC, EINPROGRESS, EINTR, F_GETFL, F_SETFL, MSG_NOSIGNAL, O_NONBLOCK, SOCK_CLOEXEC,
  SOCK_NONBLOCK, SOL_SOCKET, SO_ERROR, STATX_TYPE, S_IFCHR, S_IFIFO, S_IFMT, S_IFSOCK, TFD_CLOEXEC, TFD_NONBLOCK,
} from './constants.js';
import * as ffi from './ffi.js';
import { FilePool } from './file-pool.js';
import { Registry } from './registry.js';
import { Selector } from './selector.js';
import { Timers } from './timers.js';

const IOV_MAX = 1024;
// Phase of a CONNECT op kept in op.slot: 1 once connect(2) said EINPROGRESS.
const CONNECT_IN_PROGRESS = 1;

export class EpollDriver implements Driver {
  readonly name = 'epoll';
  readonly model = 'readiness' as const;
  #selector = new Selector();
  #registry: Registry;
  #pool: FilePool;
  #parker: Parker;
  #sockets = new Set<number>();
  /** Opened files by fd: true when pollable (FIFO, character device, socket), decided at first I/O. */
  #pollable = new Map<number, boolean>();
  #timers = new Timers();
  /** The one timerfd, armed to the earliest pending sleep's deadline. */
  #timerfd: number;
  #pending = 0;
  #syscalls = 0;
  #parks = 0;
  #closed = false;
  // Scratch for synchronous calls (sendmsg's msghdr + iovecs, sockopt values, itimerspec):
  // the kernel is done with it when the call returns, so one buffer serves every call.
  #scratch = new Uint8Array(new ArrayBuffer(56 + IOV_MAX * 16));
  #scratchView = new DataView(this.#scratch.buffer);
  #scratchAddr = ffi.addressOf(this.#scratch);
  #int = new Uint8Array(new ArrayBuffer(8));
  #intView = new DataView(this.#int.buffer);
  // struct statx (256 bytes), then the empty path "" statx(AT_EMPTY_PATH) reads.
  #statx = new Uint8Array(new ArrayBuffer(256 + 8));
  #statxView = new DataView(this.#statx.buffer);
  #statxAddr = ffi.addressOf(this.#statx);

  constructor(fileThreads: number) {
    this.#registry = new Registry(this.#selector, (op) => this.#attempt(op), (op, res) => this.#done(op, res));
    this.#pool = new FilePool(fileThreads);
    this.#pool.onLost = (op) => this.#done(op, -5 /* EIO: the worker running it died */);
    this.#syscalls++;
    const r = this.#selector.add(this.#pool.eventfd, 0x001 /* EPOLLIN */ | (1 << 31) /* EPOLLET */);
    if (r < 0) throw Object.assign(new Error('epoll_ctl(eventfd) failed'), { errno: r });
    this.#timerfd = ffi.timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    this.#syscalls += 2;
    if (this.#timerfd < 0 || this.#selector.add(this.#timerfd, 0x001 /* EPOLLIN */ | (1 << 31) /* EPOLLET */) < 0) {
      throw Object.assign(new Error('timerfd set-up failed'), { errno: -ffi.errno() });
    }
    this.#parker = new Parker(this.#selector.fd, () => this.#onReadable());
    // A worker stopped from outside runs no JS: the parker closes these fds then.
    for (const fd of [this.#selector.fd, this.#pool.eventfd, this.#timerfd]) this.#parker.closeAtTeardown(fd);
  }

  submit(op: Op): void {
    if (this.#pending++ === 0) this.#parker.busy(true);
    switch (op.code) {
      case OpCode.RECV:
      case OpCode.ACCEPT:
        return this.#tryOrWait(op, false);
      case OpCode.SEND:
        return this.#tryOrWait(op, true);
      case OpCode.WRITEV:
        if (this.#sockets.has(op.fd)) return this.#tryOrWait(op, true);
        return this.#pool.submit(op);
      case OpCode.CONNECT:
        return this.#connect(op);
      case OpCode.TIMEOUT:
        return this.#timeout(op);
      case OpCode.READ:
      case OpCode.WRITE:
        if (this.#isPollable(op.fd)) return this.#tryOrWait(op, op.code === OpCode.WRITE);
        return this.#pool.submit(op);
      case OpCode.SOCKET:
      case OpCode.BIND:
      case OpCode.LISTEN:
      case OpCode.SHUTDOWN:
      case OpCode.CLOSE:
        return this.#done(op, this.#now(op));
      default:
        // Regular-file ops: READ, WRITE (regular files), OPENAT, STATX, FSYNC, FTRUNCATE.
        return this.#pool.submit(op);
    }
  }

  cancel(op: Op): void {
    // Readiness waits and sleeps are dropped at once; a file job is cancelled only while still queued.
    if (op.code === OpCode.TIMEOUT) {
      if (this.#timers.remove(op)) this.#done(op, -ECANCELED);
      return;
    }
    if (this.#registry.remove(op)) return this.#done(op, -ECANCELED);
    if (this.#pool.cancel(op)) this.#settled();
  }

  setsockopt(fd: number, level: number, name: number, value: number): number {
    this.#intView.setInt32(0, value, true);
    this.#syscalls++;
    return ffi.setsockopt(fd, level, name, this.#int, 4) < 0 ? -ffi.errno() : 0;
  }

  sockname(fd: number, peer: boolean, out: Uint8Array): number {
    this.#intView.setUint32(0, out.byteLength, true);
    this.#syscalls++;
    const r = (peer ? ffi.getpeername : ffi.getsockname)(fd, out, this.#int);
    return r < 0 ? -ffi.errno() : this.#intView.getUint32(0, true);
  }

  stats(): DriverStats {
    return {
      syscalls: this.#syscalls + this.#selector.syscalls + this.#pool.syscalls + this.#pool.workerSyscalls,
      parks: this.#parks,
      wakeups: this.#parker.wakeups,
      waitingForReadiness: this.#registry.waiting,
      fileThreads: this.#pool.threads,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#parker.close();
    await this.#pool.close();
    ffi.close(this.#timerfd);
    this.#selector.close();
  }

  // --- readiness ---

  #tryOrWait(op: Op, write: boolean): void {
    // A read on an fd known to be drained would only get EAGAIN: wait for the next edge instead.
    if (write || this.#registry.mayRead(op.fd)) {
      const res = this.#attempt(op);
      if (!write) this.#registry.read(op, res);
      if (res !== -EAGAIN) return this.#done(op, res);
    }
    const r = this.#registry.wait(op, write);
    if (r < 0) this.#done(op, r);
  }

  /** One nonblocking attempt at a socket op's syscall: result, or -errno (-EAGAIN: not ready). */
  #attempt(op: Op): number {
    this.#syscalls++;
    let r: number;
    switch (op.code) {
      case OpCode.RECV:
        r = ffi.recv(op.fd, ffi.addressOf(op.buf!) + op.off, op.len, op.flags);
        break;
      case OpCode.SEND:
        r = ffi.send(op.fd, ffi.addressOf(op.buf!) + op.off, op.len, op.flags | MSG_NOSIGNAL);
        break;
      case OpCode.ACCEPT: {
        const a = ffi.addressOf(op.addr!);
        r = ffi.accept4(op.fd, a, a + 128, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (r >= 0) this.#sockets.add(r);
        break;
      }
      case OpCode.WRITEV:
        r = ffi.sendmsg(op.fd, this.#msghdr(op.bufs!), MSG_NOSIGNAL);
        break;
      case OpCode.CONNECT:
        return this.#connectResult(op);
      case OpCode.READ: {
        const a = ffi.addressOf(op.buf!) + op.off;
        r = op.pos < 0 ? ffi.read(op.fd, a, op.len) : ffi.pread(op.fd, a, op.len, op.pos);
        break;
      }
      case OpCode.WRITE: {
        const a = ffi.addressOf(op.buf!) + op.off;
        r = op.pos < 0 ? ffi.write(op.fd, a, op.len) : ffi.pwrite(op.fd, a, op.len, op.pos);
        break;
      }
      default:
        return -22;
    }
    if (r >= 0) return r;
    const e = ffi.errno();
    return e === EINTR ? this.#attempt(op) : -e;
  }

  #connect(op: Op): void {
    this.#syscalls++;
    const r = ffi.connect(op.fd, ffi.addressOf(op.addr!), op.addrLen);
    if (r === 0) return this.#done(op, 0);
    const e = ffi.errno();
    if (e !== EINPROGRESS && e !== EINTR) return this.#done(op, -e);
    op.slot = CONNECT_IN_PROGRESS;
    const w = this.#registry.wait(op, true);
    if (w < 0) this.#done(op, w);
  }

  // The socket turned writable: the connect finished; SO_ERROR says how.
  #connectResult(op: Op): number {
    this.#intView.setUint32(4, 4, true);
    const r = ffi.getsockopt(op.fd, SOL_SOCKET, SO_ERROR, this.#int, this.#int.subarray(4));
    if (r < 0) return -ffi.errno();
    const err = this.#intView.getInt32(0, true);
    return err === 0 ? 0 : -err;
  }

  #msghdr(bufs: Uint8Array[]): Uint8Array {
    // struct msghdr (56 bytes): msg_name 0, msg_namelen 8, msg_iov 16, msg_iovlen 24,
    // msg_control 32, msg_controllen 40, msg_flags 48; iovecs follow it in the scratch.
    const dv = this.#scratchView;
    this.#scratch.fill(0, 0, 56);
    dv.setBigUint64(16, BigInt(this.#scratchAddr + 56), true);
    dv.setBigUint64(24, BigInt(bufs.length), true);
    for (let i = 0; i < bufs.length; i++) {
      dv.setBigUint64(56 + i * 16, BigInt(ffi.addressOf(bufs[i]!)), true);
      dv.setBigUint64(56 + i * 16 + 8, BigInt(bufs[i]!.byteLength), true);
    }
    return this.#scratch;
  }

  // --- ops done at once ---

  #now(op: Op): number {
    this.#syscalls++;
    let r: number;
    switch (op.code) {
      case OpCode.SOCKET:
        r = ffi.socket(op.domain, op.sockType | SOCK_NONBLOCK | SOCK_CLOEXEC, op.protocol);
        if (r >= 0) this.#sockets.add(r);
        break;
      case OpCode.BIND:
        r = ffi.bind(op.fd, ffi.addressOf(op.addr!), op.addrLen);
        break;
      case OpCode.LISTEN:
        r = ffi.listen(op.fd, op.backlog);
        break;
      case OpCode.SHUTDOWN:
        r = ffi.shutdown(op.fd, op.flags);
        break;
      case OpCode.CLOSE:
        // INVARIANT: drop the interest before close(2) frees the number for reuse.
        this.#registry.drop(op.fd);
        this.#sockets.delete(op.fd);
        this.#pollable.delete(op.fd);
        r = ffi.close(op.fd);
        break;
      default:
        return -22;
    }
    return r < 0 ? -ffi.errno() : r;
  }

  // --- opened files that are not regular files ---

  #isPollable(fd: number): boolean {
    let pollable = this.#pollable.get(fd);
    if (pollable === undefined) {
      pollable = this.#classify(fd);
      this.#pollable.set(fd, pollable);
    }
    return pollable;
  }

  /**
   * A FIFO, character device or socket can block in read/write forever (no writer, a quiet tty),
   * where no cancel reaches a worker, and can be polled: it gets O_NONBLOCK and the readiness path.
   * SAFETY: the fd came from open(), so its open file description is rentio's alone; setting
   * O_NONBLOCK on it changes no one else's I/O. Anything else (regular files, directories, block
   * devices, or a statx/fcntl failure: the worker reports the error) stays on the workers.
   */
  #classify(fd: number): boolean {
    this.#syscalls++;
    if (ffi.statx(fd, this.#statxAddr + 256, AT_EMPTY_PATH, STATX_TYPE, this.#statxAddr) < 0) return false;
    // stx_mode: u16 at byte 28 of struct statx.
    const type = this.#statxView.getUint16(28, true) & S_IFMT;
    if (type !== S_IFIFO && type !== S_IFCHR && type !== S_IFSOCK) return false;
    this.#syscalls += 2;
    const flags = ffi.fcntl(fd, F_GETFL, 'int', 0);
    return flags >= 0 && ((flags & O_NONBLOCK) !== 0 || ffi.fcntl(fd, F_SETFL, 'int', flags | O_NONBLOCK) >= 0);
  }

  // --- timers: sleeps in a heap, one timerfd armed to the earliest deadline ---

  #timeout(op: Op): void {
    if (op.ns <= 0) return this.#done(op, 0);
    // performance.now() runs on CLOCK_MONOTONIC (uv_hrtime), the timerfd's clock.
    const deadline = performance.now() + op.ns / 1e6;
    const earliest = this.#timers.next;
    this.#timers.push(op, deadline);
    if (deadline < earliest) this.#arm(deadline);
  }

  // The timerfd expired: settle every sleep now due, then arm for the next.
  #fireTimers(): void {
    this.#syscalls++;
    ffi.read(this.#timerfd, this.#scratchAddr, 8);
    const now = performance.now();
    for (let op = this.#timers.popDue(now); op; op = this.#timers.popDue(now)) this.#done(op, 0);
    if (this.#timers.size) this.#arm(this.#timers.next);
  }

  /** Arm the timerfd (one shot, relative) to fire at `deadline`; a past deadline fires at once. */
  #arm(deadline: number): void {
    // it_value of zero would disarm: at least 1 ns. Rounded up, so it never fires early.
    const ns = Math.max(1, Math.ceil((deadline - performance.now()) * 1e6));
    // struct itimerspec { it_interval {sec, nsec}; it_value {sec, nsec} }.
    const dv = this.#scratchView;
    dv.setBigInt64(0, 0n, true);
    dv.setBigInt64(8, 0n, true);
    dv.setBigInt64(16, BigInt(Math.floor(ns / 1e9)), true);
    dv.setBigInt64(24, BigInt(ns % 1e9), true);
    this.#syscalls++;
    ffi.timerfd_settime(this.#timerfd, 0, this.#scratch, null);
  }

  // --- completion and parking ---

  #done(op: Op, res: number): void {
    this.#settled();
    op.complete(res);
  }

  #settled(): void {
    if (--this.#pending === 0) this.#parker.busy(false);
  }

  // One dispatch function for the driver's life: no closure per wake.
  readonly #dispatch = (token: number, events: number): void => {
    if (token === this.#pool.eventfd) this.#reapFiles();
    else if (token === this.#timerfd) this.#fireTimers();
    else this.#registry.ready(token, events);
  };

  #onReadable(): void {
    let n: number;
    do n = this.#selector.poll(this.#dispatch);
    while (Selector.full(n));
    if (this.#pending > 0) this.#parks++;
  }

  #reapFiles(): void {
    const done = this.#pool.reap();
    this.#pending -= done;
    if (this.#pending === 0) this.#parker.busy(false);
  }
}
