/**
 * The arguments of a connect, read as `node:net` reads them: `(options[, cb])`,
 * `(port[, host][, cb])` or `(path[, cb])`, the port checked as Node checks it, and the name
 * lookup done as Node does it (the `lookup` option or `dns.lookup`, reported by `'lookup'`).
 * @module
 */
import dns from 'node:dns';
import net, { isIP } from 'node:net';
import type { RuntimeOption } from './runtime.js';
import type { SocketOptions } from './socket.js';
import { argType, invalidArgType, outOfRange } from './errors.js';

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
  /** 4 or 6 (or 'IPv4' / 'IPv6', as `address()` gives them) to force the address family of a name lookup. */
  family?: 0 | 4 | 6 | 'IPv4' | 'IPv6';
  /** `dns.lookup` hints for a name lookup. */
  hints?: number;
  /** Resolve `host` with this instead of `dns.lookup` (as `net.connect`'s `lookup`). */
  lookup?: LookupFunction;
  /**
   * As `net.connect` (default `net.getDefaultAutoSelectFamily()`): look a name up for all its
   * addresses and try them in turn, the families alternating, each for at most
   * `autoSelectFamilyAttemptTimeout` ms while others are left ('connectionAttempt',
   * 'connectionAttemptFailed', 'connectionAttemptTimeout'; an `AggregateError` when all fail).
   */
  autoSelectFamily?: boolean;
  /** Per-attempt limit (ms, at least 10) with `autoSelectFamily`; default `net.getDefaultAutoSelectFamilyAttemptTimeout()`. */
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
  /** Bind to this local IP address before connecting. */
  localAddress?: string;
  /** Bind to this local port before connecting. */
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

/**
 * Read `(options[, cb])`, `(port[, host][, cb])` or `(path[, cb])` — or `([options, cb])`, the
 * array `net.connect()` hands to `Socket#connect` once it normalized its own arguments (code that
 * wraps `net.Socket.prototype.connect` sees and passes on that array).
 */
export function connectArgs<C>(args: readonly unknown[]): ConnectArgs<C> {
  if (Array.isArray(args[0])) return connectArgs<C>(args[0].filter((a: unknown) => a !== null && a !== undefined));
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
  if (typeof port !== 'number' && typeof port !== 'string') throw argType('options.port', 'one of type number or string', port);
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

/** An address a name resolved to. */
export interface Resolved {
  address: string;
  family: number;
}

/** `family` as `dns.lookup` takes it: 'IPv4' / 'IPv6' (as `address()` gives them) are 4 / 6, as in net. */
export function dnsFamily(family: unknown): unknown {
  return family === 'IPv4' ? 4 : family === 'IPv6' ? 6 : family;
}

/**
 * Resolve `host` as `net.connect` does: `options.lookup` or `dns.lookup`, with `family` and
 * `hints` (ADDRCONFIG unless a family or hints are given), for `all` its addresses or one.
 * `done(err, addresses)` once; the addresses as the lookup gave them.
 */
export function lookupHost(host: string, options: ConnectOptions, all: boolean, done: (err: Error | null, addresses: Resolved[]) => void): void {
  const lookup = options.lookup ?? dns.lookup;
  if (typeof lookup !== 'function') throw invalidArgType('options.lookup', 'of type function', lookup);
  const family = dnsFamily(options.family) as number | undefined;
  let hints = options.hints || 0;
  if (family !== 4 && family !== 6 && hints === 0) hints = dns.ADDRCONFIG;
  const opts: { family?: number; hints: number; all?: boolean } = { family, hints };
  if (all) opts.all = true;
  (lookup as (h: string, o: object, cb: (err: Error | null, a: unknown, f?: number) => void) => void)(host, opts, (err, a, f) => {
    if (err) done(err, []);
    else if (Array.isArray(a)) done(null, a as Resolved[]);
    else done(null, [{ address: a as string, family: f as number }]);
  });
}

/**
 * The addresses to try, as net's autoSelectFamily orders them: valid IPs only, each once, the
 * families alternating starting with the first address's.
 */
export function attemptOrder(addresses: Resolved[]): Resolved[] {
  const groups: [Resolved[], Resolved[]] = [[], []];
  let firstFamily = 0;
  for (const a of addresses) {
    if (!isIP(a.address) || (a.family !== 4 && a.family !== 6)) continue;
    firstFamily ||= a.family;
    const g = groups[a.family === firstFamily ? 0 : 1];
    if (!g.some((x) => x.address === a.address)) g.push(a);
  }
  const order: Resolved[] = [];
  for (let i = 0; i < Math.max(groups[0].length, groups[1].length); i++) {
    if (i < groups[0].length) order.push(groups[0][i]!);
    if (i < groups[1].length) order.push(groups[1][i]!);
  }
  return order;
}

/** `localAddress` / `localPort`, checked as `net.Socket#connect` checks them. */
export function connectLocal(options: ConnectOptions): { localAddress?: string; localPort?: number } {
  const { localAddress, localPort } = options;
  if (localAddress && !isIP(localAddress)) {
    throw Object.assign(new TypeError(`Invalid IP address: ${String(localAddress)}`), { code: 'ERR_INVALID_IP_ADDRESS' });
  }
  if (localPort && typeof localPort !== 'number') throw invalidArgType('options.localPort', 'of type number', localPort);
  return { localAddress: localAddress || undefined, localPort: localPort || undefined };
}

/**
 * The per-attempt limit when net's autoSelectFamily applies to this connect (ms), else 0: on by
 * `net.getDefaultAutoSelectFamily()` unless the option says, never with a family or a local address.
 */
export function autoSelectTimeout(options: ConnectOptions): number {
  const on = options.autoSelectFamily ?? net.getDefaultAutoSelectFamily();
  if (typeof on !== 'boolean') throw invalidArgType('options.autoSelectFamily', 'of type boolean', on);
  let ms = options.autoSelectFamilyAttemptTimeout ?? net.getDefaultAutoSelectFamilyAttemptTimeout();
  if (typeof ms !== 'number' || !Number.isInteger(ms)) throw invalidArgType('options.autoSelectFamilyAttemptTimeout', 'of type number', ms);
  if (ms < 1 || ms > 2 ** 31 - 1) throw outOfRange('options.autoSelectFamilyAttemptTimeout', `>= 1 && <= ${2 ** 31 - 1}`, ms);
  ms = Math.max(ms, 10);
  const family = dnsFamily(options.family);
  return on && family !== 4 && family !== 6 && !options.localAddress ? ms : 0;
}
