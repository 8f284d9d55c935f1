/**
 * Driver selection: `RENTIO_DRIVER=uring|epoll|auto` (default `auto`), overridden by
 * `createRuntime({ driver })`. Core loads the chosen driver by package name and never imports
 * one statically.
 *
 * `auto` tries `uring` and falls back to `epoll` only when uring *cannot work here*
 * (`DriverUnavailableError`: library missing, EPERM, ENOSYS, EINVAL, missing opcodes), keeping the
 * one-line reason. Resource errors (EMFILE, ENOMEM) are real failures and are thrown. An explicit
 * driver that cannot work fails with its reason, never silently substituted.
 * @module
 */
import { DriverUnavailableError, InvalidDriverError } from './errors.js';
import type { Driver, DriverModule, DriverOptions } from './driver.js';

/** The driver names `createRuntime` accepts. */
export type DriverName = 'auto' | 'uring' | 'epoll';
const NAMES = new Set(['auto', 'uring', 'epoll']);

/** Check a driver name (from options or the environment). */
export function checkDriverName(name: unknown): DriverName {
  if (typeof name !== 'string' || !NAMES.has(name)) throw new InvalidDriverError(name);
  return name as DriverName;
}

// Loaded driver modules, by name: a later runtime does not resolve the package again (which also
// lets a process that dropped privileges make runtimes from modules it loaded before).
const loaded = new Map<string, DriverModule>();

async function importDriver(name: 'uring' | 'epoll'): Promise<DriverModule> {
  const known = loaded.get(name);
  if (known) return known;
  const pkg = `@rentio/driver-${name}`;
  try {
    const mod = (await import(pkg)) as DriverModule;
    loaded.set(name, mod);
    return mod;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new DriverUnavailableError(name, `package ${pkg} is not installed`, { cause: err });
    }
    throw err;
  }
}

/** Open the driver asked for; for `auto`, uring or else epoll with the reason. */
export async function openDriver(name: DriverName, options: DriverOptions): Promise<{ driver: Driver; fallbackReason: string | null }> {
  if (name !== 'auto') return { driver: await (await importDriver(name)).open(options), fallbackReason: null };
  try {
    return { driver: await (await importDriver('uring')).open(options), fallbackReason: null };
  } catch (err) {
    // Compare the code, not the class. The drivers take core as a peer dependency, so an install
    // holds one copy of core and its classes; the code still holds when a broken install (a
    // driver nested with its own core) loads two, and it is the documented contract.
    if ((err as { code?: string }).code !== 'ERR_RENTIO_DRIVER_UNAVAILABLE') throw err;
    return { driver: await (await importDriver('epoll')).open(options), fallbackReason: (err as DriverUnavailableError).reason };
  }
}
