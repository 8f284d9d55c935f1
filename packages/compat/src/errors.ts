/**
 * The Node stream errors compat raises itself, with the codes `node:net` / `node:stream` use, so
 * code written against Node's sockets recognises them.
 * @module
 */

/** `ERR_STREAM_DESTROYED`: a write that could not complete because the stream was destroyed. */
export function streamDestroyed(op: string): Error & { code: string } {
  return Object.assign(new Error(`Cannot call ${op} after a stream was destroyed`), { code: 'ERR_STREAM_DESTROYED' });
}

/** `ERR_INVALID_ARG_TYPE`, as Node's validators raise it. */
export function invalidArgType(name: string, expected: string, actual: unknown): TypeError & { code: string } {
  return Object.assign(new TypeError(`The "${name}" argument must be ${expected}. Received ${typeof actual}`), { code: 'ERR_INVALID_ARG_TYPE' });
}

/** `ERR_OUT_OF_RANGE`, as Node's validators raise it. */
export function outOfRange(name: string, range: string, actual: unknown): RangeError & { code: string } {
  return Object.assign(new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${String(actual)}`), { code: 'ERR_OUT_OF_RANGE' });
}

/** True for the errors an op settles with when compat itself closed the handle or the runtime closed. */
export function isClosedByUs(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_RENTIO_HANDLE_CLOSED' || code === 'ERR_RENTIO_RUNTIME_CLOSED' || code === 'ABORT_ERR';
}

/**
 * Rethrow `err` as an uncaught exception. User code (a 'data' listener, a write callback) runs
 * inside compat's promise reactions; a throw there would become an unhandled rejection, where
 * Node's own streams make it an uncaught exception.
 */
export function rethrowUncaught(err: unknown): void {
  process.nextTick(() => {
    throw err;
  });
}

/** `ERR_SOCKET_CLOSED`: a write on a socket that never connected, as `net.Socket` says it. */
export function socketClosed(): Error & { code: string } {
  return Object.assign(new Error('Socket is closed'), { code: 'ERR_SOCKET_CLOSED' });
}

/** `ERR_SOCKET_CLOSED_BEFORE_CONNECTION`: a write held for a connection that was destroyed first. */
export function closedBeforeConnection(): Error & { code: string } {
  return Object.assign(new Error('Socket closed before the connection was established'), { code: 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION' });
}
