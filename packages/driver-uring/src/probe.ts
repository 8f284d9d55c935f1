/**
 * What the running kernel supports: opcodes (through `io_uring_get_probe_ring`) and setup flags
 * (by setting up a tiny ring with each). A required opcode missing makes the driver unavailable
 * with a one-line reason, so `auto` falls back; optional ones have a synchronous libc fallback.
 * @module
 */
import { release } from 'node:os';
import { DriverUnavailableError, errnoException, errnoName } from '@rentio/core/driver';
import {
  IORING_OP_ACCEPT,
  IORING_OP_ASYNC_CANCEL,
  IORING_OP_BIND,
  IORING_OP_CLOSE,
  IORING_OP_CONNECT,
  IORING_OP_FSYNC,
  IORING_OP_FTRUNCATE,
  IORING_OP_LINK_TIMEOUT,
  IORING_OP_LISTEN,
  IORING_OP_NAME,
  IORING_OP_OPENAT,
  IORING_OP_READ,
  IORING_OP_RECV,
  IORING_OP_RECVMSG,
  IORING_OP_SEND,
  IORING_OP_SEND_ZC,
  IORING_OP_SENDMSG,
  IORING_OP_SHUTDOWN,
  IORING_OP_SOCKET,
  IORING_OP_SPLICE,
  IORING_OP_STATX,
  IORING_OP_TIMEOUT,
  IORING_OP_UNLINKAT,
  IORING_OP_WRITE,
  IORING_OP_WRITEV,
  IORING_SETUP,
  IORING_SETUP_COOP_TASKRUN,
  IORING_SETUP_SINGLE_ISSUER,
  IO_URING_OP_SUPPORTED,
} from './constants.js';
import { view, type Liburing } from './ffi.js';
import { partialRefusal, seccompStatus, type SeccompStatus } from './refusal.js';
import { Ring } from './ring.js';

/** Opcodes the driver cannot work without (all in Linux 5.6+). */
export const REQUIRED_OPS = [
  IORING_OP_OPENAT,
  IORING_OP_CLOSE,
  IORING_OP_READ,
  IORING_OP_WRITE,
  IORING_OP_WRITEV,
  IORING_OP_FSYNC,
  IORING_OP_STATX,
  IORING_OP_ACCEPT,
  IORING_OP_CONNECT,
  IORING_OP_RECV,
  IORING_OP_SEND,
  IORING_OP_SENDMSG,
  IORING_OP_RECVMSG,
  IORING_OP_SHUTDOWN,
  IORING_OP_TIMEOUT,
  IORING_OP_ASYNC_CANCEL,
];
/** Opcodes used when the kernel has them, else done by a synchronous libc call. */
export const OPTIONAL_OPS = [IORING_OP_SOCKET, IORING_OP_FTRUNCATE, IORING_OP_BIND, IORING_OP_LISTEN, IORING_OP_UNLINKAT];
/**
 * Opcodes behind features, reported by `rentio doctor`: op deadlines (LINK_TIMEOUT, 5.5),
 * `sendFile` (SPLICE, 5.7), zero-copy send (SEND_ZC, 6.0: plain send without it).
 */
export const FEATURE_OPS = [IORING_OP_LINK_TIMEOUT, IORING_OP_SPLICE, IORING_OP_SEND_ZC];

/** sizeof(struct io_uring_probe) header, and of one struct io_uring_probe_op. */
const PROBE_HEADER = 16;
const PROBE_OP = 8;

/** The opcodes the kernel behind `ring` supports. */
export function probeOpcodes(ring: Ring): Set<number> {
  const p = ring.lib.io_uring_get_probe_ring(ring.ptr);
  if (!p) throw new DriverUnavailableError('uring', probeRefusal(seccompStatus()));
  try {
    const head = new Uint8Array(view(p, PROBE_HEADER));
    // struct io_uring_probe { u8 last_op; u8 ops_len; ... }: both inside the header view.
    const [lastOp = 0, len = 0] = head;
    const ops = new DataView(view(p, PROBE_HEADER + len * PROBE_OP));
    const out = new Set<number>();
    for (let op = 0; op <= lastOp && op < len; op++) {
      if (ops.getUint16(PROBE_HEADER + op * PROBE_OP + 2, true) & IO_URING_OP_SUPPORTED) out.add(op);
    }
    return out;
  } finally {
    ring.lib.io_uring_free_probe(p);
  }
}

/**
 * Why `io_uring_get_probe_ring` returned NULL (liburing keeps no errno): an old kernel, or — once
 * setup passed — a seccomp profile that allows `io_uring_setup` but denies `io_uring_register`.
 */
export function probeRefusal(seccomp: SeccompStatus): string {
  const old = 'kernel lacks IORING_REGISTER_PROBE (Linux 5.6+ needed)';
  if (seccomp.mode !== 2) return old;
  return `${partialRefusal('io_uring_register', 'refused', seccomp)}; or the ${old}`;
}

/**
 * Make one `io_uring_enter` (GETEVENTS, nothing to submit) on a fresh ring: a seccomp profile or a
 * security module may allow `io_uring_setup` yet deny `io_uring_enter`, and then every op would
 * fail with EPERM; refusing here lets `auto` fall back instead.
 */
export function checkEnter(ring: Ring): void {
  const res = ring.lib.io_uring_get_events(ring.ptr);
  if (res >= 0) return;
  const name = errnoName(res);
  if (name === 'EPERM' || name === 'EACCES' || name === 'ENOSYS') {
    throw new DriverUnavailableError('uring', partialRefusal('io_uring_enter', name), { cause: errnoException(res, 'io_uring_enter') });
  }
  // Anything else (EINTR, EBUSY) is no verdict on permission: the driver handles it per submit.
}

/** Throw `DriverUnavailableError('kernel lacks IORING_OP_X')` for the first required opcode missing. */
export function checkRequired(ops: Set<number>): void {
  const missing = REQUIRED_OPS.filter((op) => !ops.has(op));
  if (missing.length) throw new DriverUnavailableError('uring', `kernel lacks ${missing.map((op) => IORING_OP_NAME[op]).join(', ')}`);
}

/** Each setup flag by name: accepted by the kernel alone (or with what it requires)? */
export function probeSetupFlags(lib: Liburing): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [name, bit] of Object.entries(IORING_SETUP)) {
    // DEFER_TASKRUN requires SINGLE_ISSUER; TASKRUN_FLAG requires COOP_TASKRUN.
    let flags = bit;
    if (name === 'DEFER_TASKRUN') flags |= IORING_SETUP_SINGLE_ISSUER;
    if (name === 'TASKRUN_FLAG') flags |= IORING_SETUP_COOP_TASKRUN;
    try {
      const ring = Ring.open(lib, { entries: 2, cqEntries: 0, flags });
      out[name] = (ring.flags & bit) !== 0;
      ring.close();
    } catch {
      out[name] = false;
    }
  }
  return out;
}

/**
 * The running kernel's release is at least major.minor (uname -r): for features with no probe
 * bit (multishot recv/accept are ioprio flags of opcodes the probe already lists).
 */
export function kernelAtLeast(major: number, minor: number): boolean {
  const [a = 0, b = 0] = release().split(/[.-]/).map(Number);
  return a > major || (a === major && b >= minor);
}
