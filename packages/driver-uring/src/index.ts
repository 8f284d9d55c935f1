/**
 * `@rentio/driver-uring`: rentio's completion driver — io_uring through the system liburing and
 * koffi, with the SQ/CQ rings mapped into JS.
 *
 * Core loads it by name; users pick it with `createRuntime({ driver: 'uring' })`,
 * `RENTIO_DRIVER=uring`, or get it from `auto` when the kernel allows io_uring.
 *
 * @example
 * ```ts
 * import { createRuntime } from '@rentio/core'
 * const rt = await createRuntime({ driver: 'uring', driverOptions: { entries: 512 } })
 * console.log(rt.stats().setupFlags)
 * ```
 * @module
 */
import { abiFor, DriverUnavailableError, InvalidArgValueError, type Driver, type DriverOptions } from '@rentio/core/driver';
import {
  IORING_OP_NAME,
  IORING_SETUP,
  IORING_SETUP_CLAMP,
  IORING_SETUP_COOP_TASKRUN,
  IORING_SETUP_DEFER_TASKRUN,
  IORING_SETUP_SINGLE_ISSUER,
  IORING_SETUP_SUBMIT_ALL,
  IORING_SETUP_TASKRUN_FLAG,
} from './constants.js';
import { LIBURING_DEFAULT, loadLibc, loadLiburing, type Libc } from './ffi.js';
import { checkEnter, checkRequired, kernelAtLeast, probeOpcodes } from './probe.js';
import { Ring } from './ring.js';

// The driver class is loaded by open() (after the architecture check): a type here.
export type { UringDriver } from './driver.js';
export { doctor, formatDoctor, type DoctorReport } from './doctor.js';
export { diagnoseSetupRefusal, seccompStatus, IO_URING_SYSCALLS, type RefusalCause, type SeccompStatus, type SetupRefusal } from './refusal.js';

/**
 * Setup flags tried when `setupFlags` is not given (each degraded on EINVAL). Measured on 6.18
 * (scripts/bench-read.mjs): plain COOP_TASKRUN beats SINGLE_ISSUER|DEFER_TASKRUN on file reads.
 */
export const DEFAULT_SETUP_FLAGS = ['CLAMP', 'SUBMIT_ALL', 'COOP_TASKRUN', 'TASKRUN_FLAG'];
const DEFAULT_FLAGS = IORING_SETUP_CLAMP | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;

/** uring-specific options besides core's `DriverOptions`. */
export interface UringOptions extends DriverOptions {
  /** CQ entries (default 4 × `entries`); completions beyond wait in the kernel (IORING_FEAT_NODROP). */
  cqEntries?: number;
  /**
   * Tests only: act as if the kernel lacked these opcodes (`'IORING_OP_SOCKET'`, ...), to exercise
   * the libc fallbacks and the "kernel lacks" refusal on a kernel that has them all.
   */
  pretendMissingOpcodes?: string[];
  /**
   * Stream writes of at least this many bytes go as `IORING_OP_SEND_ZC` (zero-copy send, Linux
   * 6.0+; plain send where the kernel lacks it or the socket refuses it). Default
   * {@link DEFAULT_SEND_ZC_THRESHOLD}; env `RENTIO_SEND_ZC_THRESHOLD`; `Infinity` turns it off.
   * `stats().zcSends` / `zcCopied` say how many went zero-copy and how many the kernel copied anyway.
   * A zero-copy write settles only at the kernel's notification, once its pages left the send
   * queue (the peer took the bytes, or the connection was torn down): until then the kernel may
   * still read the buffer, so it cannot be handed back — even past the op's `timeout`; and a
   * `close()` of the stream waits for it as for any op in flight.
   */
  sendZcThreshold?: number;
}

/**
 * Default zero-copy send threshold: off. Measured in bench/RESULTS.md ("Zero-copy send"): over
 * loopback the kernel always copies a zero-copy send's pages on delivery (the notification says
 * so: zcCopied === zcSends), so SEND_ZC only adds the notification's second CQE and page pinning
 * — slower than plain send at every size from 4 KiB to 1 MiB. Where the peer is across a NIC
 * with scatter-gather, set a threshold (64 KiB is where io_uring's authors report it winning).
 */
export const DEFAULT_SEND_ZC_THRESHOLD = Infinity;

/**
 * Open the uring driver (the `DriverModule` entry point core calls).
 *
 * Options: `liburingPath` (or env `RENTIO_LIBURING_PATH`; default `liburing.so.2`), `entries`
 * (SQ size, default 256), `cqEntries`, `setupFlags` (names from {@link DEFAULT_SETUP_FLAGS} plus
 * `SINGLE_ISSUER`, `DEFER_TASKRUN`; env `RENTIO_URING_FLAGS`, comma-separated, when not given). Throws `DriverUnavailableError` when io_uring cannot work
 * here (library missing, io_uring_setup EPERM/ENOSYS/EINVAL, an opcode missing, ABI mismatch),
 * and a Node-style error for resource failures (EMFILE, ENOMEM).
 *
 * @example
 * ```ts
 * import { open } from '@rentio/driver-uring'
 * const driver = await open({ setupFlags: ['SINGLE_ISSUER', 'DEFER_TASKRUN'] })
 * ```
 */
export async function open(options: UringOptions = {}): Promise<Driver> {
  const path = options.liburingPath ?? (process.env.RENTIO_LIBURING_PATH || LIBURING_DEFAULT);
  const entries = positiveInt('entries', options.entries ?? 256);
  const cqEntries = positiveInt('cqEntries', options.cqEntries ?? entries * 4);
  const envZc = process.env.RENTIO_SEND_ZC_THRESHOLD;
  const sendZcThreshold = threshold(options.sendZcThreshold ?? (envZc ? Number(envZc) : DEFAULT_SEND_ZC_THRESHOLD));
  const envFlags = process.env.RENTIO_URING_FLAGS;
  let flags =
    options.setupFlags !== undefined
      ? parseFlags(options.setupFlags)
      : envFlags !== undefined
        ? parseFlags(
            envFlags
              .split(',')
              .map((f) => f.trim())
              .filter(Boolean),
          )
        : DEFAULT_FLAGS;
  // DEFER_TASKRUN needs SINGLE_ISSUER, and the driver needs TASKRUN_FLAG with it to know when
  // deferred work waits (see UringDriver's parking).
  if (flags & IORING_SETUP_DEFER_TASKRUN) flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_TASKRUN_FLAG;
  // Refuse (DriverUnavailableError, with the reason) where the struct layouts are not stated.
  abiFor('uring');
  const lib = loadLiburing(path);
  let libc: Libc;
  try {
    libc = loadLibc();
  } catch (err) {
    throw new DriverUnavailableError('uring', `libc.so.6 could not be loaded: ${(err as Error).message}`, { cause: err });
  }
  const ring = Ring.open(lib, { entries, cqEntries: Math.max(cqEntries, entries), flags });
  try {
    checkEnter(ring);
    const ops = probeOpcodes(ring);
    for (const name of options.pretendMissingOpcodes ?? []) {
      const op = Object.entries(IORING_OP_NAME).find(([, n]) => n === name)?.[0];
      if (op === undefined) throw invalid('pretendMissingOpcodes', 'has an unknown opcode name', name);
      ops.delete(Number(op));
    }
    checkRequired(ops);
    // Imported only now: its modules lay out structs from core's abi.ts, checked above.
    const { UringDriver } = await import('./driver.js');
    // Multishot recv for pooled reads (Linux 6.0); `multishotRecv: false` keeps one buffer-select
    // recv SQE per read (the path kernels 5.19 take).
    // Multishot accept (5.19); `multishotAccept: false` keeps one ACCEPT SQE per accept().
    return new UringDriver(
      ring,
      libc,
      ops,
      sendZcThreshold,
      options.multishotRecv !== false && kernelAtLeast(6, 0),
      options.multishotAccept !== false && kernelAtLeast(5, 19),
    );
  } catch (err) {
    ring.close();
    throw err;
  }
}

function parseFlags(names: unknown): number {
  if (!Array.isArray(names)) throw invalid('setupFlags', 'must be an array of setup flag names', names);
  let flags = 0;
  for (const name of names) {
    const bit = typeof name === 'string' ? IORING_SETUP[name] : undefined;
    if (bit === undefined) throw invalid('setupFlags', `has an unknown flag (known: ${Object.keys(IORING_SETUP).join(', ')})`, name);
    flags |= bit;
  }
  return flags;
}

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 32768) throw invalid(name, 'must be an integer from 1 to 32768', v);
  return v;
}

function threshold(v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v) || v < 1) throw invalid('sendZcThreshold', 'must be a number of bytes >= 1 (Infinity: off)', v);
  return v;
}

function invalid(name: string, why: string, v: unknown): TypeError {
  return new InvalidArgValueError(`driverOptions.${name}`, why, v);
}
