/**
 * A compat socket's state, laid out for servers that hold many idle sockets: V8 gives every
 * class field 8 bytes of every instance, used or not, so the booleans share one small integer
 * (the bits below) and the state few sockets ever use lives in a {@link SocketExtras} made on
 * first use. An accepted socket that only waits for bytes carries neither.
 * @module
 */
import type { UserBufferReads } from './onread.js';
import type { RuntimeOption } from './runtime.js';

type Callback = (err?: Error | null) => void;

// The bits of RentioSocket's flags word.
/** `connect()` is in progress. */
export const CONNECTING = 1 << 0;
/** `_read()` came while connecting: start reading once connected. */
export const WANT_READ = 1 << 1;
/** A read is in flight. */
export const READING = 1 << 2;
/** The peer's FIN was read. */
export const EOF = 1 << 3;
/** The socket keeps the process alive (not `unref()`ed). */
export const REFED = 1 << 4;
/** `resetAndDestroy()` asked for: close with RST. */
export const RESETTING = 1 << 5;
/** The `pauseOnCreate` option. */
export const PAUSE_ON_CREATE = 1 << 6;
/** The readable side emitted 'end'. */
export const PEER_ENDED = 1 << 7;
/** The shutdown (our FIN) was submitted and has not completed yet. */
export const SHUTTING_DOWN = 1 << 8;
/** With `onread`: reading stopped (the callback returned false, or pause()) until resume(). */
export const USER_STOPPED = 1 << 9;
/** A held write error is being reported now (it must not be held again). */
export const WRITE_ERROR_DUE = 1 << 10;

/**
 * What a socket needs only while connecting, with socket options set before it is connected,
 * with the `onread` option, or around a write error held back until the read in flight settles.
 */
export class SocketExtras {
  /** The `runtime` option, for a later `connect()`. */
  runtime: RuntimeOption | undefined = undefined;
  connectAbort: AbortController | null = null;
  connectSettled: Promise<unknown> | null = null;
  /** A write (or the final shutdown) that arrived while connecting. */
  heldWrite: { chunks: Uint8Array[]; cb: Callback } | null = null;
  heldFinal: Callback | null = null;
  /** `setNoDelay()` / `setKeepAlive()` as last called, applied again on connect. */
  noDelay: boolean | undefined = undefined;
  keepAlive: [boolean, number] | undefined = undefined;
  /** With the `onread` option: where reads go instead of push(), and the stop test it is given. */
  userReads: UserBufferReads | null = null;
  isUserStopped: (() => boolean) | null = null;
  /** A write's EPIPE/ECONNRESET held until the read in flight settled. */
  heldWriteError: { err: Error; cb: Callback } | null = null;
}
