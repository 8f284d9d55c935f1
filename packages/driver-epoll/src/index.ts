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
import { DriverUnavailableError, InvalidArgValueError, type Driver, type DriverOptions } from '@rentio/core/driver';
import { EpollDriver } from './driver.js';

/** Make an epoll driver. `options.fileThreads` (default 4) caps the file worker threads. */
export async function open(options: DriverOptions = {}): Promise<Driver> {
  const threads = options.fileThreads ?? 4;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new InvalidArgValueError('driverOptions.fileThreads', 'must be an integer from 1 to 64', threads);
  let mod: typeof import('./ffi.js');
  try {
    mod = await import('./ffi.js');
  } catch (err) {
    throw new DriverUnavailableError('epoll', `libc.so.6 could not be loaded: ${(err as Error).message}`, { cause: err });
  }
  void mod;
  return new EpollDriver(threads);
}
