/**
 * `rentio doctor`: what this machine offers io_uring and which driver `auto` picks, and why.
 * @module
 */
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { IOU_PBUF_RING_INC, probePbufRing } from './buf-ring.js';
import type { DriverUnavailableError } from '@rentio/core/driver';
import { IORING_OP_NAME } from './constants.js';
import { LIBURING_DEFAULT, loadLiburing } from './ffi.js';
import { FEATURE_OPS, kernelAtLeast, OPTIONAL_OPS, probeOpcodes, probeSetupFlags, REQUIRED_OPS } from './probe.js';
import { diagnoseSetupRefusal, refusalFacts, type SeccompStatus, type SetupRefusal } from './refusal.js';
import { Ring } from './ring.js';
import { open, type UringOptions } from './index.js';

/** What `rentio doctor --json` prints. */
export interface DoctorReport {
  /** `uname -r`. */
  kernel: string;
  /** `kernel.io_uring_disabled` (0 allowed, 1 group-restricted, 2 disabled); null when the kernel has no such sysctl. */
  ioUringDisabled: number | null;
  /** `kernel.io_uring_group`: the group allowed io_uring when the sysctl is 1 (-1: none); null when absent. */
  ioUringGroup: number | null;
  /** `Seccomp:` (0 none, 1 strict, 2 filter) and `Seccomp_filters:` from /proc/self/status. */
  seccomp: SeccompStatus;
  /** When `io_uring_setup` was refused (EPERM, EACCES, ENOSYS): who refused it, as far as can be told. */
  setupRefused: SetupRefusal | null;
  liburing: {
    found: boolean;
    /** The name or path asked for. */
    requested: string;
    /** The file the dynamic loader mapped, when found. */
    path: string | null;
    /** From the file name (liburing.so.2.3 → '2.3'). */
    version: string | null;
    error: string | null;
  };
  /** Opcodes rentio uses: supported by this kernel? (empty when no ring could be made). */
  opcodes: Record<string, boolean>;
  /** Required opcodes the kernel lacks (any makes the driver unavailable). */
  missingOpcodes: string[];
  /** Optional opcodes the kernel lacks: done by a synchronous libc call instead. */
  libcFallbacks: string[];
  /** Setup flags the kernel accepts. */
  setupFlags: Record<string, boolean>;
  /** Setup flags a default `open()` ends up with. */
  defaultSetupFlags: string | null;
  /** Buffer pool and multishot support (provided-buffer rings, incremental consumption, multishot recv/accept). */
  features: { pbufRing: boolean; pbufRingInc: boolean; multishotRecv: boolean; multishotAccept: boolean };
  /** The driver `auto` picks, and why. */
  auto: { driver: 'uring' | 'epoll'; reason: string };
  /** RENTIO_DRIVER, when set (it overrides `auto`). */
  rentioDriver: string | null;
}

/**
 * Inspect the machine.
 *
 * @example
 * ```ts
 * import { doctor } from '@rentio/driver-uring'
 * const r = await doctor()
 * console.log(r.auto.driver, r.auto.reason)
 * ```
 */
export async function doctor(options: UringOptions = {}): Promise<DoctorReport> {
  const requested = options.liburingPath ?? (process.env.RENTIO_LIBURING_PATH || LIBURING_DEFAULT);
  const facts = refusalFacts();
  const report: DoctorReport = {
    kernel: release(),
    ioUringDisabled: facts.ioUringDisabled,
    ioUringGroup: facts.ioUringGroup,
    seccomp: facts.seccomp,
    setupRefused: null,
    liburing: { found: false, requested, path: null, version: null, error: null },
    opcodes: {},
    missingOpcodes: [],
    libcFallbacks: [],
    setupFlags: {},
    defaultSetupFlags: null,
    features: { pbufRing: false, pbufRingInc: false, multishotRecv: false, multishotAccept: false },
    auto: { driver: 'epoll', reason: '' },
    rentioDriver: process.env.RENTIO_DRIVER || null,
  };
  try {
    const lib = loadLiburing(requested);
    report.liburing.found = true;
    report.liburing.path = mappedLiburing();
    report.liburing.version = report.liburing.path?.match(/liburing\.so\.(\d+(?:\.\d+)*)$/)?.[1] ?? null;
    try {
      const ring = Ring.open(lib, { entries: 2, cqEntries: 0, flags: 0 });
      try {
        const ops = probeOpcodes(ring);
        for (const op of [...REQUIRED_OPS, ...OPTIONAL_OPS, ...FEATURE_OPS]) report.opcodes[opName(op)] = ops.has(op);
        report.missingOpcodes = REQUIRED_OPS.filter((op) => !ops.has(op)).map(opName);
        report.libcFallbacks = OPTIONAL_OPS.filter((op) => !ops.has(op)).map(opName);
        report.features.pbufRing = probePbufRing(ring, 0, 0);
        report.features.pbufRingInc = report.features.pbufRing && probePbufRing(ring, 1, IOU_PBUF_RING_INC);
        // No probe bit exists for these ioprio flags: the driver goes by the release, as here.
        report.features.multishotRecv = report.features.pbufRing && kernelAtLeast(6, 0);
        report.features.multishotAccept = kernelAtLeast(5, 19);
      } finally {
        ring.close();
      }
      report.setupFlags = probeSetupFlags(lib);
    } catch (err) {
      // Reported through `auto` below; a refused setup also gets its diagnosis as fields.
      const cause = (err as Error).cause as { code?: string; syscall?: string } | undefined;
      if (
        err instanceof Error &&
        cause?.syscall === 'io_uring_setup' &&
        cause.code &&
        (err as DriverUnavailableError).code === 'ERR_RENTIO_DRIVER_UNAVAILABLE'
      ) {
        report.setupRefused = diagnoseSetupRefusal(cause.code, facts);
      }
    }
  } catch (err) {
    report.liburing.error = (err as DriverUnavailableError).reason ?? (err as Error).message;
  }
  try {
    const driver = await open(options);
    report.defaultSetupFlags = String(driver.stats().setupFlags);
    await driver.close();
    report.auto = { driver: 'uring', reason: 'liburing loads, io_uring_setup is permitted and every opcode rentio needs is supported' };
  } catch (err) {
    const e = err as DriverUnavailableError;
    report.auto =
      e.code === 'ERR_RENTIO_DRIVER_UNAVAILABLE'
        ? { driver: 'epoll', reason: e.reason }
        : { driver: 'uring', reason: `uring would be picked but open() fails here: ${e.message}` };
  }
  return report;
}

/** Human-readable doctor output. */
export function formatDoctor(r: DoctorReport): string {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const lines = [
    `kernel                  ${r.kernel}`,
    `kernel.io_uring_disabled ${r.ioUringDisabled ?? 'n/a (no such sysctl)'}${r.ioUringDisabled === 1 ? ` (kernel.io_uring_group=${r.ioUringGroup ?? 'n/a'})` : ''}`,
    `seccomp                 ${seccompText(r.seccomp)}`,
    `liburing                ${r.liburing.found ? `found: ${r.liburing.path ?? r.liburing.requested}${r.liburing.version ? ` (version ${r.liburing.version})` : ''}` : `not found (${r.liburing.error})`}`,
  ];
  if (Object.keys(r.opcodes).length) {
    lines.push('opcodes');
    for (const [name, ok] of Object.entries(r.opcodes))
      lines.push(`  ${name.padEnd(24)} ${yes(ok)}${!ok && r.libcFallbacks.includes(name) ? ' (libc fallback)' : ''}`);
  }
  if (Object.keys(r.setupFlags).length) {
    lines.push('setup flags accepted');
    for (const [name, ok] of Object.entries(r.setupFlags)) lines.push(`  ${name.padEnd(24)} ${yes(ok)}`);
    lines.push(`  default ring uses       ${r.defaultSetupFlags ?? '-'}`);
    lines.push('buffer pools and multishot');
    lines.push(`  provided-buffer ring    ${yes(r.features.pbufRing)} (pooled reads: the kernel picks a buffer when bytes arrive)`);
    lines.push(`  IOU_PBUF_RING_INC       ${yes(r.features.pbufRingInc)} (not used: a lease owns a whole buffer)`);
    lines.push(`  multishot recv          ${yes(r.features.multishotRecv)} (else one recv SQE per pooled read)`);
    lines.push(`  multishot accept        ${yes(r.features.multishotAccept)} (else one ACCEPT SQE per accept)`);
  }
  if (r.setupRefused) lines.push(`io_uring_setup refused  ${r.setupRefused.errno}, by: ${r.setupRefused.cause}`);
  lines.push(`auto picks              ${r.auto.driver}: ${r.auto.reason}`);
  if (r.rentioDriver) lines.push(`RENTIO_DRIVER           ${r.rentioDriver} (overrides auto)`);
  return lines.join('\n');
}

function seccompText(s: SeccompStatus): string {
  if (s.mode === null) return 'unknown (no /proc/self/status)';
  const mode = ['off', 'strict', 'filter'][s.mode] ?? 'unknown';
  return `${s.mode} (${mode}${s.mode === 2 && s.filters !== null ? `, ${s.filters} filter${s.filters === 1 ? '' : 's'}` : ''})`;
}

/** The kernel's name for an opcode (every opcode rentio probes is in the table; the number otherwise). */
function opName(op: number): string {
  return IORING_OP_NAME[op] ?? `opcode ${op}`;
}

/** The liburing file the dynamic loader mapped into this process. */
function mappedLiburing(): string | null {
  try {
    for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
      const m = line.match(/\s(\/\S*liburing\.so[^\s]*)$/);
      if (m?.[1]) return m[1];
    }
  } catch {
    // no /proc
  }
  return null;
}
