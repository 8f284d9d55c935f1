/**
 * The credentials guard (CVE-2024-22017, libuv's io_uring): io_uring may run an op with the
 * credentials of the ring's creator, so once the process's uid/gid changed after the ring was
 * made the driver refuses to submit.
 *
 * Checking costs two syscalls (getresuid, getresgid, ~1.4 µs each here), too many to pay on
 * every flush of a QD 1 workload. So a flush checks when either
 * - a JS-level change may have happened: `process.setuid`/`seteuid`/`setgid`/`setegid`/
 *   `setgroups`/`initgroups` are wrapped (once, call-through) to bump an epoch — such a change
 *   is caught before the very next submit; or
 * - {@link RECHECK_MS} passed since the last check — a change made by native code (an addon, an
 *   FFI call) is caught within that time.
 * @module
 */
import type { Libc } from './ffi.js';

/** Longest time between two syscall checks while the driver submits. */
export const RECHECK_MS = 1;

let epoch = 0;
let hooked = false;

/** Wrap Node's credential setters so a change bumps {@link epoch}. Idempotent. */
function hookProcess(): void {
  if (hooked) return;
  hooked = true;
  const p = process as unknown as Record<string, unknown>;
  for (const name of ['setuid', 'seteuid', 'setgid', 'setegid', 'setgroups', 'initgroups']) {
    const original = p[name];
    if (typeof original !== 'function') continue; // worker threads and non-POSIX have none
    p[name] = function (this: unknown, ...args: unknown[]) {
      try {
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      } finally {
        epoch++;
      }
    };
  }
}

/** Process credentials as the ring was made with them, and the check against them. */
export class Credentials {
  readonly #libc: Libc;
  readonly #r = new Uint32Array(1);
  readonly #e = new Uint32Array(1);
  readonly #s = new Uint32Array(1);
  readonly #initial: number[];
  #seenEpoch = epoch;
  #checkedAt = 0;
  /** Syscalls made so far. */
  syscalls = 0;

  constructor(libc: Libc) {
    hookProcess();
    this.#libc = libc;
    this.#initial = this.#read();
    this.#checkedAt = performance.now();
  }

  /** null while unchanged (or not due for a check), else a one-line description of the change. */
  changed(): string | null {
    const now = performance.now();
    if (epoch === this.#seenEpoch && now - this.#checkedAt < RECHECK_MS) return null;
    this.#seenEpoch = epoch;
    this.#checkedAt = now;
    const ids = this.#read();
    if (ids.every((v, i) => v === this.#initial[i])) return null;
    const fmt = (a: number[]) => `uid ${a.slice(0, 3).join('/')}, gid ${a.slice(3).join('/')}`;
    return `process credentials changed since the io_uring ring was made (${fmt(this.#initial)} → ${fmt(ids)}); io_uring could run ops with the ring creator's credentials, so the uring driver refuses to submit (ops reject with ERR_RENTIO_CREDENTIALS_CHANGED)`;
  }

  #read(): number[] {
    this.syscalls += 2;
    this.#libc.getresuid(this.#r, this.#e, this.#s);
    // One-element arrays: [0] is always there.
    const out = [this.#r[0]!, this.#e[0]!, this.#s[0]!];
    this.#libc.getresgid(this.#r, this.#e, this.#s);
    out.push(this.#r[0]!, this.#e[0]!, this.#s[0]!);
    return out;
  }
}
