/**
 * The uring driver: ops become SQEs written into the mapped ring, submitted lazily once per
 * event-loop turn, and completed from CQEs read out of the mapped CQ ring.
 *
 * Life of an op: `submit` puts it in a slab slot and on the JS queue → the turn's flush (a
 * `setImmediate`, so every op queued in the turn goes in one `io_uring_submit`) writes its SQE →
 * the kernel owns its memory → its CQE is reaped (after the submit, or when Node's loop sees the
 * ring fd readable) → `op.complete(res)`, slot released. Exactly once: only an op's own CQE
 * completes it, except ops that never reached the kernel (cancelled while queued, refused after a
 * credentials change, or done by a synchronous libc fallback).
 * @module
 */
import { constants as osConstants } from 'node:os';
import {
  addressOf,
  ECANCELED,
  EAGAIN,
  EINTR,
  errno,
  errnoException,
  faultPlan,
  OpCode,
  Parker,
  RES_CREDENTIALS_CHANGED,
  type Driver,
  type DriverModel,
  type DriverStats,
  type Op,
} from '@rentio/core/driver';
import {
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  IORING_SETUP_DEFER_TASKRUN,
  IORING_CQ_EVENTFD_DISABLED,
  IORING_SETUP_TASKRUN_FLAG,
  IORING_SQ_CQ_OVERFLOW,
  IORING_SQ_TASKRUN,
  IORING_OP_SEND_ZC,
  IORING_CQE_F_MORE,
  IORING_CQE_F_NOTIF,
} from './constants.js';
import { BufRings } from './buf-rings.js';
import { CqeTally } from './cqe-tally.js';
import { Credentials } from './credentials.js';
import { Fifo } from './fifo.js';
import type { Libc } from './ffi.js';
import { MultishotAccept } from './multishot-accept.js';
import { MultishotRecv } from './multishot-recv.js';
import { WaiterDeadlines } from './waiter-deadlines.js';
import { MultishotRecvmsg, singleShotDatagram } from './multishot-recvmsg.js';
import { ACCEPT_MULTISHOT, RECV_MULTISHOT, SEND_AS_ZC, URING_OPS, WRITEV_AS_SENDMSG, WRITEV_PLAIN } from './ops.js';
import { LINK_TIMEOUT_TAG, prepLinkTimeout } from './link-timeout.js';
import { RESUBMIT, SpliceFlow } from './splice.js';
import { prepCancel, setUserData, USER_DATA_CANCEL } from './sqe.js';
import { flagNames, Ring } from './ring.js';
import { IN_KERNEL, QUEUED, QUEUED_CANCELLED, Slab } from './slab.js';

const { EBUSY, ENOTSOCK, EOPNOTSUPP, ETIME } = osConstants.errno;
/** Word index of liburing's `sq.sqe_head` / `sq.sqe_tail` in struct io_uring (byte offsets 64, 68). */
const SQE_HEAD_WORD = 16;
const SQE_TAIL_WORD = 17;
/** Queue entries with this `b` are ops; any other `b` is the generation a cancel is aimed at. */
const OP_ENTRY = -1;
/**
 * SQEs that may be submitted from nextTick flushes before the driver yields to Node's loop (see
 * {@link UringDriver.#schedule}): bounds how long a chain of ops that complete inline (page-cache
 * reads) can hold the loop — 64 page-cache reads are ~0.3 ms here.
 */
const IN_TURN_SQE_BUDGET = 64;

/** The io_uring completion driver. Made by the package's `open()`. */
export class UringDriver implements Driver {
  readonly name = 'uring';
  readonly model: DriverModel = 'completion';
  readonly #ring: Ring;
  readonly #libc: Libc;
  readonly #slab: Slab;
  readonly #parker: Parker;
  readonly #queue = new Fifo(256);
  /** Core op codes the kernel runs natively (1), else done by a synchronous libc call (0). */
  readonly #native = new Uint8Array(64);
  /** Ops ending in more than one CQE (a deadline's linked timeout, a zero-copy send's notification). */
  readonly #tally = new CqeTally();
  /** SENDFILE's pipes and progress. */
  readonly #splice: SpliceFlow;
  /** SENDs of at least this many bytes go as IORING_OP_SEND_ZC (Infinity: never). */
  readonly #zcThreshold: number;
  readonly #defer: boolean;
  readonly #taskrunFlag: boolean;
  readonly #creds: Credentials;
  /** With DEFER_TASKRUN: the eventfd registered on the ring, which the parker watches. */
  #eventfd = -1;
  readonly #efdBuf = new Uint8Array(8);
  readonly #efdAddr = addressOf(this.#efdBuf);
  #credsChanged: string | null = null;
  /** Mirror of liburing's sq.sqe_tail: SQEs written so far. */
  #sqeTail = 0;
  /** Ops held by the driver (queued or in the kernel). */
  #inFlight = 0;
  #scheduled = false;
  /** SQEs the driver may still submit from nextTick flushes before yielding a loop turn. */
  #budget = IN_TURN_SQE_BUDGET;
  /** A submit was refused (EBUSY/EAGAIN): retry at the next wake. */
  #retry = false;
  #closed = false;
  #drained: (() => void) | null = null;
  readonly #flushCb = () => this.#flush();
  readonly #turnFlushCb = () => {
    // A macrotask: Node's loop turned, so the in-turn budget starts again.
    this.#budget = IN_TURN_SQE_BUDGET;
    this.#flush();
  };
  /** Buffer pools registered as provided-buffer rings. */
  #pools!: BufRings;
  /** Multishot recv for pooled reads; null where the kernel lacks it (or it was turned off). */
  #multishot: MultishotRecv | null = null;
  // Deadlines of pooled reads waiting on a multishot recv (they have no SQE to link one to).
  #deadlines = new WaiterDeadlines({
    submit: (timer) => this.#enqueue(timer, 0),
    cancel: (timer) => this.cancel(timer),
  });
  /** Multishot accept for listeners; null where the kernel lacks it (or it was turned off). */
  #accepts: MultishotAccept | null = null;
  /** Multishot RECVMSG for pooled datagram receives; null where multishot recv is off. */
  #dgrams: MultishotRecvmsg | null = null;
  #stats = {
    syscalls: 0,
    parks: 0,
    submits: 0,
    sqesSubmitted: 0,
    cqesReaped: 0,
    sqFullWaits: 0,
    cqOverflows: 0,
    backpressure: 0,
    cancels: 0,
    staleCqes: 0,
    libcFallbacks: 0,
  };

  /** @internal made by `open()` */
  constructor(ring: Ring, libc: Libc, ops: Set<number>, sendZcThreshold = Infinity, multishotRecv = false, multishotAccept = false) {
    this.#ring = ring;
    this.#libc = libc;
    this.#slab = new Slab(ring.sqEntries);
    this.#splice = new SpliceFlow(libc, this.#slab);
    // Zero-copy send where the kernel has it (6.0+); else every SEND is a plain send.
    this.#zcThreshold = ops.has(IORING_OP_SEND_ZC) ? sendZcThreshold : Infinity;
    this.#defer = (ring.flags & IORING_SETUP_DEFER_TASKRUN) !== 0;
    this.#taskrunFlag = (ring.flags & IORING_SETUP_TASKRUN_FLAG) !== 0;
    // An op whose opcode the kernel lacks runs its table entry's libc fallback; one without a
    // fallback is required (probe.ts's checkRequired refused to open without it).
    for (const code of Object.values(OpCode)) {
      const entry = URING_OPS[code];
      this.#native[code] = (entry.opcode !== null && ops.has(entry.opcode)) || !entry.fallback ? 1 : 0;
    }
    this.#creds = new Credentials(libc);
    this.#pools = new BufRings(ring);
    if (multishotAccept) {
      this.#accepts = new MultishotAccept({
        arm: (carrier) => this.#enqueue(carrier, ACCEPT_MULTISHOT),
        cancel: (carrier) => this.cancel(carrier),
        resubmit: (op) => this.submit(op),
        libc,
      });
    }
    if (multishotRecv) {
      this.#multishot = new MultishotRecv({
        arm: (carrier) => this.#enqueue(carrier, RECV_MULTISHOT),
        cancel: (carrier) => this.cancel(carrier),
        resubmit: (op) => this.submit(op),
        recycle: (pool, bid) => this.#pools.recycle(pool, bid),
      });
      this.#multishot.onLeave = (op) => {
        if (op.timeoutNs > 0) this.#deadlines.clear(op);
      };
      this.#dgrams = new MultishotRecvmsg({
        arm: (carrier) => this.#enqueue(carrier, RECV_MULTISHOT),
        cancel: (carrier) => this.cancel(carrier),
        resubmit: (op) => this.submit(op),
        recycle: (pool, bid) => this.#pools.recycle(pool, bid),
      });
    }
    // Without DEFER_TASKRUN, posting a CQE wakes pollers of the ring fd. With it, completions
    // are deferred until we enter the kernel and nothing wakes the ring fd's pollers (measured on
    // 6.18: a pending TIMEOUT never turned it readable); the kernel signals a registered eventfd
    // when deferred work is queued, so that is what Node's loop watches then.
    let fd = ring.fd;
    if (this.#defer) {
      fd = this.#eventfd = libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
      if (fd < 0) throw errnoException(errno(), 'eventfd');
      const r = ring.lib.io_uring_register_eventfd(ring.ptr, fd);
      this.#stats.syscalls += 2;
      if (r < 0) {
        libc.close(fd);
        throw errnoException(r, 'io_uring_register_eventfd');
      }
    }
    // Core's Parker closes itself on process 'exit' (koffi aborts on a readable poll fd at exit).
    try {
      this.#parker = new Parker(fd, () => this.#onWake());
    } catch (err) {
      // The ring is closed by open(); the eventfd is this constructor's to close.
      if (this.#eventfd >= 0) libc.close(this.#eventfd);
      throw err;
    }
    // A worker stopped from outside runs no JS: the parker releases the ring and eventfd then.
    for (const [addr, len] of ring.mappings) this.#parker.unmapAtTeardown(addr, len);
    this.#parker.closeAtTeardown(ring.fd, true);
    if (this.#eventfd >= 0) this.#parker.closeAtTeardown(this.#eventfd);
  }

  /**
   * Why the driver refuses to submit, once the process's uid/gid changed after the ring was made
   * (ops then reject with ERR_RENTIO_CREDENTIALS_CHANGED); null while they are unchanged.
   */
  get credentialsChanged(): string | null {
    return this.#credsChanged;
  }

  /** Setup flags in effect, e.g. 'SUBMIT_ALL|COOP_TASKRUN'. */
  get setupFlags(): string {
    return flagNames(this.#ring.flags);
  }

  submit(op: Op): void {
    if (op.code === OpCode.POOL_UNREGISTER) this.#dgrams?.dropPool(op.pool!);
    if (op.code === OpCode.POOL_REGISTER || op.code === OpCode.POOL_UNREGISTER) return this.#pools.control(op, this.#multishot);
    if (this.#multishot) {
      if (op.code === OpCode.RECV_POOL) {
        this.#multishot.read(op);
        if (op.timeoutNs > 0 && op.pending) this.#deadlines.arm(op);
        return this.#waitOn(op);
      }
      if (op.code === OpCode.CLOSE && this.#multishot.holdClose(op)) return;
    }
    if (this.#dgrams) {
      if (op.code === OpCode.RECVMSG_POOL) {
        this.#dgrams.read(op);
        return this.#waitOn(op);
      }
      if (op.code === OpCode.CLOSE && this.#dgrams.holdClose(op)) return;
    }
    if (this.#accepts) {
      // An accept with a deadline takes a connection the carrier already queued, else goes as its
      // own ACCEPT SQE with a LINK_TIMEOUT: a waiter in the multishot layer has no kernel timer.
      // The kernel gives each new connection to one of the two, so none is lost.
      if (op.code === OpCode.ACCEPT && (op.timeoutNs === 0 || this.#accepts.hasQueued(op.fd))) {
        this.#accepts.accept(op);
        return this.#waitOn(op);
      }
      if (op.code === OpCode.CLOSE && this.#accepts.holdClose(op)) return;
    }
    if (this.#native[op.code] === 0) {
      this.#syncFallback(op);
      return;
    }
    this.#enqueue(op, op.code === OpCode.SEND && op.len >= this.#zcThreshold ? SEND_AS_ZC : 0);
  }

  /** An op handed to a multishot layer: while it waits there it keeps the process alive. */
  #waitOn(op: Op): void {
    if (op.pending) this.#parker.busy(true);
  }

  /** Put an op in a slab slot (with its SQE variant) and on the queue for the next flush. */
  #enqueue(op: Op, variant: number): void {
    const slot = this.#slab.alloc(op, QUEUED);
    this.#slab.variant[slot] = variant;
    if (op.code === OpCode.SENDFILE) {
      const r = this.#splice.begin(slot, this.#slab);
      if (r < 0) {
        this.#slab.release(slot);
        op.complete(r);
        return;
      }
    }
    this.#queue.push(slot, OP_ENTRY);
    if (this.#inFlight++ === 0) this.#parker.busy(true);
    this.#schedule();
  }

  holdLoop(hold: boolean): void {
    this.#parker.hold(hold);
  }

  cancel(op: Op): void {
    if (op.code === OpCode.RECV_POOL && this.#multishot?.cancel(op)) return;
    if (op.code === OpCode.ACCEPT && this.#accepts?.cancel(op)) return;
    if (op.code === OpCode.RECVMSG_POOL && this.#dgrams?.cancel(op)) return;
    const slot = op.slot;
    if (slot < 0 || this.#slab.ops[slot] !== op) return;
    const state = this.#slab.state[slot];
    if (state === QUEUED) {
      // Never reached the kernel: completed with -ECANCELED when its queue entry comes up. Not
      // here: core may be iterating a list of ops that completing one would unlink.
      this.#slab.state[slot] = QUEUED_CANCELLED;
    } else if (state === IN_KERNEL) {
      this.#queue.push(slot, this.#slab.gen[slot]!);
      this.#stats.cancels++;
    }
    this.#schedule();
  }

  stats(): DriverStats {
    return {
      ...this.#stats,
      syscalls: this.#stats.syscalls + this.#creds.syscalls,
      wakeups: this.#parker.wakeups,
      inFlight: this.#inFlight,
      sqEntries: this.#ring.sqEntries,
      cqEntries: this.#ring.cqEntries,
      setupFlags: this.setupFlags,
      bufRings: this.#pools.size,
      multishotRecv: this.#multishot !== null,
      multishotAccept: this.#accepts !== null,
      acceptArmed: this.#accepts?.armed ?? 0,
      acceptAccepted: this.#accepts?.accepted ?? 0,
      acceptClosedUnclaimed: this.#accepts?.closedUnclaimed ?? 0,
      multishotArmed: this.#multishot?.armed ?? 0,
      multishotChunks: this.#multishot?.chunks ?? 0,
      multishotEnds: this.#multishot?.ends ?? 0,
      dgramArmed: this.#dgrams?.armed ?? 0,
      dgramReceived: this.#dgrams?.datagrams ?? 0,
      dgramEnds: this.#dgrams?.ends ?? 0,
      credentialsChanged: this.#credsChanged !== null,
      sendZcThreshold: this.#zcThreshold,
      zcSends: this.#tally.zcSends,
      zcCopied: this.#tally.zcCopied,
      splicePipes: this.#splice.pipesMade,
      splicePipesDropped: this.#splice.pipesDropped,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Core closes the driver only after every op completed; should one still be held, cancel it
    // and wait for its CQE: the kernel may be using its memory until then.
    if (this.#inFlight > 0) {
      for (let s = 0; s < this.#slab.ops.length; s++) {
        const op = this.#slab.ops[s];
        if (op) this.cancel(op);
      }
      await new Promise<void>((resolve) => (this.#drained = resolve));
    }
    this.#closed = true;
    this.#parker.close();
    this.#ring.close();
    this.#splice.close();
    if (this.#eventfd >= 0) this.#libc.close(this.#eventfd);
  }

  /**
   * Flush soon, once for everything queued until then. From a nextTick while the budget lasts:
   * an op queued in a promise reaction (the next read of a QD 1 loop, the reply of an echo) goes
   * to the kernel in the same macrotask instead of after a loop turn — which costs a
   * `setImmediate` round and an extra non-blocking epoll_pwait in libuv's poll phase. Ops queued
   * in one synchronous run still share one submit (the nextTick runs after it). Once
   * {@link IN_TURN_SQE_BUDGET} SQEs went in that way, the flush waits for the loop's
   * check phase, so timers and other I/O run between bursts of inline-completing ops.
   */
  #schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    // process.nextTick, not a microtask: Node runs the nextTick queue before the microtask queue,
    // so callbacks queued with nextTick when the op was submitted still run before its promise
    // settles — as they would with a completion from a later turn. Node's own code relies on it:
    // http.request attaches its socket 'error' listener in a nextTick after createConnection; a
    // refused connect settled from a microtask came before it (a "socket hang up" instead of
    // ECONNREFUSED). Not queueMicrotask either: it wraps each callback in an AsyncResource.
    if (this.#budget > 0) process.nextTick(this.#flushCb);
    else setImmediate(this.#turnFlushCb);
  }

  /** Once per loop turn: write the queued SQEs, submit them in one call, reap what completed. */
  #flush(): void {
    this.#scheduled = false;
    if (this.#closed) return;
    this.#quiet();
    if (this.#queue.size > 0 && this.#credsChanged === null) {
      this.#credsChanged = this.#creds.changed();
      if (this.#credsChanged !== null) process.emitWarning(this.#credsChanged, { type: 'RentioWarning', code: 'ERR_RENTIO_CREDENTIALS_CHANGED' });
    }
    this.#submitAndReap();
    this.#idleOrPark();
  }

  /** Node's loop saw the ring fd readable. */
  #onWake(): void {
    if (this.#closed) return;
    this.#budget = IN_TURN_SQE_BUDGET;
    if (this.#defer) {
      // Reset the eventfd (it stays readable until read), then run the deferred completions.
      this.#quiet();
      this.#libc.read(this.#eventfd, this.#efdAddr, 8);
      this.#stats.syscalls++;
      this.#enter();
    }
    this.#reap();
    if (this.#retry || this.#queue.size > 0) this.#submitAndReap();
    this.#idleOrPark();
  }

  /**
   * DEFER_TASKRUN: while the driver itself enters the kernel and reaps, the eventfd would only
   * report completions it is about to see anyway (each a wasted wake: a read and an enter), so
   * its signals are switched off (IORING_CQ_EVENTFD_DISABLED) until {@link UringDriver.#rearm}.
   */
  #quiet(): void {
    if (this.#defer) this.#ring.cq[this.#ring.cqFlags]! |= IORING_CQ_EVENTFD_DISABLED;
  }

  /**
   * Before handing waiting back to Node's loop: turn the eventfd back on, then look at
   * IORING_SQ_TASKRUN. The kernel signals the eventfd only when its deferred-work list goes from
   * empty to non-empty; work queued while signals were off raised IORING_SQ_TASKRUN instead, so
   * it is run here rather than waited for (it would never wake us). Both sides are full barriers
   * (our Atomics.store, the kernel's atomic_or), so one of them sees the other.
   */
  #rearm(): void {
    const ring = this.#ring;
    for (let rounds = 0; rounds < 64; rounds++) {
      Atomics.store(ring.cq, ring.cqFlags, ring.cq[ring.cqFlags]! & ~IORING_CQ_EVENTFD_DISABLED);
      if (!(Atomics.load(ring.sq, ring.sqFlags) & IORING_SQ_TASKRUN)) return;
      this.#quiet();
      this.#enter();
      this.#reap();
    }
    // Work keeps arriving as fast as it is run: continue next turn instead of holding this one.
    this.#schedule();
  }

  #idleOrPark(): void {
    if (this.#defer) this.#rearm();
    if (this.#inFlight === 0) {
      this.#parker.busy(false);
      this.#drained?.();
      return;
    }
    if (this.#queue.size === 0) this.#stats.parks++;
    // A multishot carrier with no read or accept waiting on it keeps nothing pending for the
    // program (as an idle socket or a listener with no accept() does not): only ops and waiting
    // reads/accepts keep the process alive.
    const carriers = (this.#multishot?.carriers ?? 0) + (this.#accepts?.carriers ?? 0) + (this.#dgrams?.carriers ?? 0);
    const waiting = (this.#multishot?.waiting ?? 0) + (this.#accepts?.waiting ?? 0) + (this.#dgrams?.waiting ?? 0);
    this.#parker.busy(this.#inFlight - carriers + waiting > 0);
  }

  /** Enter the kernel to run deferred completions and flush an overflowed CQ (GETEVENTS). */
  #enter(): void {
    this.#stats.syscalls++;
    this.#ring.lib.io_uring_get_events(this.#ring.ptr);
  }

  #submitAndReap(): void {
    const ring = this.#ring;
    for (let rounds = 0; rounds < 1024; rounds++) {
      this.#fill();
      const pending = this.#sqeTail - Atomics.load(ring.sq, ring.sqHead);
      if (pending === 0) break;
      this.#stats.syscalls++;
      const refused = faultPlan === null ? 0 : faultPlan.refuseSubmit();
      const r = refused !== 0 ? refused : this.#defer ? ring.lib.io_uring_submit_and_get_events(ring.ptr) : ring.lib.io_uring_submit(ring.ptr);
      if (r >= 0) {
        this.#retry = false;
        this.#stats.submits++;
        this.#stats.sqesSubmitted += r;
        this.#budget -= r;
      } else if (r === -EINTR) {
        continue;
      } else if (r === -EAGAIN || r === -EBUSY) {
        // Back-pressure: the kernel wants completions reaped first. Reap; if that freed nothing,
        // the SQEs stay in the ring and are retried next turn — not only at the next wake: EAGAIN
        // (short of memory) may come with no CQE on its way, and nothing would wake us.
        this.#stats.backpressure++;
        if (this.#reap() === 0) {
          this.#retry = true;
          this.#schedule();
          return;
        }
        continue;
      } else {
        this.#failRing(r);
        return;
      }
      this.#reap();
      if (this.#queue.size === 0) return;
    }
    // Still queued after many rounds (a huge burst): go on next turn rather than hog this one.
    if (this.#queue.size > 0 && !this.#retry) this.#schedule();
  }

  /** Move queue entries into free SQ slots. */
  #fill(): void {
    const q = this.#queue;
    if (q.size === 0) return;
    const ring = this.#ring;
    const slab = this.#slab;
    const sqes = ring.sqes;
    const mask = ring.sqMask;
    let tail = this.#sqeTail;
    const head = Atomics.load(ring.sq, ring.sqHead);
    const limit = head + (faultPlan === null ? ring.sqEntries : faultPlan.sqRoom(ring.sqEntries, (tail - head) >>> 0));
    while (q.size > 0) {
      if (tail === limit) {
        this.#stats.sqFullWaits++;
        break;
      }
      const slot = q.peekA();
      const target = q.peekB();
      // An op with a deadline takes two SQEs (op + LINK_TIMEOUT), written together or not at all.
      if (target === OP_ENTRY && slab.ops[slot]!.timeoutNs > 0 && (tail + 1) >>> 0 === limit) {
        this.#stats.sqFullWaits++;
        break;
      }
      q.shift();
      if (target === OP_ENTRY) {
        const op = slab.ops[slot]!;
        if (slab.state[slot] === QUEUED_CANCELLED) {
          this.#settleUnsubmitted(slot, op, -ECANCELED);
          continue;
        }
        if (this.#credsChanged !== null) {
          this.#settleUnsubmitted(slot, op, op.code === OpCode.CLOSE ? this.#libcClose(op.fd) : RES_CREDENTIALS_CHANGED);
          continue;
        }
        const b = (tail & mask) << 4;
        URING_OPS[op.code].prep(sqes, b, op, slab, slot);
        setUserData(sqes, b, slot, slab.gen[slot]!);
        // Never a multishot carrier's SQE: its result is not substituted at reap (see #reap), so a
        // NOP put in its place would read as an accepted fd 0 or a 0-byte chunk.
        if (faultPlan !== null && !this.#multishot?.isCarrier(op) && !this.#accepts?.isCarrier(op) && !this.#dgrams?.isCarrier(op))
          faultPlan.sqe(sqes, b, op);
        slab.state[slot] = IN_KERNEL;
        if (op.timeoutNs > 0) {
          tail = (tail + 1) >>> 0;
          prepLinkTimeout(sqes, b, (tail & mask) << 4, slab, slot, slab.gen[slot]!, op.timeoutNs);
          this.#tally.expect(slot, 2);
        } else {
          this.#tally.expect(slot, 1);
        }
      } else {
        // A cancel: only if its target is still the same op, still in the kernel.
        if (slab.state[slot] !== IN_KERNEL || slab.gen[slot] !== target) continue;
        prepCancel(sqes, (tail & mask) << 4, slot, target);
      }
      tail = (tail + 1) >>> 0;
    }
    this.#sqeTail = tail;
    // liburing's io_uring_submit publishes [sqe_head, sqe_tail) to the kernel's ktail.
    ring.u32[SQE_TAIL_WORD] = tail;
  }

  /** Complete every op whose CQE is in the CQ ring. Returns how many CQEs were consumed. */
  #reap(): number {
    const ring = this.#ring;
    const cq = ring.cq;
    const res32 = ring.cqI32;
    const mask = ring.cqMask;
    const slab = this.#slab;
    const tally = this.#tally;
    let total = 0;
    for (;;) {
      let head = cq[ring.cqHead]!;
      const tail = Atomics.load(cq, ring.cqTail);
      try {
        while (head !== tail) {
          // INVARIANT: a masked CQE index inside the CQ mapping (its size checked at start).
          const i = ring.cqes + ((head & mask) << 2);
          const slot = cq[i]!;
          const gen = cq[i + 1]!;
          let res = res32[i + 2]!;
          let cqeFlags = cq[i + 3]!;
          head = (head + 1) >>> 0;
          total++;
          if (gen === USER_DATA_CANCEL) continue;
          const op = slab.lookup(slot, gen & ~LINK_TIMEOUT_TAG);
          if (op === null) {
            this.#stats.staleCqes++;
            continue;
          }
          // Not into a linked timeout's CQE, nor a multishot carrier's: a carrier CQE's buffer and
          // bytes are already the program's, so a substituted result would lose them.
          if (
            faultPlan !== null &&
            !(gen & LINK_TIMEOUT_TAG) &&
            !this.#multishot?.isCarrier(op) &&
            !this.#accepts?.isCarrier(op) &&
            !this.#dgrams?.isCarrier(op)
          )
            res = faultPlan.result(op, res);
          // More than one CQE (deadline, zero-copy send): the op completes at its last one. The
          // op's own CQE arriving last with nothing after it takes the ordinary path.
          // F_MORE/F_NOTIF are read for SEND (SEND_ZC) only: other ops give them other meanings.
          if (
            tally.left[slot] !== 1 ||
            gen & LINK_TIMEOUT_TAG ||
            (op.code === OpCode.SEND && cq[i + 3]! & (IORING_CQE_F_MORE | IORING_CQE_F_NOTIF))
          ) {
            if (!tally.cqe(slot, op, gen, res, cq[i + 3]!)) continue;
            // The op's own result and flags, not those of the CQE that came last (its timeout's).
            res = tally.res[slot]!;
            cqeFlags = tally.flags[slot]!;
          }
          if (op.code === OpCode.SEND || op.code === OpCode.SENDFILE) {
            res = this.#goOn(slot, op, res);
            if (res === RESUBMIT) continue;
          }
          const again =
            res === -EINTR &&
            !op.cancelling &&
            op.code !== OpCode.CLOSE &&
            op.code !== OpCode.CONNECT &&
            !this.#multishot?.isCarrier(op) &&
            !this.#accepts?.isCarrier(op) &&
            !this.#dgrams?.isCarrier(op);
          if (again || (res === -ENOTSOCK && op.code === OpCode.WRITEV && slab.variant[slot] === WRITEV_AS_SENDMSG && !op.cancelling)) {
            // EINTR (a signal, not a cancel, interrupted it; nothing was done): submitted again,
            // as the epoll driver retries its syscall. A gather write at the current position of
            // something that is not a socket: again as WRITEV.
            if (!again) slab.variant[slot] = WRITEV_PLAIN;
            slab.state[slot] = QUEUED;
            this.#queue.push(slot, OP_ENTRY);
            this.#schedule();
            continue;
          }
          // Linux frees the fd before close can fail with EINTR: closed, as under epoll.
          if (res === -EINTR && op.code === OpCode.CLOSE) res = 0;
          if (op.code === OpCode.RECV_POOL && this.#multishot?.isCarrier(op)) {
            // A multishot carrier keeps its slot while the kernel says more CQEs follow.
            const flags = cq[i + 3]!;
            if (!(flags & IORING_CQE_F_MORE)) {
              slab.release(slot);
              this.#inFlight--;
            }
            this.#multishot.cqe(op, res, flags);
            continue;
          }
          if (op.code === OpCode.ACCEPT && this.#accepts?.isCarrier(op)) {
            const flags = cq[i + 3]!;
            if (!(flags & IORING_CQE_F_MORE)) {
              slab.release(slot);
              this.#inFlight--;
            }
            this.#accepts.cqe(op, res, flags);
            continue;
          }
          if (op.code === OpCode.RECVMSG_POOL && this.#dgrams?.isCarrier(op)) {
            const flags = cq[i + 3]!;
            if (!(flags & IORING_CQE_F_MORE)) {
              slab.release(slot);
              this.#inFlight--;
            }
            this.#dgrams.cqe(op, res, flags);
            continue;
          }
          if (op.code === OpCode.RECV_POOL) this.#pools.picked(op, res, cqeFlags);
          if (op.code === OpCode.RECVMSG_POOL) res = singleShotDatagram(op, res, cqeFlags, (pool, bid) => this.#pools.recycle(pool, bid));
          slab.release(slot);
          this.#inFlight--;
          if (faultPlan === null) op.complete(op.code === OpCode.TIMEOUT && res === -ETIME ? 0 : res);
          else faultPlan.complete(op, op.code === OpCode.TIMEOUT && res === -ETIME ? 0 : res);
        }
      } finally {
        // Hand the CQ slots back to the kernel only after reading them.
        Atomics.store(cq, ring.cqHead, head);
      }
      // NODROP: completions that did not fit wait in the kernel; GETEVENTS moves them into the CQ.
      const flags = Atomics.load(ring.sq, ring.sqFlags);
      const overflow = (flags & IORING_SQ_CQ_OVERFLOW) !== 0 || (faultPlan !== null && faultPlan.cqOverflow());
      if (!overflow && !(this.#taskrunFlag && flags & IORING_SQ_TASKRUN)) break;
      if (overflow) this.#stats.cqOverflows++;
      this.#enter();
      // Go round again only if entering produced CQEs: never spin on a flag that stays set.
      if (Atomics.load(cq, ring.cqTail) === head) break;
    }
    this.#stats.cqesReaped += total;
    // The datagrams of this reap go to the receives waiting for them, a batch each.
    this.#dgrams?.settle();
    return total;
  }

  /**
   * Ops that may go on after a completed SQE: a SEND_ZC the socket does not support (EOPNOTSUPP:
   * AF_UNIX, or a protocol without SOCK_SUPPORT_ZC) again as a plain SEND, and SENDFILE's next
   * splice. Returns {@link RESUBMIT} when the op was queued again, else the result to complete it with.
   */
  #goOn(slot: number, op: Op, res: number): number {
    const slab = this.#slab;
    if (op.code === OpCode.SEND) {
      if (res !== -EOPNOTSUPP || slab.variant[slot] !== SEND_AS_ZC || op.cancelling) return res;
      slab.variant[slot] = 0;
    } else {
      res = this.#splice.step(slot, op, res, slab);
      if (res !== RESUBMIT) return res;
    }
    slab.state[slot] = QUEUED;
    this.#queue.push(slot, OP_ENTRY);
    this.#schedule();
    return RESUBMIT;
  }

  #settleUnsubmitted(slot: number, op: Op, res: number): void {
    if (op.code === OpCode.SENDFILE) this.#splice.end(slot, res);
    this.#slab.release(slot);
    this.#inFlight--;
    op.complete(res);
  }

  /**
   * io_uring_enter failed for the ring as a whole: SQEs not consumed will never be, so the ops
   * behind them complete with the error (nothing hangs).
   */
  #failRing(res: number): void {
    const ring = this.#ring;
    const head = Atomics.load(ring.sq, ring.sqHead);
    for (let t = head; t !== this.#sqeTail; t = (t + 1) >>> 0) {
      const b = (t & ring.sqMask) << 4;
      const slot = ring.sqes[b + 8]!; // a masked SQE index: inside the SQE array
      const gen = ring.sqes[b + 9]!;
      if (gen === USER_DATA_CANCEL) continue;
      const op = this.#slab.lookup(slot, gen);
      if (op) this.#settleUnsubmitted(slot, op, res);
    }
    // Forget them: rewind liburing's and the kernel's view of the SQ to what was consumed.
    this.#sqeTail = head;
    ring.u32[SQE_TAIL_WORD] = head;
    ring.u32[SQE_HEAD_WORD] = head;
    Atomics.store(ring.sq, ring.sqTail, head);
  }

  /** Ops whose opcode the kernel lacks: one synchronous libc call, completed at once. */
  #syncFallback(op: Op): void {
    const libc = this.#libc;
    const fallback = URING_OPS[op.code].fallback;
    // INVARIANT: #native is 0 only for ops with a fallback (set in the constructor).
    const r = fallback!(op, libc);
    this.#stats.syscalls++;
    this.#stats.libcFallbacks++;
    op.complete(r < 0 ? -errno() : r);
  }

  #libcClose(fd: number): number {
    this.#stats.syscalls++;
    return this.#libc.close(fd) < 0 ? -errno() : 0;
  }
}
