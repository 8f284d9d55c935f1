/**
 * The module-level functions (`open`, `listen`, `connect`, ...) run on a default runtime made on
 * first use from `RENTIO_DRIVER`. Once it exists calls go straight to it, so misuse throws
 * synchronously as it does on a runtime.
 * @module
 */
import type { File, OpenFlags } from './file.js';
import { createRuntime, type ConnectOptions, type FileOptions, type ListenOptions, type Runtime } from './runtime.js';
import type { TcpListener } from './tcp-listener.js';
import type { TcpStream } from './tcp-stream.js';
import type { BindUdpOptions, UdpSocket } from './udp-socket.js';
import type { UnixConnectOptions, UnixListener, UnixListenOptions } from './unix-listener.js';
import type { UnixStream } from './unix-stream.js';

let current: Runtime | null = null;
let making: Promise<Runtime> | null = null;

/** The default runtime, made on first call from `RENTIO_DRIVER` (default `auto`). */
export function defaultRuntime(): Promise<Runtime> {
  if (current && !current.closed) return Promise.resolve(current);
  if (current?.closed) making = null;
  making ??= createRuntime().then((rt) => (current = rt));
  return making;
}

function run<T>(f: (rt: Runtime) => Promise<T>): Promise<T> {
  if (current && !current.closed) return f(current);
  return defaultRuntime().then(f);
}

/** {@link Runtime.open} on the default runtime. */
export function open(path: string | Buffer | URL, flags?: OpenFlags, mode?: number | string): Promise<File> {
  return run((rt) => rt.open(path, flags, mode));
}
/** {@link Runtime.readFile} on the default runtime. */
export function readFile(path: string | Buffer | URL, options?: FileOptions): Promise<Uint8Array> {
  return run((rt) => rt.readFile(path, options));
}
/** {@link Runtime.writeFile} on the default runtime. */
export function writeFile(path: string | Buffer | URL, data: Uint8Array | string, options?: FileOptions): Promise<Uint8Array> {
  return run((rt) => rt.writeFile(path, data, options));
}
/** {@link Runtime.listen} on the default runtime: TCP with `{ port, host }`, Unix with `{ path }`. */
export function listen(options: UnixListenOptions): Promise<UnixListener>;
export function listen(options?: ListenOptions): Promise<TcpListener>;
export function listen(options?: ListenOptions | UnixListenOptions): Promise<TcpListener | UnixListener> {
  return run((rt) => rt.listen(options as ListenOptions));
}
/** {@link Runtime.connect} on the default runtime: TCP with `{ host, port }`, Unix with `{ path }`. */
export function connect(options: UnixConnectOptions): Promise<UnixStream>;
export function connect(options: ConnectOptions): Promise<TcpStream>;
export function connect(options: ConnectOptions | UnixConnectOptions): Promise<TcpStream | UnixStream> {
  return run((rt) => rt.connect(options as ConnectOptions));
}
/** {@link Runtime.bindUdp} on the default runtime. */
export function bindUdp(options: BindUdpOptions): Promise<UdpSocket> {
  return run((rt) => rt.bindUdp(options));
}
/** {@link Runtime.sleep} on the default runtime. */
export function sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void> {
  return run((rt) => rt.sleep(ms, options));
}
