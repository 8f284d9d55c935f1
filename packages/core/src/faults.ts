/**
 * Deterministic fault injection, for tests only: a seeded schedule that makes chosen ops fail
 * (EINTR, EAGAIN, ENOMEM, ENOBUFS, EBADF, ECONNRESET), complete short, complete late (held some
 * turns), or hold their result until a cancel arrives; and, under uring, shrinks the SQ, reports
 * a CQ overflow or refuses a submit (EBUSY/EAGAIN).
 *
 * Off unless a test installs a plan through `@rentio/core/testing` ({@link setFaultPlan}): each
 * driver reads {@link faultPlan} at the one place it learns a result, behind a single
 * `faultPlan !== null` test, so production pays one null check and nothing can turn it on by
 * accident (no environment variable is read here).
 *
 * Every fault is one the kernel could really produce at that point, so a failure it reveals is
 * the program's, not the injector's:
 * - errors are injected *instead of* running the syscall (nothing happened, as when the kernel
 *   refuses it up front) — except CLOSE, whose error is reported *after* the real close (Linux
 *   frees the fd before close(2) can fail), and CONNECT, never touched (a failed nonblocking
 *   connect is in progress, not undone);
 * - a short completion asks the kernel for fewer bytes than the op's window (reads and writes of
 *   one buffer), or reports fewer bytes of a positioned file read/write after it ran (reading or
 *   writing the same bytes at the same offset again is idempotent);
 * - a late completion holds the real result for some event-loop turns; a cancel race holds it
 *   until the op is cancelling (or a few turns passed), then delivers it in that same turn.
 * What a driver cannot see coming is never injected: no spurious EAGAIN on an edge-triggered epoll
 * readiness op (the kernel says EAGAIN only when no edge is owed, and a fake one would wait for an
 * edge that already went by), and no short read there (a short read means drained to that driver).
 *
 * The schedule is a pure function of (seed, ordinal): the n-th decision always rolls the same
 * numbers, so `RENTIO_FAULT_SEED=<seed>` (read by the test helper) replays it; what the kernel does
 * between the faults (how data is split across reads) can still differ between runs.
 * @module
 */
import { constants as osConstants } from 'node:os';
import { ECANCELED, OpCode, type Op } from './op.js';

const { EINTR, EAGAIN, ENOMEM, ENOBUFS, EBADF, ECONNRESET, EBUSY } = osConstants.errno;

/** The kinds of fault a plan injects (names are what {@link FaultPlan.counts} counts). */
export const FAULT_KINDS = [
  'EINTR',
  'EAGAIN',
  'ENOMEM',
  'ENOBUFS',
  'EBADF',
  'ECONNRESET',
  'short',
  'late',
  'cancelRace',
  'sqFull',
  'cqOverflow',
  'submitRefused',
] as const;
/** One of {@link FAULT_KINDS}. */
export type FaultKind = (typeof FAULT_KINDS)[number];

const ERRNOS: Readonly<Partial<Record<FaultKind, number>>> = { EINTR, EAGAIN, ENOMEM, ENOBUFS, EBADF, ECONNRESET };
/** Kinds a per-op roll picks from (the ring-wide ones roll on their own). */
const OP_KINDS: readonly FaultKind[] = [
  'EINTR',
  'EAGAIN',
  'ENOMEM',
  'ENOBUFS',
  'EBADF',
  'ECONNRESET',
  'short',
  'short',
  'late',
  'late',
  'cancelRace',
];

/** What a plan injects and how often. */
export interface FaultOptions {
  /** Probability that an op gets a fault, at each point where one may be injected (default 0.05). */
  rate?: number;
  /** Kinds to inject (default: all). */
  kinds?: readonly FaultKind[];
  /** Most turns a late completion is held (default 4). */
  maxTurns?: number;
}

/** A result held back by a late-completion or cancel-race fault. */
interface Held {
  op: Op;
  res: number;
  turns: number;
  race: boolean;
}

/** 32-bit finaliser of MurmurHash3: a bijective mix, so distinct ordinals give unrelated rolls. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A seeded fault schedule. Install with {@link setFaultPlan}; read the counters after a run.
 * @example
 * ```ts
 * import { FaultPlan, setFaultPlan } from '@rentio/core/testing';
 * const plan = new FaultPlan(42, { rate: 0.1 });
 * setFaultPlan(plan);
 * try { await workload(); } finally { setFaultPlan(null); await plan.drain(); }
 * console.log(plan.counts); // { EINTR: 3, short: 7, ... }
 * ```
 */
export class FaultPlan {
  /** The seed the schedule is derived from. */
  readonly seed: number;
  /** Faults injected so far, by kind. */
  readonly counts: Record<FaultKind, number>;
  readonly #threshold: number;
  readonly #kinds: readonly FaultKind[];
  readonly #maxTurns: number;
  readonly #allowed: Set<FaultKind>;
  /** Decisions made so far: [0] about ops, [1] about the ring as a whole (SQ room, CQ overflow, submit). */
  readonly #ordinals = [0, 0];
  /** uring: ops whose SQE was turned into a NOP, and the -errno their CQE stands for. */
  readonly #instead = new Map<Op, number>();
  readonly #held: Held[] = [];
  #ticking = false;
  #idle: (() => void)[] = [];
  readonly #tick = () => this.#turn();

  constructor(seed: number, options: FaultOptions = {}) {
    this.seed = seed >>> 0;
    this.#threshold = Math.floor((options.rate ?? 0.05) * 0x100000000);
    const allowed = new Set(options.kinds ?? FAULT_KINDS);
    this.#kinds = OP_KINDS.filter((k) => allowed.has(k));
    this.#allowed = allowed;
    this.#maxTurns = Math.max(1, options.maxTurns ?? 4);
    this.counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  }

  /** Total faults injected. */
  get total(): number {
    let n = 0;
    for (const k of FAULT_KINDS) n += this.counts[k];
    return n;
  }

  /** Results still held back (late completions, cancel races). */
  get held(): number {
    return this.#held.length;
  }

  /** Resolves once no result is held back. */
  drain(): Promise<void> {
    if (this.#held.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  // --- the schedule ---

  /**
   * The next roll of a stream: a 32-bit number that depends only on (seed, stream, ordinal). Two
   * streams, so how often the ring is flushed (timing) does not shift which ops get faults.
   */
  #roll(stream = 0): number {
    return mix32(mix32(this.seed ^ (0x9e3779b9 + stream)) ^ Math.imul((this.#ordinals[stream] = this.#ordinals[stream]! + 1), 0x27d4eb2d));
  }

  /** Whether this decision faults; when it does, a second roll picks how. */
  #hit(stream = 0): boolean {
    return this.#roll(stream) < this.#threshold;
  }

  /** Pick a per-op fault kind this site accepts, or null. */
  #pick(accept: (k: FaultKind) => boolean): FaultKind | null {
    if (this.#kinds.length === 0 || !this.#hit()) return null;
    const k = this.#kinds[this.#roll() % this.#kinds.length]!; // the index is below the length
    return accept(k) ? k : null;
  }

  #count(k: FaultKind): void {
    this.counts[k]++;
  }

  /** A length in [1, len - 1] for a short completion. */
  #shorter(len: number): number {
    return 1 + (this.#roll() % (len - 1));
  }

  // --- epoll: around a main-thread nonblocking syscall ---

  /**
   * Run (or instead of running, fail) one nonblocking syscall of an op. Errors replace the call;
   * a short write asks for fewer bytes. No EAGAIN and no short read here (see the module comment).
   */
  call<H>(syscall: (op: Op, host: H) => number, op: Op, host: H): number {
    const code = op.code;
    if (code === OpCode.CONNECT || code === OpCode.CLOSE) return syscall(op, host);
    const writes = code === OpCode.SEND || code === OpCode.WRITE;
    const k = this.#pick((k) => (k === 'short' ? writes && op.len > 1 : ERRNOS[k] !== undefined && k !== 'EAGAIN'));
    if (k === null) return syscall(op, host);
    this.#count(k);
    if (k !== 'short') return -ERRNOS[k]!;
    const len = op.len;
    op.len = this.#shorter(len);
    try {
      return syscall(op, host);
    } finally {
      op.len = len;
    }
  }

  /** epoll file workers: the result of a job that ran. Positioned reads/writes may be cut short or fail. */
  fileResult(op: Op, res: number): number {
    if ((op.code !== OpCode.READ && op.code !== OpCode.WRITE) || op.pos < 0 || res < 0) return res;
    const k = this.#pick((k) => (k === 'short' ? res > 1 : k === 'ENOMEM' || k === 'EBADF'));
    if (k === null) return res;
    this.#count(k);
    return k === 'short' ? this.#shorter(res) : -ERRNOS[k]!;
  }

  // --- uring: at the SQE, the submit and the CQE ---

  /**
   * The op's SQE (16 u32 words at `w[b]`) was just written: maybe turn it into a NOP standing for
   * an error (its CQE then carries that error, see {@link FaultPlan.result}), or shorten its length.
   */
  sqe(w: Uint32Array, b: number, op: Op): void {
    const code = op.code;
    if (code === OpCode.CLOSE || code === OpCode.CONNECT || code === OpCode.TIMEOUT) return;
    const oneBuf = code === OpCode.READ || code === OpCode.WRITE || code === OpCode.RECV || code === OpCode.SEND;
    // No per-op EAGAIN: io_uring waits for readiness itself and says EAGAIN in a CQE only for a
    // file the caller made nonblocking (its answer, not a retry); the ring's EAGAIN is the
    // submit's, see refuseSubmit.
    const k = this.#pick((k) => (k === 'short' ? oneBuf && w[b + 6]! > 1 : ERRNOS[k] !== undefined && k !== 'EAGAIN'));
    if (k === null) return;
    this.#count(k);
    if (k === 'short') {
      w[b + 6] = this.#shorter(w[b + 6]!);
      return;
    }
    // IORING_OP_NOP (0), no flags: every word but user_data (w8, w9) cleared.
    for (let i = 0; i < 8; i++) w[b + i] = 0;
    for (let i = 10; i < 16; i++) w[b + i] = 0;
    this.#instead.set(op, -ERRNOS[k]!);
  }

  /** The CQE's result for `op`: the error its NOP stood for; a CLOSE may fail after it closed. */
  result(op: Op, res: number): number {
    const instead = this.#instead.get(op);
    if (instead !== undefined) {
      this.#instead.delete(op);
      // A NOP cancelled before it ran says so; otherwise the injected error.
      return res === -ECANCELED ? res : instead;
    }
    if (op.code === OpCode.CLOSE && res === 0) {
      const k = this.#pick((k) => k === 'EINTR' || k === 'EBADF');
      if (k !== null) {
        this.#count(k);
        return -ERRNOS[k]!;
      }
    }
    return res;
  }

  /** SQ entries the driver may fill this round: sometimes fewer than free (never below `pending`). */
  sqRoom(entries: number, pending: number): number {
    if (!this.#allowed.has('sqFull') || !this.#hit(1)) return entries;
    this.#count('sqFull');
    return pending + (this.#roll(1) % (entries - pending + 1));
  }

  /** 0, or the -EBUSY/-EAGAIN a submit is refused with (as io_uring_enter does under back-pressure or short of memory). */
  refuseSubmit(): number {
    if (!this.#allowed.has('submitRefused') || !this.#hit(1)) return 0;
    this.#count('submitRefused');
    if (this.#roll(1) & 1) return -EBUSY;
    this.#count('EAGAIN');
    return -EAGAIN;
  }

  /** True when the reaper should act as if the kernel flagged a CQ overflow. */
  cqOverflow(): boolean {
    if (!this.#allowed.has('cqOverflow') || !this.#hit(1)) return false;
    this.#count('cqOverflow');
    return true;
  }

  // --- both: delivering a result ---

  /** Complete `op` with `res`, now or — a late completion or a cancel race — some turns later. */
  complete(op: Op, res: number): void {
    const k = this.#pick((k) => k === 'late' || k === 'cancelRace');
    if (k === null) return op.complete(res);
    this.#count(k);
    const race = k === 'cancelRace';
    this.#held.push({ op, res, turns: 1 + (this.#roll() % (race ? 4 * this.#maxTurns : this.#maxTurns)), race });
    if (!this.#ticking) {
      this.#ticking = true;
      setImmediate(this.#tick);
    }
  }

  /** One event-loop turn: deliver what is due, and every cancel-race result whose op is now cancelling. */
  #turn(): void {
    const due: Held[] = [];
    let keep = 0;
    for (const h of this.#held) {
      if (--h.turns <= 0 || (h.race && h.op.cancelling)) due.push(h);
      else this.#held[keep++] = h;
    }
    this.#held.length = keep;
    for (const h of due) h.op.complete(h.res);
    if (this.#held.length > 0) {
      setImmediate(this.#tick);
      return;
    }
    this.#ticking = false;
    for (const w of this.#idle.splice(0)) w();
  }
}

/**
 * The installed plan, or null (always, outside tests). Drivers read it as
 * `if (faultPlan !== null)` at the points where they learn a result.
 */
export let faultPlan: FaultPlan | null = null;

/**
 * Install (or, with null, remove) the fault plan every driver in this thread consults.
 * Test-only: reachable through `@rentio/core/testing`, not the public API.
 * @example
 * ```ts
 * setFaultPlan(new FaultPlan(Number(process.env.RENTIO_FAULT_SEED ?? 1)));
 * ```
 */
export function setFaultPlan(plan: FaultPlan | null): void {
  faultPlan = plan;
}
