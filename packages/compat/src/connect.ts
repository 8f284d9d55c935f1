/**
 * `connect()` / `createConnection()`: a connecting `RentioSocket`, returned at once, in the shape
 * `http.request({ createConnection })`, `http.Agent#createConnection` and undici's `connect`
 * option call it.
 * @module
 */
import { isIP } from 'node:net';
import { RentioSocket, type ConnectCallback, type SocketOptions } from './socket.js';
import { resolveRuntime, type RuntimeOption } from './runtime.js';
import { invalidArgType } from './errors.js';

/** Options of {@link connect}. */
export interface ConnectOptions extends SocketOptions {
  /** Port of the peer (a number, or a numeric string as undici and URLs give it). */
  port?: number | string;
  /** Address or name of the peer. Default 'localhost'. */
  host?: string;
  /** Preferred over `host` when both are given (`host` may then carry the port, as undici passes a URL's). */
  hostname?: string;
  /** 4 or 6 to force the address family of a name lookup. */
  family?: 0 | 4 | 6;
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
  /** The runtime to connect on (default: core's `defaultRuntime()`). */
  runtime?: RuntimeOption;
  /**
   * Connect to a Unix domain socket at this path (or Linux abstract name with a leading `'\0'`)
   * instead of TCP; `port`/`host` are then ignored, as `net.connect` does. `http.request`
   * passes its `socketPath` here.
   */
  path?: string;
}

/**
 * Open a TCP connection over rentio — or, given `{ path }` or a path string, a Unix domain
 * socket connection (`net.connect(path)`'s shape; `http.request({ socketPath })` passes its
 * socket path this way). Returns the socket at once; it emits `'connect'` then `'ready'` once
 * connected, or `'error'` with Node's codes and messages (`connect ECONNREFUSED 127.0.0.1:80`,
 * `connect ENOENT /run/app.sock`). On a Unix socket `remoteAddress` & co are undefined and
 * `address()` is `{}`, as on a `net.Socket` over a pipe.
 *
 * `cb`, if given, is called once as `cb(null, socket)` when connected or `cb(err)` when the
 * connect failed — the callback shape of `http.request`'s and `http.Agent`'s `createConnection`
 * and of undici's `connect` option (unlike `net.connect`, whose listener takes no arguments).
 * When `cb` takes a connect error and nobody listens for `'error'`, the socket is destroyed
 * without emitting it, so a connector's error is not thrown twice.
 *
 * @example
 * ```ts
 * import http from 'node:http'
 * import { createConnection } from '@rentio/compat'
 * http.get({ host: '127.0.0.1', port: 8080, path: '/', createConnection }, (res) => res.resume())
 *
 * import { Agent } from 'undici'
 * const dispatcher = new Agent({ connect: createConnection })
 *
 * const agent = new http.Agent({ keepAlive: true })
 * agent.createConnection = createConnection
 *
 * // A Unix domain socket: the Docker API, a local database, a sidecar.
 * http.get({ socketPath: '/var/run/docker.sock', path: '/version', createConnection }, (res) => res.resume())
 * const sock = connect({ path: '/run/app.sock' })
 * ```
 */
export function connect(options: ConnectOptions | number | string, host?: string | ConnectCallback, cb?: ConnectCallback): RentioSocket {
  let opts: ConnectOptions;
  if (typeof options === 'string' && !/^\d+$/.test(options)) {
    // As net.connect: a string that is not a port is a Unix socket path.
    opts = { path: options };
    if (typeof host === 'function') cb = host;
  } else if (typeof options === 'number' || typeof options === 'string') {
    opts = { port: options };
    if (typeof host === 'string') opts.host = host;
    else if (typeof host === 'function') cb = host;
  } else {
    if (options === null || typeof options !== 'object') throw invalidArgType('options', 'an object or a port', options);
    opts = options;
    if (typeof host === 'function') cb = host;
  }
  if (cb !== undefined && typeof cb !== 'function') throw invalidArgType('callback', 'of type function', cb);
  if (opts.path !== undefined && opts.path !== null) return connectPath(opts, cb);
  const port = checkPort(opts.port, opts.protocol);
  let address = opts.hostname || opts.host || 'localhost';
  if (typeof address !== 'string') throw invalidArgType('options.host', 'of type string', address);
  // A URL's IPv6 hostname comes bracketed ('[::1]').
  if (address.startsWith('[') && address.endsWith(']') && isIP(address.slice(1, -1)) === 6) address = address.slice(1, -1);
  const family = opts.family ?? 0;

  const sock = new RentioSocket(null, opts);
  if (opts.noDelay) sock.setNoDelay(true);
  if (opts.keepAlive) sock.setKeepAlive(true, opts.keepAliveInitialDelay ?? 0);
  if (opts.timeout) sock.setTimeout(opts.timeout);
  sock._startConnect(
    (signal) => resolveRuntime(opts.runtime).then((rt) => rt.connect({ host: address, port, family, signal })),
    cb,
  );
  return sock;
}

/** The Unix domain socket branch of {@link connect}. */
function connectPath(opts: ConnectOptions, cb: ConnectCallback | undefined): RentioSocket {
  const path = opts.path;
  if (typeof path !== 'string') throw invalidArgType('options.path', 'of type string', path);
  const sock = new RentioSocket(null, opts);
  if (opts.timeout) sock.setTimeout(opts.timeout);
  sock._startConnect((signal) => resolveRuntime(opts.runtime).then((rt) => rt.connect({ path, signal })), cb);
  return sock;
}

/**
 * Same as {@link connect}, by the name `node:net` and the `http` options use.
 *
 * @example
 * ```ts
 * import http from 'node:http'
 * import { createConnection } from '@rentio/compat'
 * class RentioAgent extends http.Agent {
 *   createConnection(options, cb) { return createConnection({ ...options, runtime }, cb) }
 * }
 * http.get('http://127.0.0.1:8080/', { agent: new RentioAgent({ keepAlive: true }) })
 * ```
 */
export const createConnection = connect;

function checkPort(port: unknown, protocol: string | undefined): number {
  if (port === '' || port === undefined) {
    if (protocol === 'http:') return 80;
    if (protocol === 'https:') return 443;
  }
  const n = typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0 || n > 65535) {
    throw Object.assign(new RangeError(`options.port should be >= 1 and < 65536. Received ${String(port)}.`), { code: 'ERR_SOCKET_BAD_PORT' });
  }
  return n;
}
