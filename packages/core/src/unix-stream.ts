/**
 * A connected Unix domain stream socket (from `connect({ path })` or a `UnixListener`'s accept).
 * @module
 */
import { StreamSocket } from './stream-socket.js';
import { decodeSockaddrUn } from './sockaddr-un.js';

/**
 * A Unix domain stream connection (`SOCK_STREAM`, `AF_UNIX`): the same rent-style stream surface
 * as a `TcpStream` (read, write, writeAll, writev, shutdown, close, AbortSignal), named by paths
 * instead of addresses. Passing file descriptors (`SCM_RIGHTS`) is not supported.
 *
 * @example
 * ```ts
 * const s = await connect({ path: '/run/app.sock' })
 * await s.writeAll(own('ping\n'))
 * const [n, buf] = await s.read(alloc(4096))
 * console.log(s.remotePath)   // '/run/app.sock'
 * await s.close()
 * ```
 */
export class UnixStream extends StreamSocket {
  #local: string | null = null;
  #remote: string | null = null;

  /**
   * The name this end is bound to: a filesystem path, an abstract name with its leading `'\0'`,
   * or `''` when unnamed (a connecting client usually is, as Linux reports it).
   */
  get localPath(): string {
    this.#local ??= this.#name(false);
    return this.#local ?? '';
  }

  /** The peer's name (the listener's path for a client; usually `''` for an accepted stream). */
  get remotePath(): string {
    this.#remote ??= this.#name(true);
    return this.#remote ?? '';
  }

  #name(peer: boolean): string | null {
    if (this.closed) return null;
    const got = this._rt._socknameLen(this.fd, peer);
    return got ? decodeSockaddrUn(got[0], got[1]) : null;
  }
}
