/**
 * The transport swaps the node-core preloads install: `swapClient` makes every socket a test
 * creates with `net.connect` / `net.createConnection` / `new net.Socket()` (and `http.Agent`'s
 * connections) a compat `RentioSocket`; `swapServer` makes every `net.Server#listen()` (so every
 * `http.Server` too) serve the server with `compat.serve` instead. The runtime is core's
 * default one, so `RENTIO_DRIVER` picks the driver.
 * @module
 */
import net from 'node:net';
import http from 'node:http';
// Loaded before the swap: TLSSocket and tty's streams extend the net.Socket they find at load.
import 'node:tls';
import 'node:tty';
import { defaultRuntime } from '@rentio/core';
import { RentioSocket, serve } from '@rentio/compat';

const runtime = await defaultRuntime();

/** Node's own Socket, kept for what compat cannot stand in for (an existing handle or fd). */
const NodeSocket = net.Socket;

/** `new net.Socket(options)` as compat: an unconnected RentioSocket on the preload's runtime. */
function socketOptions(options) {
  return options !== null && typeof options === 'object' ? { ...options, runtime } : { runtime };
}

/** net's normalizeArgs: `[options, cb|null]` from `(options[, cb])`, `(port[, host][, cb])` or `(path[, cb])`. */
function normalizeConnectArgs(args) {
  if (Array.isArray(args[0])) return args[0];
  const first = args[0];
  let options;
  if (first !== null && typeof first === 'object') options = first;
  else if (typeof first === 'string' && !/^\s*\d+\s*$/.test(first)) options = { path: first };
  else {
    options = { port: first };
    if (args.length > 1 && typeof args[1] === 'string') options.host = args[1];
  }
  const cb = args[args.length - 1];
  return [options, typeof cb === 'function' ? cb : null];
}

/** Swap the client side: net.Socket, net.connect / createConnection, http.Agent's connector. */
export function swapClient() {
  function Socket(options) {
    // Called as a function (tls.TLSSocket's `ReflectApply(net.Socket, this, ...)`) or as a
    // subclass's super(): initialise `this` as node:net does; those sockets are not swapped.
    if (!new.target) return Reflect.apply(NodeSocket, this, [options]);
    if (new.target !== Socket) return Reflect.construct(NodeSocket, [options], new.target);
    // A socket over an fd or a libuv handle belongs to node:net (IPC, stdio, pipes): not swapped.
    if (options && (options.handle !== undefined || options.fd !== undefined)) return new NodeSocket(options);
    return new RentioSocket(socketOptions(options));
  }
  Object.defineProperty(Socket, Symbol.hasInstance, { value: (o) => o instanceof NodeSocket || o instanceof RentioSocket });
  // net.Socket.prototype is the swapped class's: a patch of net.Socket.prototype.connect (as APM
  // agents do) sees compat's sockets. tls and tty were loaded first, so their sockets still
  // inherit from node:net's.
  Socket.prototype = RentioSocket.prototype;
  function connect(...args) {
    // As net.connect: normalize the arguments, then hand Socket#connect the [options, cb] array
    // (code that wraps net.Socket.prototype.connect, as Node's tests do, receives that array).
    const normalized = normalizeConnectArgs(args);
    const sock = new RentioSocket(socketOptions(normalized[0]));
    return sock.connect(normalized);
  }
  net.Socket = Socket;
  net.Stream = Socket;
  net.connect = connect;
  net.createConnection = connect;
  // Node's Agent took net.createConnection when it loaded, so it is not the export now swapped.
  http.Agent.prototype.createConnection = connect;
}

/** Arguments of `net.Server#listen` as `{ options, cb }`, or null for what only node:net can do. */
function listenArgs(args) {
  const cb = typeof args[args.length - 1] === 'function' ? args[args.length - 1] : undefined;
  const rest = cb ? args.slice(0, -1) : args;
  const [first] = rest;
  if (first !== null && typeof first === 'object') {
    // A handle, `{ fd }`, `{ handle }` or a net.Server/Socket to share: libuv handles, not swapped.
    if (first._handle !== undefined || first.fd !== undefined || first.handle !== undefined) return null;
    if (first.port === undefined && first.path === undefined) return null;
    return { options: first, cb };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { options: { path: first, backlog: rest[1] }, cb };
  const backlog = typeof rest[1] === 'number' ? rest[1] : rest[2];
  const host = typeof rest[1] === 'string' ? rest[1] : undefined;
  return { options: { port: first ?? 0, host, backlog }, cb };
}

/** The listen that is binding now (set from listen() until serve() settles). */
const kPending = Symbol('node-core.pendingListen');
/** The same, once serve() was called (a close() now is a close of this listen). */
const kBinding = Symbol('node-core.binding');
/** The last serve() of this server. */
const kServed = Symbol('node-core.served');

/** A non-AbortSignal `options.signal`, as Node's validateAbortSignal reports it. */
function invalidSignal(signal) {
  const err = new TypeError(`The "options.signal" property must be an instance of AbortSignal. Received ${typeof signal}`);
  err.code = 'ERR_INVALID_ARG_TYPE';
  return err;
}

/** A bad port as net.Server#listen reports it (synchronously). */
function badPort(port) {
  const err = new RangeError(
    `options.port should be >= 0 and < 65536. Received ${typeof port === 'string' ? `type string ('${port}')` : `type number (${port})`}.`,
  );
  err.code = 'ERR_SOCKET_BAD_PORT';
  return err;
}

/** Swap the server side: `listen()` serves the server over compat. */
export function swapServer() {
  const nodeListen = net.Server.prototype.listen;
  const nodeClose = net.Server.prototype.close;
  net.Server.prototype.close = function close(cb) {
    // Only a close() while serve() binds is ours; serve()'s own close reaches net's.
    const pending = this[kBinding];
    if (!pending) return nodeClose.call(this, cb);
    pending.closed = true;
    if (typeof cb === 'function') this.once('close', () => cb());
    return this;
  };
  net.Server.prototype.listen = function listen(...args) {
    const parsed = listenArgs(args);
    if (parsed === null) return nodeListen.apply(this, args);
    const { options, cb } = parsed;
    if (this.listening || this[kPending]) {
      const err = new Error('Listen method has been called more than once without closing.');
      err.code = 'ERR_SERVER_ALREADY_LISTEN';
      throw err;
    }
    if (options.path === undefined) {
      const p = options.port;
      const ok = (typeof p === 'number' && Number.isInteger(p)) || (typeof p === 'string' && /^\d+$/.test(p.trim()));
      if (!ok || Number(p) < 0 || Number(p) > 65535) throw badPort(p);
    }
    const signal = options.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidSignal(signal);
    if (cb) this.once('listening', cb);
    // net.Server binds inside listen(); serve() binds a few ticks later. A close() until then
    // closes the server that is about to exist: no 'listening', then 'close' (cb without error).
    const pending = { closed: false };
    this[kPending] = pending;
    if (signal) {
      // As net.Server: an aborted signal closes the server.
      if (signal.aborted) process.nextTick(() => this.close());
      else signal.addEventListener('abort', () => this.close(), { once: true });
    }
    // A listen() right after close(): let the previous serve() finish closing first (its
    // close ends in net.Server#close, which must not be taken for a close of this listen).
    const previous = this[kServed];
    const before = previous && !this.listening ? previous.close() : null;
    if (!before) this[kBinding] = pending;
    const served = Promise.resolve(before).then(() => {
      this[kBinding] = pending;
      return serve(this, {
        port: options.path === undefined ? Number(options.port) : undefined,
        host: options.host ?? undefined,
        path: options.path,
        backlog: options.backlog,
        ipv6Only: options.ipv6Only,
        readableAll: options.readableAll,
        writableAll: options.writableAll,
        // Passed through for serve()'s SO_REUSEPORT (ignored where serve() has no such option).
        reusePort: options.reusePort,
        runtime,
      });
    });
    served.then(
      (srv) => {
        this[kPending] = this[kBinding] = null;
        this[kServed] = srv;
        // net.Server's key of what it listens on (family:address:requested port), which
        // test/common and cluster read.
        const a = srv.address();
        if (typeof a === 'object') this._connectionKey = `${a.family === 'IPv6' ? 6 : 4}:${a.address}:${Number(options.port)}`;
        if (pending.closed) void srv.close();
        else this.emit('listening');
      },
      (err) => {
        this[kPending] = this[kBinding] = null;
        if (pending.closed) process.nextTick(() => this.emit('close'));
        else this.emit('error', err);
      },
    );
    return this;
  };
}
