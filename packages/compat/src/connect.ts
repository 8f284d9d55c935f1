/**
 * `connect()` / `createConnection()`: a connecting `RentioSocket`, returned at once, in the shape
 * `http.request({ createConnection })`, `http.Agent#createConnection` and undici's `connect`
 * option call it.
 * @module
 */
import { connectArgs, type ConnectOptions } from './connect-args.js';
import { invalidArgType } from './errors.js';
import { RentioSocket, type ConnectCallback } from './socket.js';

export type { ConnectOptions, LookupFunction } from './connect-args.js';

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
  const args = connectArgs<ConnectCallback>([options, host, cb].filter((a) => a !== undefined));
  if (options === null || (typeof options !== 'object' && typeof options !== 'number' && typeof options !== 'string')) {
    throw invalidArgType('options', 'an object or a port', options);
  }
  if (cb !== undefined && typeof cb !== 'function') throw invalidArgType('callback', 'of type function', cb);
  const sock = new RentioSocket(args.options);
  sock._connect(args.options, args.cb);
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
