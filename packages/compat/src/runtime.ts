/**
 * Which runtime a compat call runs on: the one passed, else core's default runtime.
 * @module
 */
import { defaultRuntime, type Runtime } from '@rentio/core';

/** A runtime, or a promise of one (so a caller may pass `createRuntime()` without awaiting it). */
export type RuntimeOption = Runtime | Promise<Runtime>;

/** The runtime to use: `runtime` if given, else `defaultRuntime()` (`RENTIO_DRIVER`). */
export function resolveRuntime(runtime: RuntimeOption | undefined | null): Promise<Runtime> {
  return runtime ? Promise.resolve(runtime) : defaultRuntime();
}
