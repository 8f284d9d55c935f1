/**
 * rentio: rent-style (owned-buffer) kernel I/O for Node.js on Linux, over an io_uring
 * completion driver or an epoll readiness driver chosen at run time.
 *
 * @example
 * ```ts
 * import { createRuntime, alloc, own } from '@rentio/core'
 * const rt = await createRuntime()                  // RENTIO_DRIVER=uring|epoll|auto
 * const l = await rt.listen({ port: 0, host: '127.0.0.1' })
 * const c = await rt.connect({ host: '127.0.0.1', port: l.address().port })
 * const s = await l.accept()
 * await c.writeAll(own('hello'))
 * const [n, buf] = await s.read(alloc(64))         // buf is the same memory, handed back
 * await rt.close()
 * ```
 * @module
 */
export { alloc, own, MAX_IO, type Window } from './buffer.js';
export { BufferPool, type BufferPoolOptions } from './buffer-pool.js';
export { BufferLease } from './buffer-lease.js';
export {
  AbortError,
  BufferNotRentableError,
  DgramIsConnectedError,
  DgramNotConnectedError,
  CredentialsChangedError,
  DriverUnavailableError,
  HandleClosedError,
  InvalidArgTypeError,
  InvalidArgValueError,
  InvalidDriverError,
  LeaseReleasedError,
  LeaseReleasedTwiceError,
  PoolClosedError,
  OutOfRangeError,
  RentioError,
  RentioRangeError,
  RentioTypeError,
  RuntimeClosedError,
  UnsupportedError,
  type SystemError,
} from './errors.js';
export { File, type FileIoOptions, type OpenFlags } from './file.js';
export { Handle } from './handle.js';
export {
  Runtime,
  createRuntime,
  type ConnectOptions,
  type DriverInfo,
  type FileOptions,
  type ListenOptions,
  type RuntimeOptions,
  type RuntimeStats,
} from './runtime.js';
export { type DriverName } from './select.js';
export { type SocketAddressInfo } from './sockaddr.js';
export { Stats } from './stats.js';
export { Listener } from './listener.js';
export { StreamSocket, type PooledReadCallback, type PooledReadOptions, type StreamIoOptions } from './stream-socket.js';
export type { SendFileOptions } from './send-file.js';
export { TcpListener } from './tcp-listener.js';
export { TcpStream } from './tcp-stream.js';
export { UdpSocket, type BindUdpOptions, type DatagramFrom, type UdpBatchOptions, type UdpRecvOptions, type UdpSendOptions } from './udp-socket.js';
export { Datagram, DatagramIterator, DATAGRAM_COPY_MAX, DATAGRAM_HEADER_BYTES } from './udp-receive.js';
export { UnixListener, type UnixConnectOptions, type UnixListenOptions } from './unix-listener.js';
export { UnixStream } from './unix-stream.js';
export { bindUdp, connect, defaultRuntime, listen, open, readFile, sleep, writeFile } from './default-runtime.js';
export type { DriverModel, DriverOptions, DriverStats } from './driver.js';
export { CorePool, runOnAllCores, type AllCoresContext, type AllCoresMain, type AllCoresOptions, type AllCoresStats } from './workers.js';
