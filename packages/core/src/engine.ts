/**
 * The op engine: one driver, the ops in flight on it (started, counted, cancelled), the handles
 * made on it, and closing it all down. The public fs/net facade (`open`, `readFile`, `listen`,
 * `connect`, `sleep`, ...) is {@link Runtime}, in runtime.ts, built on this.
 * @module
 */
import { transferMechanism } from './transfer.js';
import { watch } from './signals.js';
import type { Driver, DriverModel, DriverStats } from './driver.js';
import { InvalidArgTypeError, RuntimeClosedError, errnoException } from './errors.js';
import type { Handle } from './handle.js';
import { CancelCause, ECANCELED, Op, OpList, type OpSink, type WeakOpCount } from './op.js';
import { SOCKADDR_STORAGE } from './sockaddr.js';
import { setsockoptBytes, setsockoptInt, sockname } from './sys/sockopt.js';

/** What runs a runtime: the driver's name and kernel model. */
export interface DriverInfo {
  /** `'uring'` or `'epoll'`. */
  readonly name: string;
  /** `'completion'` (uring) or `'readiness'` (epoll). */
  readonly model: DriverModel;
}

/** Counters of a runtime (see {@link Runtime.stats}). */
export interface RuntimeStats extends DriverStats {
  driver: string;
  model: string;
  /** Ops handed to the driver. */
  submitted: number;
  /** Ops completed (successfully, with an error or cancelled). */
  completed: number;
  /** Ops in flight now. */
  inFlight: number;
  /** Open handles (files, streams, listeners). */
  handles: number;
  /** How buffers are detached: `'native'` (ArrayBuffer transfer) or `'structuredClone'`. */
  bufferTransfer: string;
}

/**
 * The op engine under every {@link Runtime}: not made directly (use `createRuntime`).
 */
export class Engine implements OpSink, WeakOpCount {
  /** The driver running this runtime. */
  readonly driver: DriverInfo;
  /** Why `auto` did not pick uring (`null` when it did, or a driver was named). */
  readonly fallbackReason: string | null;
  /** @internal ops with no handle (open, connect's socket, sleep, close) */
  readonly _loose = new OpList();
  #driver: Driver;
  #handles = new Set<Handle>();
  #closing: Promise<void> | null = null;
  #submitted = 0;
  #completed = 0;
  #inFlight = 0;
  #extraStats = new Map<string, () => number>();
  /** @internal ops in flight on unref'd handles, counted by their handles' op lists */
  _weakOps = 0;
  /** What the driver was last told by holdLoop (it starts holding). */
  #held = true;

  /** @internal use `createRuntime` */
  constructor(driver: Driver, fallbackReason: string | null) {
    this.#driver = driver;
    this.driver = Object.freeze({ name: driver.name, model: driver.model });
    this.fallbackReason = fallbackReason;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closing !== null;
  }

  /**
   * Counters: ops submitted/completed/in flight, open handles, and the driver's own
   * (syscalls, parks, wakeups, ...).
   */
  stats(): RuntimeStats {
    const s: RuntimeStats = {
      ...this.#driver.stats(),
      driver: this.driver.name,
      model: this.driver.model,
      submitted: this.#submitted,
      completed: this.#completed,
      inFlight: this.#inFlight,
      handles: this.#handles.size,
      bufferTransfer: transferMechanism,
    };
    for (const [k, f] of this.#extraStats) s[k] = f();
    return s;
  }

  /** Add a counter to `stats()` (compat reports its staging pool this way). */
  addStat(name: string, read: () => number): void {
    if (typeof name !== 'string') throw new InvalidArgTypeError('name', 'a string', name);
    if (typeof read !== 'function') throw new InvalidArgTypeError('read', 'a function', read);
    this.#extraStats.set(name, read);
  }

  /**
   * Close the runtime: every op in flight is cancelled (rejecting with
   * `ERR_RENTIO_RUNTIME_CLOSED` and its buffer, unless it completed first), every handle is
   * closed, each completion is waited for, then the driver is freed. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this._loose._cancelAll(CancelCause.RUNTIME_CLOSED);
    // An open, socket or accept whose result beat its cancel makes its handle after this began
    // (in the op's promise reaction, after the op list drained): go round until none is left, so
    // each is closed while the driver still runs, then free the driver.
    do {
      await Promise.allSettled([...this.#handles].map((h) => h._closeForRuntime()));
      await this._loose._drained();
      await new Promise((resolve) => setImmediate(resolve));
    } while (this.#handles.size > 0 || this._loose._size > 0);
    await this.#driver.close();
  }

  /** setsockopt(fd, level, name, &int, 4) for a handle, throwing a Node-style error. @internal */
  _setsockopt(fd: number, level: number, name: number, value: number): void {
    const r = setsockoptInt(fd, level, name, value);
    if (r < 0) throw errnoException(r, 'setsockopt', undefined, 'net');
  }

  /**
   * setsockopt with a struct value (e.g. struct linger for SO_LINGER: `{ int l_onoff; int
   * l_linger }`, 8 bytes), throwing a Node-style error. @internal
   */
  _setsockoptBytes(fd: number, level: number, name: number, bytes: Uint8Array): void {
    const r = setsockoptBytes(fd, level, name, bytes);
    if (r < 0) throw errnoException(r, 'setsockopt', undefined, 'net');
  }

  /** getsockname/getpeername into a fresh buffer, with the length the kernel reported; null on error. @internal */
  _socknameLen(fd: number, peer: boolean): [Uint8Array, number] | null {
    const out = new Uint8Array(SOCKADDR_STORAGE);
    const n = sockname(fd, peer, out);
    return n < 0 ? null : [out, n];
  }

  /** getsockname/getpeername into a fresh buffer; null on error. @internal */
  _sockname(fd: number, peer: boolean): Uint8Array | null {
    const out = new Uint8Array(SOCKADDR_STORAGE);
    return sockname(fd, peer, out) < 0 ? null : out;
  }

  #check(): void {
    if (this.#closing) throw new RuntimeClosedError();
  }

  /** Check the runtime is open (for handles' ops). @internal */
  _checkOpen(): void {
    this.#check();
  }

  /**
   * Start an op: link it to its owner, hand it to the driver, listen to its signal.
   * `internal` ops (a handle's close during runtime close) bypass the closed check.
   * @internal
   */
  _start<T>(op: Op, owner: OpList, signal: AbortSignal | null, internal = false): Promise<T> {
    if (!internal) this.#check();
    const p = new Promise<T>((resolve, reject) => {
      op.resolve = resolve as (v: unknown) => void;
      op.reject = reject;
    });
    this._submit(op, owner, signal);
    return p;
  }

  /**
   * Start an op whose `resolve`/`reject` the caller already set (it settles a promise of its own,
   * e.g. a pooled read's `[n, lease]`). The caller checked that the runtime is open. @internal
   */
  _submit(op: Op, owner: OpList, signal: AbortSignal | null): void {
    op.sink = this;
    owner._link(op);
    this.#submitted++;
    this.#inFlight++;
    if (signal) {
      if (signal.aborted) {
        op.abortReason = signal.reason;
        op.cancelCause = CancelCause.ABORT;
        op.complete(-ECANCELED);
        return;
      }
      op.signal = signal;
      watch(signal, op);
    }
    this._checkHold();
    this.#driver.submit(op);
  }

  /** @internal */
  _opDone(_op: Op): void {
    this.#completed++;
    this.#inFlight--;
    this._checkHold();
  }

  /**
   * Tell the driver whether the ops in flight keep the process alive: not when every one of them
   * belongs to an unref'd handle (as Node's loop exits with only unref'd handles active). Called
   * when the counts change; with no unref'd handle it stays true and never calls the driver.
   * @internal
   */
  _checkHold(): void {
    const hold = this._weakOps === 0 || this.#inFlight > this._weakOps;
    if (hold === this.#held) return;
    this.#held = hold;
    this.#driver.holdLoop(hold);
  }

  /** @internal */
  _cancel(op: Op): void {
    this.#driver.cancel(op);
  }

  /**
   * Every op in flight on a handle, or on no handle, as a list taken now (cancelling one may
   * unlink it). For a pool's close, which cancels the reads through it. @internal
   */
  _opsInFlight(): Op[] {
    const all: Op[] = [];
    for (const h of this.#handles) for (let op = h._head; op; op = op.next) all.push(op);
    for (let op = this._loose._head; op; op = op.next) all.push(op);
    return all;
  }

  /** @internal */
  _adopt(h: Handle): void {
    this.#handles.add(h);
  }

  /** @internal */
  _forget(h: Handle): void {
    this.#handles.delete(h);
  }
}
