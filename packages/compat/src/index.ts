/**
 * `@rentio/compat`: rentio's rent-style I/O as drop-in Node streams, over either driver.
 *
 * - {@link toDuplex}, {@link connect} / {@link createConnection}: TCP as a `net.Socket`-like
 *   `stream.Duplex`, usable by `node:http` (client and `Agent`), undici and `stream.pipeline`.
 * - {@link serve}: run an unmodified `http.createServer(handler)` (or any `net.Server`) over a
 *   rentio listener, on a TCP port or a Unix domain socket path (`connect({ path })` is the
 *   client side).
 * - {@link createSocket} (also `dgram.createSocket`): a `node:dgram`-compatible UDP socket.
 * - {@link createReadStream} / {@link createWriteStream}: file streams over rentio files.
 *
 * The buffer rule: compat never hands user memory to the kernel. `write()` copies the caller's
 * bytes into pooled staging slabs at once (the caller may reuse its buffer as soon as `write()`
 * returns) and a write's callback runs once its bytes completed; reads go into pooled slabs and
 * only completed bytes are copied out and pushed. The pool shows in `rt.stats()` as
 * `compatPoolBuffers` / `compatPoolFree`.
 *
 * @example
 * ```ts
 * import http from 'node:http'
 * import { createRuntime } from '@rentio/core'
 * import { serve, createConnection } from '@rentio/compat'
 * const runtime = await createRuntime()
 * const served = await serve(http.createServer((req, res) => res.end('ok')), { port: 0, host: '127.0.0.1', runtime })
 * http.get({ host: '127.0.0.1', port: served.port, createConnection: (o, cb) => createConnection({ ...o, runtime }, cb) },
 *   (res) => res.resume().on('end', () => served.close()))
 * ```
 * @module
 */
export { RentioSocket, toDuplex, type ConnectCallback, type SocketOptions } from './socket.js';
export { connect, createConnection, type ConnectOptions } from './connect.js';
export { serve, type ServeOptions, type Served } from './serve.js';
export {
  RentioReadStream,
  RentioWriteStream,
  createReadStream,
  createWriteStream,
  type ReadStreamOptions,
  type WriteStreamOptions,
} from './fs-streams.js';
export * as dgram from './dgram.js';
export {
  Socket as DgramSocket,
  createSocket,
  type BindOptions,
  type LookupFunction as DgramLookupFunction,
  type RemoteInfo,
  type SendCallback,
  type SocketOptions as DgramSocketOptions,
  type SocketType,
} from './dgram.js';
export { SLAB_SIZE } from './pool.js';
export type { RuntimeOption } from './runtime.js';
