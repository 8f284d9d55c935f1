/**
 * The arguments of a connect, read as `node:net` reads them: `(options[, cb])`,
 * `(port[, host][, cb])` or `(path[, cb])`, the port checked as Node checks it, and the name
 * lookup done as Node does it (the `lookup` option or `dns.lookup`, reported by `'lookup'`).
 * @module
 */
import dns from 'node:dns';
import { isIP } from 'node:net';
import type { RuntimeOption } from './runtime.js';
import type { SocketOptions } from './socket.js';
import { invalidArgType } from './errors.js';

/** A `dns.lookup`-shaped function, as `net.connect`'s `lookup` option takes. */
export type LookupFunction = (
  hostname: string,
  options: { family?: number; hints?: number },
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
) => void;

/** Options of {@link connect} and `RentioSocket#connect`. */
export interface ConnectOptions extends SocketOptions {
  /** Port of the peer (a number, or a numeric string as undici and URLs give it). */
  port?: number | string;
  /** Address or name of the peer. Default 'localhost'. */
  host?: string;
  /** Preferred over `host` when both are given (`host` may then carry the port, as undici passes a URL's). */
  hostname?: string;
  /** 4 or 6 to force the address family of a name lookup. */
  family?: 0 | 4 | 6;
  /** `dns.lookup` hints for a name lookup. */
  hints?: number;
  /** Resolve `host` with this instead of `dns.lookup` (as `net.connect`'s `lookup`). */
  lookup?: LookupFunction;
  /**
   * Accepted for `net.connect` compatibility; compat connects to the first address the lookup
   * gives (no Happy Eyeballs), so pass `family` to choose one.
   */
  autoSelectFamily?: boolean;
  /** Accepted with `autoSelectFamily`; unused. */
  autoSelectFamilyAttemptTimeout?: number;
  /** Set TCP_NODELAY once connected. */
  noDelay?: boolean;
  /** Enable TCP keep-alive once connected. */
  keepAlive?: boolean;
  /** Keep-alive initial delay (ms). */
  keepAliveInitialDelay?: number;
  /** Idle timeout (ms): emits 'timeout', as `net.Socket#setTimeout`. */
  timeout?: number;
  /** 'http:' / 'https:': the default port when `port` is '' (undici passes a URL's fields). */
  protocol?: string;
  /** The runtime to connect on (default: the socket's, else core's `defaultRuntime()`). */
  runtime?: RuntimeOption;
  /**
   * Connect to a Unix domain socket at this path (or Linux abstract name with a leading `'\0'`)
   * instead of TCP; `port`/`host` are then ignored, as `net.connect` does. `http.request`
   * passes its `socketPath` here.
   */
  path?: string;
  /** Bind before connecting: not supported yet (`ERR_RENTIO_UNSUPPORTED`). */
  localAddress?: string;
  /** Bind before connecting: not supported yet (`ERR_RENTIO_UNSUPPORTED`). */
  localPort?: number;
}

/** What a connect was asked: the options and the callback, as `net`'s `normalizeArgs` gives them. */
export interface ConnectArgs<C> {
  options: ConnectOptions;
  cb: C | undefined;
}

/** A string that is not a port number names a Unix socket, as in `net.connect('/tmp/sock')`. */
function isPipeName(v: unknown): v is string {
  return typeof v === 'string' && !/^\s*\d+\s*$/.test(v);
}

/** Read `(options[, cb])`, `(port[, host][, cb])` or `(path[, cb])`. */
export function connectArgs<C>(args: readonly unknown[]): ConnectArgs<C> {
  const a0 = args[0];
  let options: ConnectOptions;
  if (a0 !== null && typeof a0 === 'object') options = a0;
  else if (isPipeName(a0)) options = { path: a0 };
  else {
    options = { port: a0 as number | string };
    if (typeof args[1] === 'string') options.host = args[1];
  }
  const last = args[args.length - 1];
  const cb = typeof last === 'function' ? (last as C) : undefined;
  return { options, cb };
}

/**
 * The port to connect to, checked as `net.connect` checks it: 0 to 65535 (0 is allowed; the
 * kernel refuses it), a number or a numeric string; '' with an http(s) `protocol` is its default.
 */
export function checkPort(port: unknown, protocol: string | undefined): number {
  if (port === '' || port === undefined) {
    if (protocol === 'http:') return 80;
    if (protocol === 'https:') return 443;
  }
  if (port === undefined) {
    throw Object.assign(new TypeError('The "options" or "port" or "path" argument must be specified'), { code: 'ERR_MISSING_ARGS' });
  }
  if (typeof port !== 'number' && typeof port !== 'string') throw invalidArgType('options.port', 'of type number or string', port);
  const n = typeof port === 'string' && port.trim().length > 0 ? Number(port) : port;
  if (typeof n !== 'number' || n !== n >>> 0 || n > 0xffff) {
    const shown = typeof port === 'string' ? `type string ('${port}')` : `type number (${String(port)})`;
    throw Object.assign(new RangeError(`Port should be >= 0 and < 65536. Received ${shown}.`), { code: 'ERR_SOCKET_BAD_PORT' });
  }
  return n;
}

/** The host to connect to: `hostname`, `host` or 'localhost', a URL's '[::1]' unbracketed. */
export function connectHost(options: ConnectOptions): string {
  const host = options.hostname || options.host || 'localhost';
  if (typeof host !== 'string') throw invalidArgType('options.host', 'of type string', host);
  if (host.startsWith('[') && host.endsWith(']') && isIP(host.slice(1, -1)) === 6) return host.slice(1, -1);
  return host;
}

/**
 * Resolve `host` as `net.connect` does: `options.lookup` or `dns.lookup`, with `family` and
 * `hints` (ADDRCONFIG unless a family or hints are given). `done(err, address, family)` once.
 */
export function lookupHost(host: string, options: ConnectOptions, done: (err: Error | null, address: string, family: number) => void): void {
  const lookup = options.lookup ?? dns.lookup;
  if (typeof lookup !== 'function') throw invalidArgType('options.lookup', 'of type function', lookup);
  const family = options.family ?? 0;
  let hints = options.hints ?? 0;
  if (family !== 4 && family !== 6 && hints === 0) hints = dns.ADDRCONFIG;
  lookup(host, { family, hints }, (err, address, fam) => done(err, address, fam));
}
