/**
 * The Driver contract: what a kernel driver implements and all core asks of it.
 *
 * Core never imports a driver; it loads one by package name (`@rentio/driver-<name>`) and calls
 * its module's `open()`. A driver imports only `@rentio/core/driver`.
 * @module
 */
import type { Op } from './op.js';

/** The kernel model a driver exposes. */
export type DriverModel = 'readiness' | 'completion';

/** Counters every driver reports; drivers add their own beside these. */
export interface DriverStats {
  /** Syscalls and kernel entries the driver made (FFI calls into the kernel). */
  syscalls: number;
  /** Times the driver handed waiting back to Node's loop with ops in flight. */
  parks: number;
  /** Times Node's loop woke the driver (its fd turned readable). */
  wakeups: number;
  [key: string]: number | string | boolean;
}

/** Options passed to a driver's `open()`; unknown keys are ignored. */
export interface DriverOptions {
  /** uring: path or name of liburing to load (default `liburing.so.2`); tests point it at nothing to force fallback. */
  liburingPath?: string;
  /** uring: SQ entries (default 256). */
  entries?: number;
  /** uring: setup flags to try, by name; degraded on EINVAL. */
  setupFlags?: string[];
  /** epoll: file worker threads (default 4). */
  fileThreads?: number;
  [key: string]: unknown;
}

/**
 * A kernel driver: only what differs between the kernel models. Synchronous socket calls that
 * behave the same under both (setsockopt, getsockname, getpeername) are core's own
 * (`sys/sockopt.ts`), over the libc both drivers share (`sys/libc.ts`).
 *
 * Rules a driver keeps:
 * - `submit(op)` starts the op; the driver calls `op.complete(res)` exactly once, with the
 *   syscall's result or `-errno`. It may complete synchronously inside `submit`.
 * - `cancel(op)` asks for cancellation of a submitted op. The op still completes exactly once:
 *   with `-ECANCELED` if the cancel took effect, with its real result if it came too late. It may
 *   complete synchronously inside `cancel` (core's lists take the next op before cancelling one).
 * - The driver keeps `op` (and so its owned memory) reachable until it completes it.
 * - The process stays alive exactly while ops are in flight (ref the parker) and `holdLoop`
 *   last said true, and never blocks Node's main thread.
 */
export interface Driver {
  /** `'epoll'` or `'uring'`. */
  readonly name: string;
  /** `'readiness'` or `'completion'`. */
  readonly model: DriverModel;
  /** Start an op. */
  submit(op: Op): void;
  /** Ask for an op's cancellation. */
  cancel(op: Op): void;
  /**
   * Whether the ops in flight keep the process alive (true at open). Core passes false while
   * every op in flight belongs to an unref'd handle, true again once one does not: while false,
   * the driver lets Node's loop exit even with ops in flight (`parker.hold(false)`), as libuv
   * does for unref'd handles. Ops keep running and completing either way.
   */
  holdLoop(hold: boolean): void;
  /** Counters. */
  stats(): DriverStats;
  /** Free every resource. Core calls it once, after every op has completed. */
  close(): Promise<void>;
}

/** What a driver package exports. */
export interface DriverModule {
  /**
   * Make a driver. Throws `DriverUnavailableError` (with a one-line reason) when this driver
   * cannot work on this machine (library missing, syscall not permitted or not supported); any
   * other error (EMFILE, ENOMEM) is a real failure and is thrown as is.
   */
  open(options: DriverOptions): Promise<Driver>;
}
