/**
 * The Node stream errors compat raises itself, with the codes `node:net` / `node:stream` use, so
 * code written against Node's sockets recognises them.
 * @module
 */
import { constants } from 'node:os';
import { getSystemErrorMap, inspect } from 'node:util';

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
  return Object.assign(new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${String(actual)}`), {
    code: 'ERR_OUT_OF_RANGE',
  });
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

// --- node:dgram's errors ------------------------------------------------------------------------
// The codes, classes and messages node:dgram raises (checked against Node 20), so code written
// against node:dgram recognises them.

type CodedError<E extends Error> = E & { code: string };

function coded<E extends Error>(err: E, code: string): CodedError<E> {
  return Object.assign(err, { code });
}

/** How Node's validators describe a received value: `type number (5)`, `an instance of Array`, `undefined`. */
export function describeReceived(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') {
    const ctor = value.constructor?.name;
    return ctor ? `an instance of ${ctor}` : inspect(value, { depth: -1 });
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `type ${typeof value} (${shown})`;
}

/**
 * `ERR_INVALID_ARG_TYPE` with Node's exact message: `The "address" argument must be of type
 * string. Received type number (5)` (a dotted name is a "property", as Node words it).
 */
export function argType(name: string, expected: string, actual: unknown): CodedError<TypeError> {
  const kind = name.includes('.') ? 'property' : 'argument';
  return coded(new TypeError(`The "${name}" ${kind} must be ${expected}. Received ${describeReceived(actual)}`), 'ERR_INVALID_ARG_TYPE');
}

/** `ERR_SOCKET_BAD_TYPE`: createSocket() with a type other than 'udp4' / 'udp6'. */
export function socketBadType(): CodedError<TypeError> {
  return coded(new TypeError('Bad socket type specified. Valid types are: udp4, udp6'), 'ERR_SOCKET_BAD_TYPE');
}

/** `ERR_SOCKET_BAD_PORT`: `Port should be > 0 and < 65536. Received type number (0).` */
export function socketBadPort(name: string, port: unknown, allowZero: boolean): CodedError<RangeError> {
  const op = allowZero ? '>=' : '>';
  return coded(new RangeError(`${name} should be ${op} 0 and < 65536. Received ${describeReceived(port)}.`), 'ERR_SOCKET_BAD_PORT');
}

/** `ERR_SOCKET_DGRAM_NOT_RUNNING`: the socket was closed. */
export function dgramNotRunning(): CodedError<Error> {
  return coded(new Error('Not running'), 'ERR_SOCKET_DGRAM_NOT_RUNNING');
}

/** `ERR_SOCKET_ALREADY_BOUND`: bind() on a socket that is bound or binding. */
export function socketAlreadyBound(): CodedError<Error> {
  return coded(new Error('Socket is already bound'), 'ERR_SOCKET_ALREADY_BOUND');
}

/** `ERR_SOCKET_DGRAM_IS_CONNECTED`: connect() twice, or a destination given to a connected socket. */
export function dgramIsConnected(): CodedError<Error> {
  return coded(new Error('Already connected'), 'ERR_SOCKET_DGRAM_IS_CONNECTED');
}

/** `ERR_SOCKET_DGRAM_NOT_CONNECTED`: disconnect() / remoteAddress() on a socket not connected. */
export function dgramNotConnected(): CodedError<Error> {
  return coded(new Error('Not connected'), 'ERR_SOCKET_DGRAM_NOT_CONNECTED');
}

/** `ERR_MISSING_ARGS`: `The "multicastAddress" argument must be specified`. */
export function missingArgs(name: string): CodedError<TypeError> {
  return coded(new TypeError(`The "${name}" argument must be specified`), 'ERR_MISSING_ARGS');
}

/** `ERR_BUFFER_OUT_OF_BOUNDS`: `"offset" is outside of buffer bounds`. */
export function bufferOutOfBounds(name: string): CodedError<RangeError> {
  return coded(new RangeError(`"${name}" is outside of buffer bounds`), 'ERR_BUFFER_OUT_OF_BOUNDS');
}

/** `ERR_SOCKET_BAD_BUFFER_SIZE`: a buffer size that is not a uint32. */
export function socketBadBufferSize(): CodedError<TypeError> {
  return coded(new TypeError('Buffer size must be a positive integer'), 'ERR_SOCKET_BAD_BUFFER_SIZE');
}

/** A failed syscall's fields: negative `errno`, `code`. */
interface Errno {
  errno?: unknown;
  code?: unknown;
}

/** The system error name and description of a negative errno. */
function errnoInfo(errno: number): [string, string] {
  return getSystemErrorMap().get(errno) ?? [`Unknown system error ${errno}`, 'unknown error'];
}

/** The negative errno of `code` ('EBADF' → -9). */
export function errnoOf(code: keyof typeof constants.errno): number {
  return -constants.errno[code];
}

/**
 * `ERR_SOCKET_BUFFER_SIZE`: the kernel refused a buffer size get/set, worded as Node words it
 * (`uv_recv_buffer_size returned EBADF (bad file descriptor)`).
 */
export function socketBufferSize(errno: number, syscall: string): CodedError<Error> & { info: object } {
  const [code, desc] = errnoInfo(errno);
  const err = coded(new NodeError(`Could not get or set buffer size: ${syscall} returned ${code} (${desc})`), 'ERR_SOCKET_BUFFER_SIZE');
  return Object.assign(err, { info: { errno, code, message: desc, syscall }, errno, syscall });
}

/** Node's class for a system error wrapped in an `ERR_*` code (its `name` is 'SystemError'). */
class NodeError extends Error {
  override get name(): string {
    return 'SystemError';
  }
}

/** A system error shaped as Node's ErrnoException: `recvmsg ECONNREFUSED`, `{ errno, code, syscall }`. */
export function errnoError(errno: number, syscall: string): CodedError<Error> & { errno: number; syscall: string } {
  const [code] = errnoInfo(errno);
  return Object.assign(new Error(`${syscall} ${code}`), { errno, code, syscall });
}

/**
 * A system error shaped as Node's ExceptionWithHostPort: `bind EADDRINUSE 0.0.0.0:41234`, with
 * `errno`, `code`, `syscall`, `address` and `port` (the port printed and set only when > 0 / set,
 * as Node does). An error that is not a system error (a misuse error) is returned unchanged.
 */
export function withHostPort(err: unknown, syscall: string, address: string | undefined, port: number | undefined): unknown {
  const errno = (err as Errno | null)?.errno;
  if (typeof errno !== 'number') return err;
  const [code] = errnoInfo(errno);
  const where = address === undefined ? '' : port && port > 0 ? ` ${address}:${port}` : ` ${address}`;
  const ex: Error & { errno: number; code: string; syscall: string; address?: string; port?: number } = Object.assign(
    new Error(`${syscall} ${code}${where}`),
    { errno, code, syscall },
  );
  if (address !== undefined) ex.address = address;
  if (port) ex.port = port;
  return ex;
}

/** `ERR_SOCKET_CLOSED`: a write on a socket that never connected, as `net.Socket` says it. */
export function socketClosed(): Error & { code: string } {
  return Object.assign(new Error('Socket is closed'), { code: 'ERR_SOCKET_CLOSED' });
}

/** `ERR_SOCKET_CLOSED_BEFORE_CONNECTION`: a write held for a connection that was destroyed first. */
export function closedBeforeConnection(): Error & { code: string } {
  return Object.assign(new Error('Socket closed before the connection was established'), { code: 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION' });
}

/**
 * `ERR_INVALID_ARG_VALUE`, worded as Node words it: `The property 'options.objectMode' is not
 * supported. Received true` (a dotted name is a "property").
 */
export function invalidArgValue(name: string, value: unknown, reason = 'is invalid'): CodedError<TypeError> {
  const kind = name.includes('.') ? 'property' : 'argument';
  return coded(new TypeError(`The ${kind} '${name}' ${reason}. Received ${inspect(value)}`), 'ERR_INVALID_ARG_VALUE');
}

/** `ERR_INVALID_ADDRESS_FAMILY`: a lookup answered a family other than 4 or 6 (`Invalid address family: 100 localhost:0`). */
export function invalidAddressFamily(family: unknown, host: unknown, port: unknown): CodedError<RangeError> & { host: unknown; port: unknown } {
  return Object.assign(
    coded(new RangeError(`Invalid address family: ${String(family)} ${String(host)}:${String(port)}`), 'ERR_INVALID_ADDRESS_FAMILY'),
    {
      host,
      port,
    },
  );
}

/** `ERR_INVALID_IP_ADDRESS`: `Invalid IP address: foo`. */
export function invalidIpAddress(address: unknown): CodedError<TypeError> {
  return coded(new TypeError(`Invalid IP address: ${String(address)}`), 'ERR_INVALID_IP_ADDRESS');
}

/** `ERR_IP_BLOCKED`: the `blockList` option blocks the address (`IP(127.0.0.1) is blocked by net.BlockList`). */
export function ipBlocked(address: string): CodedError<Error> {
  return coded(new Error(`IP(${address}) is blocked by net.BlockList`), 'ERR_IP_BLOCKED');
}
