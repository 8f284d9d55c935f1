/**
 * `@rentio/driver-epoll`: the readiness driver. Loaded by `@rentio/core` by name
 * (`RENTIO_DRIVER=epoll`, or `auto` when io_uring cannot work); users never import it.
 *
 * @example
 * ```ts
 * import { createRuntime } from '@rentio/core'
 * const rt = await createRuntime({ driver: 'epoll', driverOptions: { fileThreads: 4 } })
 * ```
 * @module
 */
import { abiFor, DriverUnavailableError, InvalidArgValueError, type Driver, type DriverOptions } from '@rentio/core/driver';

/** Make an epoll driver. `options.fileThreads` (default 4) caps the file worker threads. */
export async function open(options: DriverOptions = {}): Promise<Driver> {
  const threads = options.fileThreads ?? 4;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64)
    throw new InvalidArgValueError('driverOptions.fileThreads', 'must be an integer from 1 to 64', threads);
  // Refuse (DriverUnavailableError, with the reason) where the struct layouts are not stated.
  abiFor('epoll');
  // The driver module binds libc when it loads (ffi.ts): import it only here, so a libc that
  // cannot be loaded becomes DriverUnavailableError (and `auto` can report why) instead of a
  // failed import of this package.
  let mod: typeof import('./driver.js');
  try {
    mod = await import('./driver.js');
  } catch (err) {
    throw new DriverUnavailableError('epoll', `libc.so.6 could not be loaded: ${(err as Error).message}`, { cause: err });
  }
  return new mod.EpollDriver(threads);
}
