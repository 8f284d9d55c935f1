/**
 * Why `io_uring_setup` was refused, in words that send the user to the right place.
 *
 * EPERM alone does not say who refused. The kernel's own gate (`io_uring_allowed()`, Linux 6.6+)
 * reads `kernel.io_uring_disabled` (0 allowed, 1 only for CAP_SYS_ADMIN and the group in
 * `kernel.io_uring_group`, 2 nobody) and then asks the security modules (`security_uring_allowed`,
 * SELinux's and AppArmor's `io_uring` permission). Before all that, a seccomp filter may answer
 * the syscall with any errno it likes — Docker's, containerd's and several hosted platforms'
 * default profiles answer `io_uring_setup`/`io_uring_enter`/`io_uring_register` with EPERM. So
 * when the sysctl lets this process in, the refusal came from seccomp (when a filter is installed:
 * `Seccomp: 2` in `/proc/self/status`) or from a security module.
 * @module
 */
import { readFileSync } from 'node:fs';
import { DriverUnavailableError, errnoException, errnoName } from '@rentio/core/driver';

/** What `/proc/self/status` says about seccomp; nulls where it cannot be read (no /proc, old kernel). */
export interface SeccompStatus {
  /** `Seccomp:` — 0 none, 1 strict, 2 filter. */
  mode: number | null;
  /** `Seccomp_filters:` (Linux 5.9+): how many filters are stacked on this thread. */
  filters: number | null;
}

/** Who refused io_uring, as far as this process can tell. */
export type RefusalCause =
  /** `kernel.io_uring_disabled=2`: nobody may make a ring. */
  | 'sysctl-disabled'
  /** `kernel.io_uring_disabled=1` and this process has neither CAP_SYS_ADMIN nor `kernel.io_uring_group`. */
  | 'sysctl-group'
  /** A seccomp filter is installed and the sysctl lets this process in. */
  | 'seccomp'
  /** No seccomp filter and the sysctl lets this process in: an LSM (SELinux, AppArmor) or the kernel. */
  | 'security-module'
  /** ENOSYS with no seccomp filter: the kernel was built without io_uring. */
  | 'no-io_uring';

/** A refused `io_uring_setup`, diagnosed. */
export interface SetupRefusal {
  /** 'EPERM', 'EACCES' or 'ENOSYS'. */
  errno: string;
  cause: RefusalCause;
  /** One line, the same as `DriverUnavailableError.reason` and `Runtime.fallbackReason`. */
  reason: string;
}

/** The facts the diagnosis reads; a parameter so every branch can be tested on any machine. */
export interface RefusalFacts {
  /** `kernel.io_uring_disabled`, null where the kernel has no such sysctl (before 6.6). */
  ioUringDisabled: number | null;
  /** `kernel.io_uring_group` (-1: none), null where absent. */
  ioUringGroup: number | null;
  /** This process's effective and supplementary group ids. */
  groups: number[];
  /** CAP_SYS_ADMIN in the effective set (the sysctl's group restriction does not apply then). */
  capSysAdmin: boolean;
  seccomp: SeccompStatus;
}

/** CAP_SYS_ADMIN's bit in `CapEff:` (include/uapi/linux/capability.h). */
const CAP_SYS_ADMIN = 21n;
/**
 * The syscalls a seccomp profile must allow for io_uring, in the order of their numbers (425,
 * 426, 427 on x86-64 and aarch64 alike).
 *
 * @example
 * ```ts
 * import { IO_URING_SYSCALLS } from '@rentio/driver-uring'
 * const rule = { names: [...IO_URING_SYSCALLS], action: 'SCMP_ACT_ALLOW' } // for a Docker seccomp profile
 * ```
 */
export const IO_URING_SYSCALLS = ['io_uring_setup', 'io_uring_enter', 'io_uring_register'] as const;

/**
 * Seccomp mode and filter count of the calling thread, from `/proc/self/status`.
 *
 * @example
 * ```ts
 * import { seccompStatus } from '@rentio/driver-uring'
 * if (seccompStatus().mode === 2) console.log('a seccomp filter is installed')
 * ```
 */
export function seccompStatus(status: string | null = procStatus()): SeccompStatus {
  return { mode: statusField(status, 'Seccomp'), filters: statusField(status, 'Seccomp_filters') };
}

/** Read every fact {@link diagnoseSetupRefusal} needs from this process and kernel. */
export function refusalFacts(): RefusalFacts {
  const status = procStatus();
  const capEff = status?.match(/^CapEff:\s*([0-9a-f]+)$/m)?.[1];
  const groups = new Set<number>(process.getgroups?.() ?? []);
  const egid = process.getegid?.();
  if (egid !== undefined) groups.add(egid);
  return {
    ioUringDisabled: sysctl('io_uring_disabled'),
    ioUringGroup: sysctl('io_uring_group'),
    groups: [...groups],
    capSysAdmin: capEff !== undefined && ((BigInt(`0x${capEff}`) >> CAP_SYS_ADMIN) & 1n) === 1n,
    seccomp: seccompStatus(status),
  };
}

/**
 * Name who refused `io_uring_setup` with `errno` ('EPERM', 'EACCES' or 'ENOSYS'), in one line.
 *
 * @example
 * ```ts
 * import { diagnoseSetupRefusal } from '@rentio/driver-uring'
 * const r = diagnoseSetupRefusal('EPERM')
 * if (r.cause === 'seccomp') console.log(r.reason) // ... blocked by a seccomp filter (Seccomp: 2, 1 filter) ...
 * ```
 */
export function diagnoseSetupRefusal(errno: string, facts: RefusalFacts = refusalFacts()): SetupRefusal {
  const { ioUringDisabled: sysctl, seccomp } = facts;
  const filter = seccomp.mode === 2;
  const where = `Seccomp: ${seccomp.mode ?? 'unknown'}${filter && seccomp.filters !== null ? `, ${plural(seccomp.filters, 'filter')}` : ''}`;
  const allow = `allow ${IO_URING_SYSCALLS.join('/')} in the profile (Docker: --security-opt seccomp=<profile.json>) or let rentio run on epoll`;
  const head = `io_uring_setup: ${errno}`;
  if (errno === 'ENOSYS') {
    // The sysctl exists only where CONFIG_IO_URING is built in, so with it present ENOSYS came
    // from a filter (seccomp's SECCOMP_RET_ERRNO can return any errno; some profiles say ENOSYS).
    if (filter && sysctl !== null)
      return {
        errno,
        cause: 'seccomp',
        reason: `${head} from a seccomp filter (${where}); the kernel has io_uring (kernel.io_uring_disabled exists) — ${allow}`,
      };
    if (filter)
      return {
        errno,
        cause: 'seccomp',
        reason: `${head}: kernel built without io_uring, or a seccomp filter (${where}) answers ENOSYS — if the latter, ${allow}`,
      };
    return { errno, cause: 'no-io_uring', reason: `${head} (kernel built without io_uring, CONFIG_IO_URING=n; ${where})` };
  }
  if (sysctl === 2) {
    return {
      errno,
      cause: 'sysctl-disabled',
      reason: `${head} (kernel.io_uring_disabled=2): io_uring is disabled for every process on this machine (sysctl kernel.io_uring_disabled=0 allows it)`,
    };
  }
  if (sysctl === 1 && !facts.capSysAdmin && !(facts.ioUringGroup !== null && facts.ioUringGroup >= 0 && facts.groups.includes(facts.ioUringGroup))) {
    const who =
      facts.ioUringGroup === null || facts.ioUringGroup < 0
        ? 'CAP_SYS_ADMIN (kernel.io_uring_group=-1: no group)'
        : `CAP_SYS_ADMIN and group ${facts.ioUringGroup} (kernel.io_uring_group)`;
    return {
      errno,
      cause: 'sysctl-group',
      reason: `${head} (kernel.io_uring_disabled=1): io_uring is allowed only to ${who}, and this process has neither`,
    };
  }
  const gate = sysctl === null ? 'no kernel.io_uring_disabled sysctl' : `kernel.io_uring_disabled=${sysctl} lets this process in`;
  if (filter)
    return { errno, cause: 'seccomp', reason: `${head} (${gate}): blocked by a seccomp filter (${where}) — e.g. Docker's default profile; ${allow}` };
  if (seccomp.mode === null)
    return {
      errno,
      cause: 'security-module',
      reason: `${head} (${gate}): refused by a seccomp filter or a security module (seccomp state unknown: no /proc/self/status)`,
    };
  return {
    errno,
    cause: 'security-module',
    reason: `${head} (${gate}): refused by a security module (LSM: SELinux/AppArmor io_uring permission) or by the kernel, not by seccomp (${where})`,
  };
}

/**
 * `io_uring_enter` or `io_uring_register` refused (EPERM/EACCES/ENOSYS) on a ring that was set
 * up: a profile that allows only part of io_uring (the sysctl gates setup alone), in one line.
 */
export function partialRefusal(syscall: string, errno: string, seccomp: SeccompStatus = seccompStatus()): string {
  const head = `${syscall}: ${errno} though io_uring_setup succeeded`;
  if (seccomp.mode === 2) {
    const where = `Seccomp: 2${seccomp.filters !== null ? `, ${plural(seccomp.filters, 'filter')}` : ''}`;
    return `${head}: blocked by a seccomp filter (${where}) that allows only part of io_uring — allow ${IO_URING_SYSCALLS.join('/')} in the profile or let rentio run on epoll`;
  }
  return `${head}: refused by a security module (LSM: SELinux/AppArmor io_uring permission), not by seccomp (Seccomp: ${seccomp.mode ?? 'unknown'})`;
}

/**
 * The error for `io_uring_setup` failing with `res` (negative errno): `DriverUnavailableError`
 * with the diagnosis for EPERM/EACCES/ENOSYS (its `cause` is the plain system error), else null.
 */
export function setupRefusalError(res: number): DriverUnavailableError | null {
  const name = errnoName(res);
  if (name !== 'EPERM' && name !== 'EACCES' && name !== 'ENOSYS') return null;
  return new DriverUnavailableError('uring', diagnoseSetupRefusal(name).reason, { cause: errnoException(res, 'io_uring_setup') });
}

function procStatus(): string | null {
  try {
    return readFileSync('/proc/self/status', 'utf8');
  } catch {
    return null;
  }
}

function statusField(status: string | null, name: string): number | null {
  const v = status?.match(new RegExp(`^${name}:\\s*(\\d+)$`, 'm'))?.[1];
  return v === undefined ? null : Number(v);
}

function sysctl(name: string): number | null {
  try {
    return Number(readFileSync(`/proc/sys/kernel/${name}`, 'utf8').trim());
  } catch {
    return null;
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
