/**
 * `serve()`: accept TCP connections with a rentio listener and hand each one, as a
 * `RentioSocket`, to an unmodified `net.Server` / `http.Server` through
 * `server.emit('connection', socket)` — the same entry point Node's own accept path and
 * frameworks' test helpers use.
 * @module
 */
import http from 'node:http';
import { isIP } from 'node:net';
import { getSystemErrorMap } from 'node:util';
import type { Server } from 'node:net';
import type { SocketAddressInfo, TcpListener, TcpStream, UnixListener, UnixStream } from '@rentio/core';
import { isClosedByUs, invalidArgType } from './errors.js';
import { reportPool } from './pool.js';
import { resolveRuntime, type RuntimeOption } from './runtime.js';
import { RentioSocket } from './socket.js';

/** `Symbol.asyncDispose` (Node 20 defines it; the fallback is the name Node registers it under). */
const kAsyncDispose: symbol = (Symbol as { asyncDispose?: symbol }).asyncDispose ?? Symbol.for('nodejs.asyncDispose');

/** Options of {@link serve}. */
export interface ServeOptions {
  /** Port (0 = any free port). Default 0. */
  port?: number;
  /** Address or name to bind. Default: all addresses, dual-stack. */
  host?: string;
  /** Pending-connection queue length. Default 511. */
  backlog?: number;
  /** For IPv6 hosts: accept IPv6 only. */
  ipv6Only?: boolean;
  /**
   * Set `SO_REUSEPORT`, so several processes or threads serve one port and the kernel spreads
   * connections among them. Under `node:cluster` this is how workers share a port: `serve()`
   * never calls `server.listen()`, so cluster's primary-side handle sharing does not apply.
   */
  reusePort?: boolean;
  /**
   * Serve on a Unix domain socket at this path (or Linux abstract name with a leading `'\0'`)
   * instead of TCP. An existing file there is `EADDRINUSE` (never unlinked for you); the file
   * is removed when the listener closes.
   */
  path?: string;
  /** Unix socket: make the socket file readable by all users. */
  readableAll?: boolean;
  /** Unix socket: make the socket file writable by all users (so others may connect). */
  writableAll?: boolean;
  /** The runtime to serve on (default: core's `defaultRuntime()`). */
  runtime?: RuntimeOption;
}

/** What {@link serve} returns: the bound address and the way to stop. */
export interface Served<A extends SocketAddressInfo | string = SocketAddressInfo> {
  /** The server connections are handed to. */
  readonly server: Server;
  /** The rentio listener accepting them. */
  readonly listener: A extends string ? UnixListener : TcpListener;
  /** The bound TCP port (-1 on a Unix socket, which has none). */
  readonly port: number;
  /** Connections handed to the server and not yet closed. */
  readonly connections: number;
  /** `{ address, family, port }` bound, or the Unix socket's path (as `net.Server#address()`). */
  address(): A;
  /**
   * Stop accepting, then wait until every connection handed over has closed. Calls
   * `server.close()`, so an `http.Server` closes its idle keep-alive connections and the server
   * emits `'close'` once drained, as with Node's own `listen()`. Idempotent.
   */
  close(): Promise<void>;
  /** Destroy every connection handed over (as `http.Server#closeAllConnections`). */
  closeAllConnections(): void;
}

/** Fields of `net.Server` that its accept path honours (set from its constructor options). */
interface ServerFields {
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  highWaterMark?: number;
  maxConnections?: number | null;
  /** `net.Server`'s `blockList` option: peers it blocks are closed at once, never emitted. */
  blockList?: { check(address: string, family?: string): boolean };
  _connections?: number;
  _emitCloseIfDrained?: () => void;
  /** Set by `net.Server#unref()` (cleared by `ref()`), also before the server listens. */
  _unref?: boolean;
}

/**
 * Serve `server` (a `net.Server` or `http.Server`, or a request handler for a new
 * `http.Server`) over rentio: accepts with a rentio listener and emits `'connection'` on the
 * server for each accepted socket, honouring the server's `allowHalfOpen`, `pauseOnConnect`,
 * `noDelay`, `keepAlive`, `highWaterMark` and `maxConnections`. The server itself is never
 * `listen()`ed; while it is served, `server.address()` reports the rentio listener's address and
 * `server.close(cb)` is the returned `close()` (so shutdown code written for `listen()` works),
 * until that close completes.
 *
 * @example
 * ```ts
 * import http from 'node:http'
 * import { serve } from '@rentio/compat'
 * const served = await serve(http.createServer((req, res) => res.end('hi')), { port: 8080 })
 * console.log(served.port)
 * await served.close()
 * ```
 */
export async function serve(server: Server | http.RequestListener, options: ServeOptions & { path: string }): Promise<Served<string>>;
export async function serve(server: Server | http.RequestListener, options?: ServeOptions): Promise<Served>;
export async function serve(server: Server | http.RequestListener, options: ServeOptions = {}): Promise<Served<SocketAddressInfo | string>> {
  if (typeof server === 'function') server = http.createServer(server);
  if (!server || typeof server.emit !== 'function') throw invalidArgType('server', 'a net.Server, an http.Server or a request handler', server);
  const srv = server as Server & ServerFields;
  if (options.reusePort !== undefined && typeof options.reusePort !== 'boolean')
    throw invalidArgType('options.reusePort', 'of type boolean', options.reusePort);
  const rt = await resolveRuntime(options.runtime);
  reportPool(rt);
  // A Unix listen's errors already read as node:net's (`listen EADDRINUSE: address already in use /path`).
  const listener: TcpListener | UnixListener =
    options.path !== undefined
      ? await rt.listen({ path: options.path, backlog: options.backlog, readableAll: options.readableAll, writableAll: options.writableAll })
      : await rt
          .listen({ port: options.port ?? 0, host: options.host, backlog: options.backlog, ipv6Only: options.ipv6Only, reusePort: options.reusePort })
          .catch((err: Error) => Promise.reject(asListenError(err)));
  const conns = new Set<RentioSocket>();
  let closing: Promise<void> | null = null;
  /** Set once net.Server#close ran: from then on a drained server emits 'close', as Node's. */
  let protoClosed = false;
  let drained: (() => void) | null = null;

  // http.Server starts its connection tracking (headersTimeout / requestTimeout checks,
  // closeIdleConnections) on 'listening'. Emitting 'listening' would tell user code the server
  // is bound when server.address() is null, so run just that listener.
  for (const f of srv.listeners('listening')) if (f.name === 'setupConnectionsTracking') (f as () => void).call(srv);

  const onConnection = (tcp: TcpStream | UnixStream): void => {
    // As net.Server: any maxConnections set (0 included) caps the live connections.
    if (srv.maxConnections !== undefined && srv.maxConnections !== null && conns.size >= srv.maxConnections) {
      // A Unix socket has no addresses: its 'drop' data is empty, as net.Server's for a pipe.
      srv.emit(
        'drop',
        'remotePort' in tcp
          ? {
              localAddress: tcp.localAddress,
              localPort: tcp.localPort,
              localFamily: tcp.localFamily,
              remoteAddress: tcp.remoteAddress,
              remotePort: tcp.remotePort,
              remoteFamily: tcp.remoteFamily,
            }
          : {},
      );
      void tcp.close().catch(() => {});
      return;
    }
    if (isBlocked(srv.blockList, tcp)) {
      void tcp.close().catch(() => {});
      return;
    }
    const sock = new RentioSocket(tcp, {
      allowHalfOpen: srv.allowHalfOpen,
      pauseOnCreate: srv.pauseOnConnect,
      highWaterMark: srv.highWaterMark,
    });
    if (srv.noDelay) sock.setNoDelay(true);
    if (srv.keepAlive) sock.setKeepAlive(true, srv.keepAliveInitialDelay ?? 0);
    sock.server = srv;
    conns.add(sock);
    // As net's accept path: server._connections counts live connections, so server.close()
    // emits 'close' only once they are gone.
    if (typeof srv._connections === 'number') srv._connections++;
    sock._whenGone = gone;
    srv.emit('connection', sock);
  };
  // Run as a socket emits 'close', before its listeners, without being one: net.Server counts its
  // connections inside Socket#_destroy, and http's CONNECT / upgrade hand-off relies on a
  // detached socket having no 'close' listener left (Node's test-http-connect asserts it).
  const gone = (sock: RentioSocket): void => {
    conns.delete(sock);
    if (typeof srv._connections === 'number') {
      srv._connections--;
      // Only a server being closed emits 'close' when drained; while served, the count
      // reaching 0 is just an idle server (net.Server checks its listening handle for that).
      if (protoClosed) srv._emitCloseIfDrained?.();
    }
    if (closing && conns.size === 0) drained?.();
  };

  // Code written for a listen()ed server calls server.close(cb) to shut down and
  // server.address() to learn the port. While served, both speak for the rentio listener: close
  // stops it too (and its cb sees no ERR_SERVER_NOT_RUNNING: the server *is* running), address
  // reports what it is bound to. Own properties shadow the prototype's; close() removes them.
  const protoClose = srv.close.bind(srv);
  const patchedClose = function (this: Server, cb?: (err?: Error) => void): Server {
    if (typeof cb === 'function') srv.once('close', () => cb());
    void served.close();
    return srv;
  };
  const patchedAddress = (): SocketAddressInfo | string => listener.address();
  Object.defineProperty(srv, 'close', { value: patchedClose, configurable: true, writable: true });
  Object.defineProperty(srv, 'address', { value: patchedAddress, configurable: true, writable: true });
  // `listening` is true from here until close() is called, as for a listen()ed server.
  Object.defineProperty(srv, 'listening', { get: () => closing === null, configurable: true });
  // server.unref() / ref() speak for the rentio listener: an unref'd served server's pending
  // accept lets the process exit, as a listen()ed server's handle does.
  // As net.Server, the choice is kept in `_unref`, and one made before serving (net.Server#unref()
  // called before listen(), or while serve() was binding) applies from the start.
  const patchedUnref = (): Server => ((srv._unref = true), listener.unref(), srv);
  const patchedRef = (): Server => ((srv._unref = false), listener.ref(), srv);
  if (srv._unref) listener.unref();
  Object.defineProperty(srv, 'unref', { value: patchedUnref, configurable: true, writable: true });
  Object.defineProperty(srv, 'ref', { value: patchedRef, configurable: true, writable: true });
  // `await using` / `server[Symbol.asyncDispose]()` closes, as for a listen()ed server.
  const patchedDispose = (): Promise<void> => served.close();
  Object.defineProperty(srv, kAsyncDispose, { value: patchedDispose, configurable: true, writable: true });

  const accepting = (async () => {
    for (;;) {
      let tcp: TcpStream | UnixStream;
      try {
        tcp = await listener.accept();
      } catch (err) {
        if (listener.closed || isClosedByUs(err)) return;
        // As net.Server: accept errors are the server's 'error' (only if someone listens, so an
        // EMFILE storm never crashes the process). Back off briefly: EMFILE/ENFILE persist
        // until an fd is freed and retrying at once would spin.
        if (srv.listenerCount('error') > 0) srv.emit('error', err);
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      try {
        onConnection(tcp);
      } catch (err) {
        // A throwing 'connection' listener is the app's bug; as with Node's own accept path it
        // surfaces as an uncaught exception, and the accept loop keeps going.
        process.nextTick(() => {
          throw err;
        });
      }
    }
  })();

  const served: Served<SocketAddressInfo | string> = {
    server: srv,
    listener,
    get port() {
      const a = listener.address();
      return typeof a === 'string' ? -1 : a.port;
    },
    get connections() {
      return conns.size;
    },
    address: () => listener.address(),
    close() {
      closing ??= (async () => {
        const allGone = new Promise<void>((resolve) => {
          drained = resolve;
        });
        // net.Server#close (and http.Server's, which first closes the idle keep-alive
        // connections) runs now, inside close(), as Node's does: a connection still answering
        // is left open, and one that goes idle later is not closed for it. The listener counts
        // as a connection until it has closed, so the server's 'close' waits for it too. No
        // callback: it would only report ERR_SERVER_NOT_RUNNING.
        protoClosed = true;
        const counted = typeof srv._connections === 'number';
        if (counted) srv._connections = (srv._connections ?? 0) + 1;
        protoClose();
        await listener.close();
        await accepting;
        if (srv.close === patchedClose) delete (srv as { close?: unknown }).close;
        if (srv.unref === patchedUnref) delete (srv as { unref?: unknown }).unref;
        if (srv.ref === patchedRef) delete (srv as { ref?: unknown }).ref;
        delete (srv as { listening?: unknown }).listening;
        if ((srv as unknown as Record<symbol, unknown>)[kAsyncDispose] === patchedDispose)
          delete (srv as unknown as Record<symbol, unknown>)[kAsyncDispose];
        if (counted) {
          srv._connections = (srv._connections ?? 1) - 1;
          srv._emitCloseIfDrained?.();
        }
        if (conns.size > 0) await allGone;
        if (srv.address === patchedAddress) delete (srv as { address?: unknown }).address;
      })();
      return closing;
    },
    closeAllConnections() {
      for (const s of conns) s.destroy();
    },
  };
  return served;
}

/** Whether the server's `blockList` blocks this peer (a Unix socket has no address to block). */
function isBlocked(blockList: ServerFields['blockList'], tcp: TcpStream | UnixStream): boolean {
  if (!blockList || !('remoteAddress' in tcp) || !tcp.remoteAddress) return false;
  const family = isIP(tcp.remoteAddress);
  return family !== 0 && blockList.check(tcp.remoteAddress, `ipv${family}`);
}

/**
 * A bind/listen failure in the shape net.Server reports it: libuv defers a bind error to
 * listen(), so Node says `listen EADDRINUSE: address already in use 127.0.0.1:8080` with
 * `syscall: 'listen'` whichever of the two failed; code, errno, address and port are kept.
 */
function asListenError(err: Error): Error {
  const e = err as Error & { syscall?: string; errno?: number; code?: string; address?: string; port?: number };
  if ((e?.syscall !== 'bind' && e?.syscall !== 'listen') || typeof e.errno !== 'number') return err;
  const desc = getSystemErrorMap().get(e.errno)?.[1] ?? String(e.code);
  const where = e.address === undefined ? '' : e.port === undefined ? ` ${e.address}` : ` ${e.address}:${e.port}`;
  e.syscall = 'listen';
  e.message = `listen ${String(e.code)}: ${desc}${where}`;
  return err;
}
