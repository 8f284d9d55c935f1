/**
 * A `node:dgram`-compatible UDP socket over a rentio `UdpSocket`, on either driver.
 *
 * Receiving: once bound, the socket keeps one batched receive in flight through the runtime's
 * datagram pool (dgram-pool.ts; buffers of 64 KiB plus the header, so no UDP datagram is cut
 * short): every datagram waiting comes in one op, each is copied into a fresh Buffer for
 * `'message'`, and the pool buffers go straight back. Sending: `send()`
 * copies the datagram into a pooled slab before it returns, so the caller may reuse its buffer at
 * once; the slab returns to the pool with the op's result.
 * @module
 */
import { Buffer } from 'node:buffer';
import dns from 'node:dns';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import type { BufferPool, Datagram, Runtime, SocketAddressInfo, UdpSocket } from '@rentio/core';
import { UnsupportedError } from '@rentio/core';
import {
  argType,
  dgramIsConnected,
  dgramNotConnected,
  dgramNotRunning,
  errnoError,
  errnoOf,
  isClosedByUs,
  missingArgs,
  outOfRange,
  rethrowUncaught,
  socketAlreadyBound,
  socketBadBufferSize,
  socketBadType,
  socketBufferSize,
  withHostPort,
} from './errors.js';
import { dataList, sliceData, stage, validateNumber, validatePort, validateString, type DatagramData, type Staged } from './dgram-args.js';
import { dgramPoolFor } from './dgram-pool.js';
import { giveBack, reportPool } from './pool.js';
import { resolveRuntime, type RuntimeOption } from './runtime.js';

/** `'udp4'` or `'udp6'`. */
export type SocketType = 'udp4' | 'udp6';

/** A name resolver with `dns.lookup`'s shape, called as `lookup(hostname, family, callback)`. */
export type LookupFunction = (hostname: string, family: number, callback: (err: Error | null, address: string, family?: number) => void) => void;

/** Options of {@link createSocket}, as node:dgram's, plus the rentio runtime. */
export interface SocketOptions {
  /** `'udp4'` or `'udp6'`. */
  type: SocketType;
  /** SO_REUSEADDR on bind. */
  reuseAddr?: boolean;
  /** SO_REUSEPORT on bind: several sockets share one port's datagrams. */
  reusePort?: boolean;
  /** udp6: IPV6_V6ONLY (no IPv4-mapped traffic). */
  ipv6Only?: boolean;
  /** SO_RCVBUF, set once bound. */
  recvBufferSize?: number;
  /** SO_SNDBUF, set once bound. */
  sendBufferSize?: number;
  /** Name resolver (default `dns.lookup`). */
  lookup?: LookupFunction;
  /** Close the socket when the signal aborts. */
  signal?: AbortSignal;
  /** The runtime to run on (default: core's `defaultRuntime()`). */
  runtime?: RuntimeOption;
}

/** Options of {@link Socket.bind}. */
export interface BindOptions {
  /** Port (0 or unset: any free port). */
  port?: number;
  /** Address or name to bind (default: all addresses of the socket's family). */
  address?: string;
  /** Accepted for node:dgram's sake (cluster only); ignored. */
  exclusive?: boolean;
  /** Not supported: rentio opens its own sockets. */
  fd?: number;
}

/** Where a received datagram came from, as node:dgram's `rinfo`. */
export interface RemoteInfo {
  address: string;
  family: 'IPv4' | 'IPv6';
  port: number;
  /** Bytes in the message. */
  size: number;
}

/** `send()`'s callback: `(null, bytesSent)` or `(err)`. */
export type SendCallback = (error: Error | null, bytes?: number) => void;

const UNBOUND = 0;
const BINDING = 1;
const BOUND = 2;
const DISCONNECTED = 0;
const CONNECTING = 1;
const CONNECTED = 2;

/** Work held until the socket is bound (node:dgram's send queue): run it, or drop it. */
interface Queued {
  run(): void;
  drop(): void;
}

type AnyCallback = (...args: unknown[]) => void;

/**
 * A UDP socket with `node:dgram.Socket`'s surface and semantics (argument checks, error codes and
 * messages, event order, the send queue while binding), over a rentio `UdpSocket`. Make one with
 * {@link createSocket}.
 *
 * Differences from node:dgram, all from the socket existing only once bound: `addMembership`
 * and the other setters throw `EBADF` before `bind()` (node:dgram binds implicitly for
 * `addMembership`), and `bind({ fd })` is not supported. `ref()`/`unref()` are recorded but a
 * bound socket keeps the process alive until closed: its pending receive holds the runtime's
 * loop, and core has no way yet to let an op not hold it (see the README).
 *
 * @example
 * ```ts
 * import { createSocket } from '@rentio/compat'
 * const server = createSocket('udp4', (msg, rinfo) => server.send(msg, rinfo.port, rinfo.address))
 * server.bind(41234, '127.0.0.1', () => console.log('echoing on', server.address()))
 * ```
 */
export class Socket extends EventEmitter {
  /** `'udp4'` or `'udp6'`. */
  readonly type: SocketType;

  readonly #runtime: RuntimeOption | undefined;
  readonly #lookupFn: LookupFunction | undefined;
  readonly #reuseAddr: boolean;
  readonly #reusePort: boolean;
  readonly #ipv6Only: boolean;
  readonly #recvBufferSize: number | undefined;
  /** The runtime's datagram pool, set at bind. */
  #rpool: BufferPool | null = null;
  readonly #sendBufferSize: number | undefined;
  #udp: UdpSocket | null = null;
  #bindState = UNBOUND;
  #connectState = DISCONNECTED;
  #closed = false;
  /** A bind in flight: close() waits for it, and closes the socket it made. */
  #binding: Promise<void> | null = null;
  #queue: Queued[] | undefined = undefined;
  #refed = true;
  #sendCount = 0;
  #sendBytes = 0;

  /** @internal use {@link createSocket} */
  constructor(type: SocketType | SocketOptions, listener?: (msg: Buffer, rinfo: RemoteInfo) => void) {
    super();
    let options: SocketOptions | undefined;
    if (type !== null && typeof type === 'object') {
      options = type;
      type = options.type;
    }
    if (type !== 'udp4' && type !== 'udp6') throw socketBadType();
    this.type = type;
    if (options?.lookup !== undefined && typeof options.lookup !== 'function') throw argType('lookup', 'of type function', options.lookup);
    this.#lookupFn = options?.lookup;
    this.#recvBufferSize = checkSize(options?.recvBufferSize, 'options.recvBufferSize');
    this.#sendBufferSize = checkSize(options?.sendBufferSize, 'options.sendBufferSize');
    this.#reuseAddr = Boolean(options?.reuseAddr);
    this.#reusePort = Boolean(options?.reusePort);
    this.#ipv6Only = Boolean(options?.ipv6Only);
    this.#runtime = options?.runtime;
    if (typeof listener === 'function') this.on('message', listener);

    const signal = options?.signal;
    if (signal !== undefined) {
      if (signal === null || typeof signal !== 'object' || !('aborted' in signal))
        throw argType('options.signal', 'an instance of AbortSignal', signal);
      const onAbort = (): void => {
        if (!this.#closed) this.close();
      };
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.once('close', () => signal.removeEventListener('abort', onAbort));
      }
    }
  }

  // --- bind ---------------------------------------------------------------------------------

  /**
   * Bind to `port` (0 or unset: any free port) and `address` (default: all addresses), then
   * start receiving; emits `'listening'` (and calls `callback`), or `'error'` with node:dgram's
   * shape (`bind EADDRINUSE 0.0.0.0:41234`).
   */
  bind(port?: number, address?: string, callback?: () => void): this;
  bind(port?: number, callback?: () => void): this;
  bind(callback?: () => void): this;
  bind(options: BindOptions, callback?: () => void): this;
  bind(port?: unknown, address?: unknown, ...rest: unknown[]): this {
    this.#healthCheck();
    if (this.#bindState !== UNBOUND) throw socketAlreadyBound();
    this.#bindState = BINDING;
    const args = [port, address, ...rest];
    const cb = arguments.length > 0 ? args[arguments.length - 1] : undefined;
    if (typeof cb === 'function') {
      // As node:dgram: the callback is a one-time 'listening' listener, dropped on 'error'.
      const removeListeners = (): void => {
        this.removeListener('error', removeListeners);
        this.removeListener('listening', onListening);
      };
      const onListening = (): void => {
        removeListeners();
        (cb as AnyCallback).call(this);
      };
      this.on('error', removeListeners);
      this.on('listening', onListening);
    }

    let addr: unknown;
    let p: unknown;
    if (port !== null && typeof port === 'object') {
      const o = port as BindOptions;
      if (typeof o.fd === 'number' && o.fd > 0 && (o.fd | 0) === o.fd) {
        this.#bindState = UNBOUND;
        throw new UnsupportedError('bind({ fd }) is not supported: rentio opens and binds its own sockets');
      }
      addr = o.address || '';
      p = o.port;
    } else {
      addr = typeof address === 'function' ? '' : address;
      p = typeof port === 'function' ? 0 : port;
    }
    if (!addr) addr = this.type === 'udp4' ? '0.0.0.0' : '::';
    if (typeof addr !== 'string') throw argType('hostname', 'of type string', addr);
    // node:dgram hands the port to libuv as an int32 with no check; non-numbers bind any port,
    // an out-of-range one fails the bind ('error', asynchronously).
    const n = Math.trunc(Number(p));
    const bindPort = Number.isFinite(n) ? n : 0;

    this.#lookup(addr, (err, ip) => {
      if (this.#closed) return;
      if (err) {
        this.#bindState = UNBOUND;
        this.emit('error', err);
        return;
      }
      this.#binding = this.#bindOn(ip, bindPort);
    });
    return this;
  }

  async #bindOn(ip: string, port: number): Promise<void> {
    let udp: UdpSocket;
    let rt: Runtime;
    try {
      rt = await resolveRuntime(this.#runtime);
      udp = await rt.bindUdp({
        type: this.type,
        port,
        address: ip,
        reuseAddr: this.#reuseAddr,
        reusePort: this.#reusePort,
        ipv6Only: this.#ipv6Only,
      });
    } catch (err) {
      if (this.#closed) return;
      this.#bindState = UNBOUND;
      this.#emitUncaught('error', withHostPort(err, 'bind', ip, port));
      return;
    }
    this.#binding = null;
    if (this.#closed) {
      await udp.close();
      return;
    }
    reportPool(rt);
    let rpool: BufferPool;
    try {
      rpool = await dgramPoolFor(rt);
    } catch (err) {
      await udp.close();
      throw err;
    }
    this.#rpool = rpool;
    this.#udp = udp;
    if (!this.#refed) udp.unref();
    try {
      if (this.#recvBufferSize) this.#bufferSize(this.#recvBufferSize, true);
      if (this.#sendBufferSize) this.#bufferSize(this.#sendBufferSize, false);
    } catch (err) {
      this.#emitUncaught('error', err);
    }
    this.#bindState = BOUND;
    this.#receive(udp);
    this.#emitUncaught('listening');
  }

  // --- connect ------------------------------------------------------------------------------

  /**
   * Associate the socket with `address:port` (default address: the loopback): `send()` then
   * takes no destination, only that peer's datagrams are received, and an ICMP port-unreachable
   * from it arrives as an `'error'` (`recvmsg ECONNREFUSED`), as with node:dgram. Binds first
   * if needed; emits `'connect'` (and calls `callback`), or reports the error to `callback` (else
   * as `'error'`).
   */
  connect(port: number, address?: string, callback?: (err?: Error) => void): void;
  connect(port: number, callback: (err?: Error) => void): void;
  connect(port: unknown, address?: unknown, callback?: unknown): void {
    const p = validatePort(port, 'Port', false);
    if (typeof address === 'function') {
      callback = address;
      address = '';
    } else if (address === undefined) {
      address = '';
    }
    validateString(address, 'address');
    if (this.#connectState !== DISCONNECTED) throw dgramIsConnected();
    this.#healthCheck();
    this.#connectState = CONNECTING;
    if (this.#bindState === UNBOUND) this.bind({ port: 0, exclusive: true });
    const cb = typeof callback === 'function' ? (callback as (err?: Error) => void) : undefined;
    const addr = address;
    if (this.#bindState !== BOUND) {
      this.#enqueue({ run: () => this.#connect(p, addr, cb), drop: () => {} });
      return;
    }
    this.#connect(p, addr, cb);
  }

  #connect(port: number, address: string, cb: ((err?: Error) => void) | undefined): void {
    if (cb) this.once('connect', cb);
    const fail = (ex: unknown): void => {
      this.#connectState = DISCONNECTED;
      process.nextTick(() => {
        if (cb) {
          this.removeListener('connect', cb);
          cb(ex as Error);
        } else {
          this.emit('error', ex);
        }
      });
    };
    this.#lookup(address, (ex, ip) => {
      const udp = this.#udp;
      if (!udp) return;
      if (ex) return fail(ex);
      if (!this.#familyFits(ip)) return fail(withHostPort({ errno: errnoOf('EINVAL') }, 'connect', address, port));
      udp.connect(port, ip).then(
        () => {
          if (this.#udp !== udp) return;
          this.#connectState = CONNECTED;
          this.#emitUncaught('connect');
        },
        (err: unknown) => {
          if (this.#udp !== udp) return;
          fail(withHostPort(err, 'connect', address, port));
        },
      );
    });
  }

  /** Dissolve the association made by {@link connect}; `ERR_SOCKET_DGRAM_NOT_CONNECTED` when there is none. */
  disconnect(): void {
    if (this.#connectState !== CONNECTED) throw dgramNotConnected();
    const udp = this.#handle('connect');
    this.#connectState = DISCONNECTED;
    // connect(2) with AF_UNSPEC cannot fail on a UDP socket that is open; report it if it does.
    udp.disconnect().catch((err: unknown) => {
      if (this.#udp === udp && !isClosedByUs(err)) this.#emitUncaught('error', withHostPort(err, 'connect', undefined, undefined));
    });
  }

  /** The connected peer's `{ address, family, port }`. */
  remoteAddress(): SocketAddressInfo {
    this.#healthCheck();
    if (this.#connectState !== CONNECTED || !this.#udp) throw dgramNotConnected();
    return this.#udp.remoteAddress();
  }

  // --- send ---------------------------------------------------------------------------------

  /**
   * Send one datagram, in node:dgram's overloads:
   * `send(msg[, offset, length], port[, address][, callback])` on an unconnected socket and
   * `send(msg[, offset, length][, callback])` on a connected one, `msg` a Buffer, TypedArray,
   * DataView, string or an array of them (one datagram). The bytes are copied before `send()`
   * returns. Binds first if needed (any port). `callback(null, bytes)` once sent, or
   * `callback(err)` (`send EACCES 255.255.255.255:9`); without a callback a failed send is
   * dropped, as node:dgram does.
   */
  send(msg: DatagramData | readonly DatagramData[], port?: number, address?: string, callback?: SendCallback): void;
  send(msg: DatagramData | readonly DatagramData[], port?: number, callback?: SendCallback): void;
  send(msg: DatagramData | readonly DatagramData[], callback?: SendCallback): void;
  send(msg: DatagramData, offset: number, length: number, port?: number, address?: string, callback?: SendCallback): void;
  send(msg: DatagramData, offset: number, length: number, port?: number, callback?: SendCallback): void;
  send(msg: DatagramData, offset: number, length: number, callback?: SendCallback): void;
  send(buffer: unknown, offset?: unknown, length?: unknown, port?: unknown, address?: unknown, callback?: unknown): void {
    const connected = this.#connectState === CONNECTED;
    // The overload rules are node:dgram's, in its order, so the same calls mean the same thing.
    if (!connected) {
      if (address || (port && typeof port !== 'function')) {
        buffer = sliceData(buffer, offset, length);
      } else {
        callback = port;
        port = offset;
        address = length;
      }
    } else {
      if (typeof length === 'number') {
        buffer = sliceData(buffer, offset, length);
        if (typeof port === 'function') {
          callback = port;
          port = null;
        }
      } else {
        callback = offset;
      }
      if (port || address) throw dgramIsConnected();
    }
    const list = dataList(buffer);
    let dest: number | undefined;
    if (!connected) dest = validatePort(port, 'Port', false);
    if (typeof callback !== 'function') callback = undefined;
    if (typeof address === 'function') {
      callback = address;
      address = undefined;
    } else if (address !== undefined && address !== null) {
      validateString(address, 'address');
    }
    this.#healthCheck();
    const cb = callback as SendCallback | undefined;
    const to = (address ?? undefined) as string | undefined;
    if (this.#bindState === UNBOUND) this.bind({ port: 0, exclusive: true });
    // INVARIANT: the bytes are copied here, before send() returns: the caller may reuse its
    // buffer at once, and a completion kernel reads the copy until the op completes.
    const staged = stage(list);
    if (this.#bindState !== BOUND) {
      this.#enqueue({ run: () => this.#sendStaged(staged, dest, to, cb), drop: () => giveBack(staged.buf) });
      return;
    }
    this.#sendStaged(staged, dest, to, cb);
  }

  #sendStaged(staged: Staged, port: number | undefined, address: string | undefined, cb: SendCallback | undefined): void {
    const udp = this.#udp;
    if (!udp) {
      // Closed while waiting for the bind: dropped, as node:dgram does.
      giveBack(staged.buf);
      return;
    }
    if (port === undefined) {
      this.#submit(udp, staged, undefined, undefined, undefined, cb);
      return;
    }
    this.#lookup(address ?? '', (ex, ip) => {
      if (ex) {
        giveBack(staged.buf);
        if (cb) process.nextTick(cb, ex);
        else process.nextTick(() => this.emit('error', ex));
        return;
      }
      if (this.#udp !== udp) {
        giveBack(staged.buf);
        return;
      }
      this.#submit(udp, staged, ip, port, address ?? ip, cb);
    });
  }

  #submit(
    udp: UdpSocket,
    staged: Staged,
    ip: string | undefined,
    port: number | undefined,
    shown: string | undefined,
    cb: SendCallback | undefined,
  ): void {
    const { buf, len } = staged;
    const failed = (err: unknown): void => {
      if (!cb) return;
      // Cancelled by close(): the send never happened, as libuv reports a send it drops on close.
      const e = isClosedByUs(err) ? withHostPort({ errno: errnoOf('ECANCELED') }, 'send', shown, port) : withHostPort(err, 'send', shown, port);
      try {
        cb(e as Error);
      } catch (thrown) {
        rethrowUncaught(thrown);
      }
    };
    // libuv checks an address against the socket's family before the kernel sees it.
    if (ip !== undefined && !this.#familyFits(ip)) {
      giveBack(buf);
      process.nextTick(failed, { errno: errnoOf('EINVAL') });
      return;
    }
    let p: Promise<[number, Uint8Array]>;
    try {
      p = ip === undefined ? udp.send(buf, { length: len }) : udp.send(buf, { port, address: ip, length: len });
    } catch (err) {
      // Refused before submission: the buffer was not rented and is still ours.
      giveBack(buf);
      process.nextTick(failed, err);
      return;
    }
    this.#sendCount++;
    this.#sendBytes += len;
    p.then(
      ([n, back]) => {
        this.#sendCount--;
        this.#sendBytes -= len;
        giveBack(back);
        if (!cb) return;
        try {
          cb(null, n);
        } catch (thrown) {
          rethrowUncaught(thrown);
        }
      },
      (err: Error & { buf?: Uint8Array }) => {
        this.#sendCount--;
        this.#sendBytes -= len;
        giveBack(err.buf);
        failed(err);
      },
    );
  }

  /** Datagrams handed to the kernel and not completed (node:dgram: queued in libuv). */
  getSendQueueCount(): number {
    return this.#sendCount;
  }

  /** Bytes of the datagrams counted by {@link getSendQueueCount}. */
  getSendQueueSize(): number {
    return this.#sendBytes;
  }

  // --- receive ------------------------------------------------------------------------------

  /**
   * Keep one batched receive in flight through the runtime's datagram pool: every datagram waiting
   * comes in one op (a multishot RECVMSG's CQEs under uring, one recvmmsg under epoll).
   */
  #receive(udp: UdpSocket): void {
    let p: Promise<Datagram[]>;
    try {
      p = udp.recvBatch(this.#rpool!);
    } catch (err) {
      if (!isClosedByUs(err) && this.#udp === udp) this.#emitUncaught('error', err);
      return;
    }
    p.then(this.#onMessages, this.#onRecvError);
  }

  #onMessages = (batch: Datagram[]): void => {
    const udp = this.#udp;
    // INVARIANT: each message is a copy; every lease is back in the pool (and the next receive in
    // flight) before any listener looks at a message. A datagram longer than a pool buffer cannot
    // exist (DGRAM_POOL_SIZE); were one cut short (truncated), the bytes received are delivered
    // with size = those bytes, as node:dgram does with MSG_TRUNC.
    const msgs: [Buffer, RemoteInfo][] = [];
    for (let i = 0; i < batch.length; i++) {
      const d = batch[i]!;
      // take(): a small datagram is already a copy (a Buffer); a larger one is copied out of its pool buffer.
      const b = d.take();
      const msg = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      msgs.push([msg, { address: d.address, family: d.family, port: d.port, size: d.length }]);
    }
    if (!udp || udp.closed) return;
    this.#receive(udp);
    // As libuv's recvmmsg loop: a listener that closes the socket stops the rest of the batch.
    for (let i = 0; i < msgs.length && this.#udp === udp && !udp.closed; i++) this.#emitUncaught('message', msgs[i]![0], msgs[i]![1]);
  };

  #onRecvError = (err: Error): void => {
    const udp = this.#udp;
    if (!udp || udp.closed || isClosedByUs(err)) return;
    // As libuv: report the error (an ICMP port-unreachable on a connected socket is
    // ECONNREFUSED here) and keep receiving. The kernel clears a socket's pending error once
    // reported; a turn of the loop before re-arming keeps any other from spinning.
    setImmediate(() => {
      if (this.#udp === udp && !udp.closed) this.#receive(udp);
    });
    const errno = (err as { errno?: unknown }).errno;
    this.#emitUncaught('error', typeof errno === 'number' ? errnoError(errno, 'recvmsg') : err);
  };

  // --- options ------------------------------------------------------------------------------

  /** `{ address, family, port }` bound (`getsockname EBADF` before the bind completed, as node:dgram). */
  address(): SocketAddressInfo {
    return this.#handle('getsockname').address();
  }

  /** SO_BROADCAST. */
  setBroadcast(flag: boolean): void {
    this.#handle('setBroadcast').setBroadcast(Boolean(flag));
  }

  /** IP_TTL / IPV6_UNICAST_HOPS (1..255, else `setTTL EINVAL`). Returns `ttl`. */
  setTTL(ttl: number): number {
    validateNumber(ttl, 'ttl');
    this.#handle('setTTL').setTTL(ttl);
    return ttl;
  }

  /** IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS (0..255). Returns `ttl`. */
  setMulticastTTL(ttl: number): number {
    validateNumber(ttl, 'ttl');
    this.#handle('setMulticastTTL').setMulticastTTL(ttl);
    return ttl;
  }

  /** IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP. Returns `flag`. */
  setMulticastLoopback<T>(flag: T): T {
    this.#handle('setMulticastLoopback').setMulticastLoopback(Boolean(flag));
    return flag;
  }

  /** The interface outgoing multicast leaves by (an IPv4 address, or `'::%eth0'` for udp6). */
  setMulticastInterface(interfaceAddress: string): void {
    validateString(interfaceAddress, 'interfaceAddress');
    this.#handle('setMulticastInterface').setMulticastInterface(interfaceAddress);
  }

  /** Join a multicast group (optionally on one interface). */
  addMembership(multicastAddress: string, interfaceAddress?: string): void {
    this.#healthCheck();
    if (!multicastAddress) throw missingArgs('multicastAddress');
    this.#handle('addMembership').addMembership(multicastAddress, interfaceAddress);
  }

  /** Leave a multicast group. */
  dropMembership(multicastAddress: string, interfaceAddress?: string): void {
    this.#healthCheck();
    if (!multicastAddress) throw missingArgs('multicastAddress');
    this.#handle('dropMembership').dropMembership(multicastAddress, interfaceAddress);
  }

  /** Source-specific multicast is not supported by rentio's UdpSocket (`ERR_RENTIO_UNSUPPORTED`). */
  addSourceSpecificMembership(): void {
    throw new UnsupportedError('addSourceSpecificMembership is not supported: rentio UdpSocket has no source-specific membership');
  }

  /** Source-specific multicast is not supported by rentio's UdpSocket (`ERR_RENTIO_UNSUPPORTED`). */
  dropSourceSpecificMembership(): void {
    throw new UnsupportedError('dropSourceSpecificMembership is not supported: rentio UdpSocket has no source-specific membership');
  }

  /** SO_RCVBUF (the kernel doubles it). */
  setRecvBufferSize(size: number): void {
    this.#bufferSize(size, true);
  }

  /** SO_SNDBUF (the kernel doubles it). */
  setSendBufferSize(size: number): void {
    this.#bufferSize(size, false);
  }

  /** SO_RCVBUF as the kernel reports it. */
  getRecvBufferSize(): number {
    return this.#bufferSize(0, true);
  }

  /** SO_SNDBUF as the kernel reports it. */
  getSendBufferSize(): number {
    return this.#bufferSize(0, false);
  }

  /** node:dgram's bufferSize(): size 0 reads the size, anything else sets it. */
  #bufferSize(size: number, recv: boolean): number {
    if (size >>> 0 !== size) throw socketBadBufferSize();
    const syscall = recv ? 'uv_recv_buffer_size' : 'uv_send_buffer_size';
    const udp = this.#udp;
    if (!udp) throw socketBufferSize(errnoOf('EBADF'), syscall);
    try {
      if (size > 0) {
        if (recv) udp.setRecvBufferSize(size);
        else udp.setSendBufferSize(size);
        return size;
      }
      return recv ? udp.getRecvBufferSize() : udp.getSendBufferSize();
    } catch (err) {
      const errno = (err as { errno?: unknown }).errno;
      throw typeof errno === 'number' ? socketBufferSize(errno, syscall) : err;
    }
  }

  /**
   * Let the process exit while this socket only waits for datagrams, as `dgram.Socket#unref`:
   * its pending receive no longer keeps the process alive (a send in flight still does). Called
   * while binding, it applies once bound. Returns `this`.
   */
  unref(): this {
    this.#refed = false;
    this.#udp?.unref();
    return this;
  }

  /** Undo {@link unref}. Returns `this`. */
  ref(): this {
    this.#refed = true;
    this.#udp?.ref();
    return this;
  }

  /** False after {@link unref} (until {@link ref}). */
  get refed(): boolean {
    return this.#refed;
  }

  // --- close --------------------------------------------------------------------------------

  /**
   * Close the socket: the receive in flight is cancelled, sends in flight complete or fail
   * (`send ECANCELED`), and `'close'` is emitted once the socket is closed (`callback` is a
   * `'close'` listener). While a bind is queueing sends, the close waits behind them, as in
   * node:dgram. Throws `ERR_SOCKET_DGRAM_NOT_RUNNING` if already closed.
   */
  close(callback?: () => void): this {
    if (typeof callback === 'function') this.on('close', callback);
    if (this.#queue !== undefined) {
      this.#queue.push({ run: () => this.close(), drop: () => {} });
      return this;
    }
    this.#healthCheck();
    this.#closed = true;
    const udp = this.#udp;
    this.#udp = null;
    const binding = this.#binding;
    this.#binding = null;
    const done = (): void => {
      this.emit('close');
    };
    // The bind in flight closes what it made itself (it sees #closed); wait for it so 'close'
    // means no fd and no op of this socket is left.
    void Promise.all([binding, udp?.close()]).then(done, done).catch(rethrowUncaught);
    return this;
  }

  /** Close and resolve once closed (nothing if already closed). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#closed) return;
    await new Promise<void>((resolve) => this.close(resolve));
  }

  // --- helpers ------------------------------------------------------------------------------

  #healthCheck(): void {
    if (this.#closed) throw dgramNotRunning();
  }

  /** The bound rentio socket; `<syscall> EBADF` before the bind completed, as node:dgram. */
  #handle(syscall: string): UdpSocket {
    this.#healthCheck();
    if (!this.#udp) throw errnoError(errnoOf('EBADF'), syscall);
    return this.#udp;
  }

  /** node:dgram's lookup: the loopback for '', an IP as is (no DNS), else `lookup` / `dns.lookup`. */
  #lookup(address: string, cb: (err: Error | null, ip: string) => void): void {
    const host = address || (this.type === 'udp4' ? '127.0.0.1' : '::1');
    const family = this.type === 'udp4' ? 4 : 6;
    if (this.#lookupFn) {
      this.#lookupFn(host, family, (err, ip) => cb(err, ip));
      return;
    }
    if (isIP(host)) {
      cb(null, host);
      return;
    }
    dns.lookup(host, family, (err, ip) => cb(err, ip));
  }

  /** Whether `ip` is of the socket's family (libuv refuses the other with EINVAL). */
  #familyFits(ip: string): boolean {
    return isIP(ip) === (this.type === 'udp4' ? 4 : 6);
  }

  /** Hold work until bound: run on 'listening', dropped on a bind error (as node:dgram's queue). */
  #enqueue(entry: Queued): void {
    if (this.#queue === undefined) {
      this.#queue = [];
      this.once(EventEmitter.errorMonitor, this.#onListenError);
      this.once('listening', this.#onListenSuccess);
    }
    this.#queue.push(entry);
  }

  #onListenSuccess = (): void => {
    this.removeListener(EventEmitter.errorMonitor, this.#onListenError);
    const queue = this.#queue ?? [];
    this.#queue = undefined;
    for (const entry of queue) entry.run();
  };

  #onListenError = (): void => {
    this.removeListener('listening', this.#onListenSuccess);
    const queue = this.#queue ?? [];
    this.#queue = undefined;
    for (const entry of queue) entry.drop();
  };

  /** Emit from a promise reaction: a throwing listener (or an unhandled 'error') is uncaught, as in Node. */
  #emitUncaught(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (err) {
      rethrowUncaught(err);
    }
  }
}

/** `options.recvBufferSize` / `sendBufferSize`: a uint32 or unset. */
function checkSize(size: unknown, name: string): number | undefined {
  if (size === undefined) return undefined;
  if (typeof size !== 'number') throw argType(name, 'of type number', size);
  if (!Number.isInteger(size)) throw outOfRange(name, 'an integer', size);
  if (size < 0 || size > 0xffffffff) throw outOfRange(name, '>= 0 && <= 4294967295', size);
  return size;
}

/**
 * Make a UDP socket, as `dgram.createSocket(type[, onMessage])` /
 * `dgram.createSocket(options[, onMessage])`, over rentio (`options.runtime`, else core's
 * default runtime). `onMessage` becomes a `'message'` listener.
 *
 * @example
 * ```ts
 * import { createSocket } from '@rentio/compat'
 * const sock = createSocket({ type: 'udp4', reuseAddr: true, runtime })
 * sock.on('message', (msg, rinfo) => console.log(`${rinfo.address}:${rinfo.port}`, msg))
 * sock.bind(5353, () => sock.addMembership('224.0.0.251'))
 * sock.send('hello', 9999, '127.0.0.1', (err, bytes) => { if (err) throw err })
 * ```
 */
export function createSocket(type: SocketType | SocketOptions, listener?: (msg: Buffer, rinfo: RemoteInfo) => void): Socket {
  return new Socket(type, listener);
}
