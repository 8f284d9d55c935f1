/**
 * The epoll readiness driver: how each op runs is its entry in ops.ts; this file dispatches on
 * it and owns the shared machinery. An op tries its nonblocking syscall at once; on EAGAIN it waits in
 * the registry for readiness and is retried (poll semantics). Regular-file ops go to the file
 * workers; reads and writes on an opened FIFO, character device or socket wait for readiness like
 * a socket's, so they can be cancelled (a worker blocked in read(2) cannot). Sleeps share one
 * timerfd armed to the earliest deadline. Everything — sockets, the timerfd, the workers' eventfd
 * — is registered in one epoll instance, and Node's own loop watches that one fd (the parker).
 * @module
 */
import {
  abiFor,
  waitsForPeer,
  CancelCause,
  ECANCELED,
  EAGAIN,
  errnoException,
  OpCode,
  STATX,
  getsockoptInt,
  Parker,
  type Driver,
  type DriverStats,
  type Op,
} from '@rentio/core/driver';
// Test-only fault injection (null outside tests): see core's faults.ts.
import { faultPlan, FdSet } from '@rentio/core/driver';
import {
  AT_EMPTY_PATH,
  CLOCK_MONOTONIC,
  EINTR,
  EPOLLET,
  EPOLLIN,
  F_GETFL,
  F_SETFL,
  O_NONBLOCK,
  SOL_SOCKET,
  SO_ERROR,
  STATX_TYPE,
  S_IFCHR,
  S_IFIFO,
  S_IFMT,
  S_IFSOCK,
  TFD_CLOEXEC,
  TFD_NONBLOCK,
} from './constants.js';
import * as ffi from './ffi.js';
import { FilePool } from './file-pool.js';
import { PartialReads } from './partial-reads.js';
import { EPOLL_OPS, Run, type EpollHost, type EpollOp, type Syscall } from './ops.js';
import { Registry } from './registry.js';
import { Selector } from './selector.js';
import { SendBatch } from './send-batch.js';
import { Timers } from './timers.js';

const IOV_MAX = 1024;
// index.ts refused to open where the layouts are not stated: abiFor does not throw here.
const { msghdr: MSGHDR, iovec: IOVEC, itimerspec: ITIMERSPEC, timespec: TIMESPEC } = abiFor('epoll');
/**
 * File ops completed on the main thread (RWF_NOWAIT page-cache hits) per loop turn, as the uring
 * driver bounds its in-turn submits (64 page-cache reads are ~0.1-0.3 ms).
 */
const INLINE_BUDGET = 64;

export class EpollDriver implements Driver {
  readonly name = 'epoll';
  readonly model = 'readiness' as const;
  #selector: Selector;
  #registry: Registry;
  #pool: FilePool;
  #parker: Parker;
  #sockets = new FdSet();
  /** Reads a nowait try read part of, finished by a file thread. */
  readonly #partial = new PartialReads();
  /** Opened files whose `nowait` try failed with something other than EAGAIN: no more tries. */
  #noNowait = new FdSet();
  /** Opened files by fd: true when pollable (FIFO, character device, socket), decided at first I/O. */
  #pollable = new Map<number, boolean>();
  #timers = new Timers();
  /** The one timerfd, armed to the earliest pending sleep's deadline. */
  #timerfd = -1;
  /**
   * When the timerfd fires next (Infinity: disarmed). INVARIANT: <= every deadline in the heap.
   * An op deadline later than it needs no timerfd_settime: the earlier expiry re-arms for it.
   */
  #armedAt = Infinity;
  #pending = 0;
  /** Stream sends made together at the end of the turn (send-batch.ts says why). */
  readonly #sends = new SendBatch((op) => this.#tryOrWait(op, EPOLL_OPS[op.code]));
  #syscalls = 0;
  #parks = 0;
  #closed = false;
  // Scratch for synchronous calls (sendmsg's msghdr + iovecs, itimerspec):
  // the kernel is done with it when the call returns, so one buffer serves every call.
  #scratch = new Uint8Array(new ArrayBuffer(MSGHDR.size + IOV_MAX * IOVEC.size));
  #scratchView = new DataView(this.#scratch.buffer);
  #scratchAddr = ffi.addressOf(this.#scratch);
  // struct statx, then the empty path "" statx(AT_EMPTY_PATH) reads.
  #statx = new Uint8Array(new ArrayBuffer(STATX.size + 8));
  #statxView = new DataView(this.#statx.buffer);
  #statxAddr = ffi.addressOf(this.#statx);

  constructor(fileThreads: number) {
    // Each step may fail (EMFILE, ENOMEM): every fd made before the failing step is closed
    // before the error is rethrown, so a failed open() leaks nothing.
    this.#selector = new Selector();
    let timerfd = -1;
    let pool: FilePool | null = null;
    try {
      this.#registry = new Registry(
        this.#selector,
        (op) => this.#attempt(op),
        (op, res) => this.#done(op, res),
      );
      pool = this.#pool = new FilePool(fileThreads);
      // -EIO: the worker running it died; other -errno: no thread could be started to run it.
      this.#pool.onFailed = (op, res) => this.#done(op, this.#partial.result(op, res));
      this.#pool.beforeComplete = (op, res) => {
        this.#dropDeadline(op);
        return this.#partial.result(op, res);
      };
      this.#syscalls++;
      let r = this.#selector.add(this.#pool.eventfd, EPOLLIN | EPOLLET);
      if (r < 0) throw errnoException(r, 'epoll_ctl');
      timerfd = ffi.timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
      this.#syscalls++;
      if (timerfd < 0) throw errnoException(ffi.errno(), 'timerfd_create');
      this.#timerfd = timerfd;
      this.#syscalls++;
      r = this.#selector.add(timerfd, EPOLLIN | EPOLLET);
      if (r < 0) throw errnoException(r, 'epoll_ctl');
      this.#parker = new Parker(this.#selector.fd, () => this.#onReadable());
    } catch (err) {
      if (timerfd >= 0) ffi.close(timerfd);
      pool?.closeFd();
      this.#selector.close();
      throw err;
    }
    // A worker stopped from outside runs no JS: the parker closes these fds then.
    for (const fd of [this.#selector.fd, ...this.#pool.teardownFds, this.#timerfd]) this.#parker.closeAtTeardown(fd);
  }

  submit(op: Op): void {
    if (this.#pending++ === 0) this.#parker.busy(true);
    // Armed before the op runs: an op that completes at once takes its deadline out in #done.
    if (op.timeoutNs > 0) this.#armDeadline(op);
    if (op.code === OpCode.SEND) return this.#sends.add(op);
    // Nothing but a read overtakes a queued send on its fd (a shutdown, a close, another write).
    if (!waitsForPeer(op.code) && this.#sends.has(op.fd)) this.#sends.flush();
    const entry = EPOLL_OPS[op.code];
    switch (entry.run) {
      case Run.READINESS:
        return this.#tryOrWait(op, entry);
      case Run.FILE_OR_READINESS:
        if (entry.pollable!(op, this.#host)) return this.#tryOrWait(op, entry);
        if (entry.nowait && this.#inlineBudget > 0 && !this.#noNowait.has(op.fd)) {
          for (;;) {
            const r = this.#call(entry.nowait, op);
            // Short of the window: the cached run ended (or the file did: the next try says 0).
            // Read on from there; what is not cached goes to a file thread (partial-reads.ts).
            if (r > 0 && r < op.len && mayBeCacheGap(op, r)) {
              this.#partial.advance(op, r);
              continue;
            }
            if (r >= 0) return this.#doneInline(op, this.#partial.result(op, r));
            // EAGAIN is a cache miss: try again next read. Anything else (EOPNOTSUPP from a file
            // system without RWF_NOWAIT, like procfs; a syscall filter's EPERM/ENOSYS) would fail
            // the same way every read: stop trying on this fd, not pay a syscall per read.
            if (r !== -EAGAIN && !this.#partial.has(op)) this.#noNowait.add(op.fd);
            break;
          }
        }
        return this.#pool.submit(op);
      case Run.FILE:
        return this.#pool.submit(op);
      case Run.NOW:
        return this.#done(op, this.#attempt(op));
      case Run.TIMER:
        return this.#timeout(op);
    }
  }

  holdLoop(hold: boolean): void {
    this.#parker.hold(hold);
  }

  cancel(op: Op): void {
    // Readiness waits and sleeps are dropped at once; a file job is cancelled only while still queued.
    if (EPOLL_OPS[op.code].run === Run.TIMER) {
      if (this.#timers.remove(op)) this.#done(op, -ECANCELED);
      return;
    }
    if (this.#registry.remove(op)) return this.#done(op, -ECANCELED);
    if (this.#pool.cancel(op)) this.#settled();
  }

  stats(): DriverStats {
    return {
      syscalls: this.#syscalls + this.#selector.syscalls + this.#pool.syscalls + this.#pool.workerSyscalls,
      parks: this.#parks,
      wakeups: this.#parker.wakeups,
      waitingForReadiness: this.#registry.waiting,
      // Sleeps and op deadlines armed: an op's deadline leaves when the op completes.
      timers: this.#timers.size,
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

  #tryOrWait(op: Op, entry: EpollOp): void {
    const write = entry.write === true;
    // A read on an fd known to be drained would only get EAGAIN: wait for the next edge instead.
    if (write || this.#registry.mayRead(op.fd)) {
      const res = entry.start ? this.#call(entry.start, op) : this.#attempt(op);
      if (!write) this.#registry.read(op, res);
      if (res !== -EAGAIN) return this.#done(op, res);
    }
    const r = this.#registry.wait(op, write);
    if (r < 0) this.#done(op, r);
  }

  /** One nonblocking attempt at the op's syscall (its table entry): result, or -errno (-EAGAIN: not ready). */
  #attempt(op: Op): number {
    return this.#call(EPOLL_OPS[op.code].syscall!, op);
  }

  #call(syscall: Syscall, op: Op): number {
    let r: number;
    do {
      this.#syscalls++;
      r = faultPlan === null ? syscall(op, this.#host) : faultPlan.call(syscall, op, this.#host);
    } while (r === -EINTR);
    return r;
  }

  // What the table's syscalls may use of the driver; one object for the driver's life.
  readonly #host: EpollHost = {
    sockets: this.#sockets,
    pollable: (fd) => this.#isPollable(fd),
    iov: (op) => {
      setU64(this.#scratchView, IOVEC.base, ffi.addressOf(op.buf!) + op.off);
      setU64(this.#scratchView, IOVEC.len, op.len);
      return this.#scratchAddr;
    },
    msghdr: (bufs) => this.#msghdr(bufs),
    soError: (fd) => {
      this.#syscalls++;
      return getsockoptInt(fd, SOL_SOCKET, SO_ERROR);
    },
    forget: (fd) => {
      this.#registry.drop(fd);
      this.#sockets.delete(fd);
      this.#noNowait.delete(fd);
      this.#pollable.delete(fd);
    },
  };

  #msghdr(bufs: Uint8Array[]): Uint8Array {
    // struct msghdr with only msg_iov/msg_iovlen set; the iovecs follow it in the scratch. Each
    // u64 as two u32 words: no BigInt per field on every gather write.
    const dv = this.#scratchView;
    this.#scratch.fill(0, 0, MSGHDR.size);
    setU64(dv, MSGHDR.iov, this.#scratchAddr + MSGHDR.size);
    setU64(dv, MSGHDR.iovlen, bufs.length);
    for (let i = 0; i < bufs.length; i++) {
      const buf = bufs[i]!; // i < bufs.length
      const at = MSGHDR.size + i * IOVEC.size;
      setU64(dv, at + IOVEC.base, ffi.addressOf(buf));
      setU64(dv, at + IOVEC.len, buf.byteLength);
    }
    return this.#scratch;
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
    if (ffi.statx(fd, this.#statxAddr + STATX.size, AT_EMPTY_PATH, STATX_TYPE, this.#statxAddr) < 0) return false;
    const type = this.#statxView.getUint16(STATX.mode, true) & S_IFMT;
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

  /**
   * An op's `timeout` option: the op waits in the same heap as sleeps, and at its deadline it is
   * cancelled with cause TIMEOUT (ETIMEDOUT) — dropped from the readiness wait or the file queue at
   * once; a file job already running on a worker cannot be stopped, and its result wins.
   */
  #armDeadline(op: Op): void {
    const deadline = performance.now() + op.timeoutNs / 1e6;
    this.#timers.push(op, deadline);
    // Ops usually finish long before their deadline and leave the heap: re-arming for each one
    // would cost a syscall per op, where one expiry (a wake with nothing due) re-arms for the rest.
    if (deadline < this.#armedAt) this.#arm(deadline);
  }

  /** The op completed: its deadline, if any, no longer applies. */
  #dropDeadline(op: Op): void {
    if (op.heapIndex >= 0 && op.code !== OpCode.TIMEOUT) this.#timers.remove(op);
  }

  // The timerfd expired: settle every sleep now due and expire every op deadline now due, then
  // arm for the next.
  #fireTimers(): void {
    this.#syscalls++;
    ffi.read(this.#timerfd, this.#scratchAddr, 8);
    this.#armedAt = Infinity;
    const now = performance.now();
    for (let op = this.#timers.popDue(now); op; op = this.#timers.popDue(now)) {
      if (op.code === OpCode.TIMEOUT) this.#done(op, 0);
      else op.cancel(CancelCause.TIMEOUT);
    }
    if (this.#timers.size) this.#arm(this.#timers.next);
  }

  /** Arm the timerfd (one shot, relative) to fire at `deadline`; a past deadline fires at once. */
  #arm(deadline: number): void {
    // it_value of zero would disarm: at least 1 ns. Rounded up, so it never fires early.
    const ns = Math.max(1, Math.ceil((deadline - performance.now()) * 1e6));
    // struct itimerspec: it_interval zero (one shot), it_value the delay.
    const dv = this.#scratchView;
    this.#scratch.fill(0, 0, ITIMERSPEC.size);
    dv.setBigInt64(ITIMERSPEC.value + TIMESPEC.sec, BigInt(Math.floor(ns / 1e9)), true);
    dv.setBigInt64(ITIMERSPEC.value + TIMESPEC.nsec, BigInt(ns % 1e9), true);
    this.#syscalls++;
    ffi.timerfd_settime(this.#timerfd, 0, this.#scratch, null);
    this.#armedAt = deadline;
  }

  // --- completion and parking ---

  #done(op: Op, res: number): void {
    this.#dropDeadline(op);
    this.#settled();
    if (faultPlan === null) op.complete(res);
    else faultPlan.complete(op, res);
  }

  /**
   * A file op completed by its `nowait` try. A loop of awaited page-cache reads completes each
   * read inside the previous one's promise reaction, never yielding to Node's loop; so only
   * {@link INLINE_BUDGET} complete that way per loop turn (reset in the check phase), and the rest
   * go to the file threads, whose completions come through the loop.
   */
  #doneInline(op: Op, res: number): void {
    if (this.#inlineBudget-- === INLINE_BUDGET) setImmediate(this.#refillInline);
    this.#done(op, res);
  }

  #inlineBudget = INLINE_BUDGET;
  readonly #refillInline = (): void => {
    this.#inlineBudget = INLINE_BUDGET;
  };

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

/** Store a pointer or size_t (< 2^53) as a little-endian u64. */
function setU64(v: DataView, at: number, n: number): void {
  v.setUint32(at, n >>> 0, true);
  v.setUint32(at + 4, Math.floor(n / 4294967296), true);
}

/**
 * Whether a nowait read of `op` that returned `r` (short) may have stopped at a page-cache gap
 * rather than at EOF. A nowait read stops at a gap only on a folio boundary, so an end that is
 * not 4 KiB-aligned is the file's end: complete now instead of a second try that would return 0
 * (the usual last read of a small file). 4 KiB divides every Linux page size, so an aligned end
 * is only ever tried once more. A read at the file's own position (-1) has no known end: tried.
 */
function mayBeCacheGap(op: Op, r: number): boolean {
  return op.pos < 0 || (op.pos + r) % 4096 === 0;
}
