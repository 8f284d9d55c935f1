/**
 * A UDP socket: datagrams sent and received with rented buffers (SENDMSG / RECVMSG ops, the
 * msghdr, iovec and peer address owned by the op), a connected mode, and the socket options
 * node:dgram offers, set synchronously.
 * @module
 */
import { readFileSync } from 'node:fs';
import { isIP, isIPv4 } from 'node:net';
import { lookup } from 'node:dns/promises';
import {
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPV6_ADD_MEMBERSHIP,
  IPV6_DROP_MEMBERSHIP,
  IPV6_MULTICAST_HOPS,
  IPV6_MULTICAST_IF,
  IPV6_MULTICAST_LOOP,
  IPV6_UNICAST_HOPS,
  IPV6_V6ONLY,
  IP_ADD_MEMBERSHIP,
  IP_DROP_MEMBERSHIP,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  IP_TTL,
  SOCK_DGRAM,
  SOL_SOCKET,
  SO_BROADCAST,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_SNDBUF,
} from './constants.js';
import {
  DgramIsConnectedError,
  DgramNotConnectedError,
  InvalidArgTypeError,
  InvalidArgValueError,
  PoolClosedError,
  errnoException,
  type ErrnoContext,
} from './errors.js';
import type { IoOptions } from './handle.js';
import { PooledHandle } from './pooled-handle.js';
import { MsgBlocks, MsgOp, type DatagramFrom } from './msghdr.js';
import { Op, OpCode } from './op.js';
import type { Runtime } from './runtime.js';
import { getsockoptInt, setsockoptBytes, setsockoptInt } from './sys/sockopt.js';
import { AF_INET, AF_INET6, decodeSockaddr, encodeSockaddr, type SocketAddressInfo } from './sockaddr.js';
import { checkBool, checkInt, checkOptions, checkPort, checkSignal } from './validate.js';
import type { BufferPool } from './buffer-pool.js';
import { DatagramIterator, DEFAULT_BATCH, MAX_BATCH, receiveBatch, SenderCache, type Datagram } from './udp-receive.js';

export type { DatagramFrom } from './msghdr.js';

/** Options of `bindUdp()`. */
export interface BindUdpOptions {
  /** `'udp4'` (AF_INET) or `'udp6'` (AF_INET6). */
  type: 'udp4' | 'udp6';
  /** Port to bind (0 = any free port). Default 0. */
  port?: number;
  /** Local address (or name) to bind. Default `'0.0.0.0'` (udp4) or `'::'` (udp6). */
  address?: string;
  /** SO_REUSEADDR. Default false. */
  reuseAddr?: boolean;
  /** SO_REUSEPORT: several sockets bound to one port share its datagrams. Default false. */
  reusePort?: boolean;
  /** udp6: IPV6_V6ONLY (no IPv4-mapped traffic). Default false. */
  ipv6Only?: boolean;
}

/** Options of {@link UdpSocket.send}. */
export interface UdpSendOptions extends Omit<IoOptions, 'position'> {
  /** Destination port (required unless the socket is connected, refused when it is). */
  port?: number;
  /** Destination IP address, numeric (required unless the socket is connected, refused when it is). */
  address?: string;
}

/** Options of {@link UdpSocket.recv}. */
export type UdpRecvOptions = Omit<IoOptions, 'position'>;

/** Options of {@link UdpSocket.recvBatch} and {@link UdpSocket.messages}. */
export interface UdpBatchOptions {
  /** The most datagrams one receive takes, 1..256. Default 64. */
  batch?: number;
  /** Cancel: a pending receive rejects with `AbortError` (unless its datagrams had arrived). */
  signal?: AbortSignal;
  /** recvBatch only: with no free pool buffer, reject with `ENOBUFS` instead of waiting for a release. */
  noWait?: boolean;
}

const EINVAL = -22;
const INADDR_ANY = '0.0.0.0';

/**
 * A UDP socket (from `bindUdp()`). `send` and `recv` rent their buffer like every rentio op;
 * `recv` resolves `[n, buf, from]` where `from.truncated` says the datagram did not fit the
 * window (MSG_TRUNC: `n` bytes were kept, the rest of that datagram is gone — size the window for
 * the largest datagram expected, 65,507 bytes for any UDP/IPv4 payload).
 *
 * A connected socket (`connect(port, address)`) sends without a destination, receives only from
 * its peer, and reports an ICMP port-unreachable from the peer as `ECONNREFUSED` on its next
 * send or recv (as Linux reports it).
 *
 * @example
 * ```ts
 * const a = await bindUdp({ type: 'udp4', address: '127.0.0.1' })
 * const b = await bindUdp({ type: 'udp4', address: '127.0.0.1' })
 * await a.send(own('ping'), { port: b.address().port, address: '127.0.0.1' })
 * const [n, buf, from] = await b.recv(alloc(1500))
 * console.log(Buffer.from(buf.subarray(0, n)).toString(), from.port === a.address().port)
 * ```
 */
export class UdpSocket extends PooledHandle {
  // A getter, not a field: the same for every socket, so no 8 bytes per handle for it.
  /** @internal */
  override get _what(): string {
    return 'socket';
  }
  readonly #family: number;
  readonly #blocks = new MsgBlocks();
  #local: SocketAddressInfo | null = null;
  #remote: SocketAddressInfo | null = null;
  #connecting = false;
  /** @internal the sender decoder of pooled receives */
  readonly _senders = new SenderCache();

  /** @internal made by bindUdp() */
  constructor(rt: Runtime, fd: number, family: number) {
    super(rt, fd);
    this.#family = family;
  }

  /** `'udp4'` or `'udp6'`. */
  get type(): 'udp4' | 'udp6' {
    return this.#family === AF_INET6 ? 'udp6' : 'udp4';
  }

  /**
   * Send one datagram: `buf` (or its window) to `{ port, address }`, or to the connected peer
   * (then both must be omitted). Resolves `[bytesSent, buf]`.
   */
  send(buf: Uint8Array, options?: UdpSendOptions): Promise<[number, Uint8Array]> {
    const opts = checkOptions<UdpSendOptions>(options);
    let address: string | undefined;
    let port: number | undefined;
    if (this.#remote || this.#connecting) {
      if (opts.port !== undefined || opts.address !== undefined) throw new DgramIsConnectedError();
    } else {
      port = checkPort(opts.port, false);
      address = opts.address;
      if (typeof address !== 'string') throw new InvalidArgTypeError('address', 'a string (the socket is not connected)', address);
      if (!isIP(address))
        throw new InvalidArgValueError('address', 'must be a numeric IP address (resolve names first, e.g. with dns.lookup)', address);
    }
    const a = this._rent(buf, opts, false);
    const ctx = address === undefined ? (this.#remote ?? undefined) : { address, port };
    const op = MsgOp.send(this.#blocks, a.owned, a.off, a.len, address, port, ctx);
    op.timeoutNs = a.timeoutNs;
    return this._start<[number, Uint8Array]>(op, a.signal);
  }

  /**
   * Receive one datagram into `buf` (or its window). Resolves `[bytesReceived, buf, from]`;
   * `from.truncated` is true when the datagram was longer than the window.
   */
  recv(buf: Uint8Array, options?: UdpRecvOptions): Promise<[number, Uint8Array, DatagramFrom]> {
    const a = this._rent(buf, options, false);
    const op = MsgOp.recv(this.#blocks, a.owned, a.off, a.len, this.#remote ?? undefined);
    op.timeoutNs = a.timeoutNs;
    return this._start<[number, Uint8Array, DatagramFrom]>(op, a.signal);
  }

  /**
   * Receive the datagrams waiting (at least one; at most `options.batch`), each in its own buffer
   * of `pool` as a {@link Datagram} lease (payload, sender, `truncated`). Under uring a multishot
   * RECVMSG keeps receiving into the pool's provided-buffer ring; under epoll one recvmmsg(2)
   * takes the batch. A datagram longer than `pool.size - DATAGRAM_HEADER_BYTES` (44) is cut and
   * flagged `truncated`. An empty pool waits for a release (the datagrams stay in the socket), or
   * rejects with `ENOBUFS` with `noWait`. `recv(buf)` is unchanged beside it.
   *
   * @example
   * ```ts
   * const pool = await rt.bufferPool({ size: 2048, count: 512 })
   * for (const d of await sock.recvBatch(pool)) {
   *   console.log(d.address, d.port, d.bytes.length)
   *   d.release()
   * }
   * ```
   */
  recvBatch(pool: BufferPool, options?: UdpBatchOptions): Promise<Datagram[]> {
    const [max, signal, noWait] = batchOptions(options);
    if (pool.closed) throw new PoolClosedError();
    return receiveBatch(this, pool, max, signal, noWait);
  }

  /**
   * The socket's datagrams as an async iterator, fetched {@link UdpSocket.recvBatch} a batch at a
   * time. The loop ends when the socket closes (even with a receive in flight); leaving it early
   * hands the datagrams fetched but not yet seen back to the pool.
   *
   * @example
   * ```ts
   * const pool = await rt.bufferPool({ size: 2048, count: 512 })
   * for await (const d of sock.messages(pool)) {
   *   using dg = d
   *   console.log(`${dg.address}:${dg.port}`, Buffer.from(dg.bytes).toString())
   * }
   * ```
   */
  messages(pool: BufferPool, options?: Omit<UdpBatchOptions, 'noWait'>): DatagramIterator {
    const [max, signal] = batchOptions(options);
    if (pool.closed) throw new PoolClosedError();
    this._check();
    return new DatagramIterator(this, pool, max, signal);
  }

  /**
   * Connect to `address:port` (default address: the loopback of the socket's family): sends go
   * there without naming it, and only its datagrams are received.
   */
  async connect(port: number, address?: string): Promise<void> {
    const p = checkPort(port, false);
    const addr = address ?? (this.#family === AF_INET6 ? '::1' : '127.0.0.1');
    if (typeof addr !== 'string') throw new InvalidArgTypeError('address', 'a string', addr);
    if (!isIP(addr)) throw new InvalidArgValueError('address', 'must be a numeric IP address (resolve names first, e.g. with dns.lookup)', addr);
    if (this.#remote || this.#connecting) throw new DgramIsConnectedError();
    this._check();
    const op = new Op(OpCode.CONNECT);
    op.addr = new Uint8Array(new ArrayBuffer(128));
    op.addrLen = encodeSockaddr(addr, p, op.addr);
    op.ctx = { address: addr, port: p };
    this.#connecting = true;
    try {
      await this._start<number>(op, null);
      this.#remote = decodeSockaddr(op.addr);
      // connect(2) binds an unbound socket: ask the kernel again.
      this.#local = null;
    } finally {
      this.#connecting = false;
    }
  }

  /**
   * Dissolve the association made by {@link UdpSocket.connect} (connect(2) with AF_UNSPEC).
   * Linux then also unbinds a port it picked itself (the socket was bound to port 0): `address()`
   * reports port 0, as node:dgram does, until the next send binds a new one.
   */
  disconnect(): Promise<void> {
    if (!this.#remote) throw new DgramNotConnectedError();
    this._check();
    const op = new Op(OpCode.CONNECT);
    // struct sockaddr { sa_family_t sa_family = AF_UNSPEC (0); ... }: the kernel disconnects.
    op.addr = new Uint8Array(new ArrayBuffer(16));
    op.addrLen = 16;
    this.#remote = null;
    return this._start<number>(op, null).then(() => {
      this.#local = null;
    });
  }

  /** The connected peer's `{ address, family, port }`; throws `ERR_RENTIO_DGRAM_NOT_CONNECTED` when not connected. */
  remoteAddress(): SocketAddressInfo {
    if (!this.#remote) throw new DgramNotConnectedError();
    return { ...this.#remote };
  }

  /** `{ address, family, port }` the socket is bound to. */
  address(): SocketAddressInfo {
    if (!this.#local) {
      this._check();
      const raw = this._rt._sockname(this.fd, false);
      if (!raw) throw errnoException(-9 /* EBADF */, 'getsockname', undefined, 'net');
      const local = decodeSockaddr(raw);
      // Port 0: not bound yet (after a disconnect); the next send binds one, so ask again then.
      if (local.port === 0) return local;
      this.#local = local;
    }
    return { ...this.#local };
  }

  /** SO_BROADCAST: allow sending to broadcast addresses. */
  setBroadcast(flag: boolean): void {
    this.#opt(SOL_SOCKET, SO_BROADCAST, checkBool('flag', flag) ? 1 : 0, 'setBroadcast');
  }

  /** IP_TTL / IPV6_UNICAST_HOPS: hop limit of unicast datagrams, 1..255. */
  setTTL(ttl: number): void {
    this.#hops(ttl, 1, this.#family === AF_INET6 ? IPV6_UNICAST_HOPS : IP_TTL, 'setTTL');
  }

  /** IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS: hop limit of multicast datagrams, 0..255. */
  setMulticastTTL(ttl: number): void {
    this.#hops(ttl, 0, this.#family === AF_INET6 ? IPV6_MULTICAST_HOPS : IP_MULTICAST_TTL, 'setMulticastTTL');
  }

  /** IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP: receive our own multicast datagrams. */
  setMulticastLoopback(flag: boolean): void {
    const v = checkBool('flag', flag) ? 1 : 0;
    if (this.#family === AF_INET6) this.#opt(IPPROTO_IPV6, IPV6_MULTICAST_LOOP, v, 'setMulticastLoopback');
    else this.#opt(IPPROTO_IP, IP_MULTICAST_LOOP, v, 'setMulticastLoopback');
  }

  /**
   * The interface outgoing multicast uses: an IPv4 address of the interface (udp4), or `'::%eth0'`
   * / `'::%2'` naming it by scope (udp6).
   */
  setMulticastInterface(interfaceAddress: string): void {
    if (typeof interfaceAddress !== 'string') throw new InvalidArgTypeError('interfaceAddress', 'a string', interfaceAddress);
    if (this.#family === AF_INET6) {
      this.#opt(IPPROTO_IPV6, IPV6_MULTICAST_IF, scopeIndex(interfaceAddress, 'setMulticastInterface'), 'setMulticastInterface');
    } else {
      if (!isIPv4(interfaceAddress)) throw errnoException(EINVAL, 'setMulticastInterface', undefined, 'net');
      this.#opt(IPPROTO_IP, IP_MULTICAST_IF, ipv4Bytes(interfaceAddress), 'setMulticastInterface');
    }
  }

  /** Join a multicast group (IP_ADD_MEMBERSHIP / IPV6_ADD_MEMBERSHIP), optionally on one interface. */
  addMembership(multicastAddress: string, interfaceAddress?: string): void {
    this.#membership(multicastAddress, interfaceAddress, true);
  }

  /** Leave a multicast group. */
  dropMembership(multicastAddress: string, interfaceAddress?: string): void {
    this.#membership(multicastAddress, interfaceAddress, false);
  }

  /** SO_RCVBUF (the kernel doubles it and applies rmem_max; read it back with {@link UdpSocket.getRecvBufferSize}). */
  setRecvBufferSize(size: number): void {
    this.#opt(SOL_SOCKET, SO_RCVBUF, checkInt('size', size, 1, 2 ** 31 - 1), 'setRecvBufferSize');
  }

  /** SO_SNDBUF. */
  setSendBufferSize(size: number): void {
    this.#opt(SOL_SOCKET, SO_SNDBUF, checkInt('size', size, 1, 2 ** 31 - 1), 'setSendBufferSize');
  }

  /** SO_RCVBUF as the kernel reports it. */
  getRecvBufferSize(): number {
    return this.#get(SOL_SOCKET, SO_RCVBUF, 'getRecvBufferSize');
  }

  /** SO_SNDBUF as the kernel reports it. */
  getSendBufferSize(): number {
    return this.#get(SOL_SOCKET, SO_SNDBUF, 'getSendBufferSize');
  }

  /** Bind this fresh socket. @internal */
  async _bind(address: string, port: number): Promise<void> {
    const op = new Op(OpCode.BIND);
    op.addr = new Uint8Array(new ArrayBuffer(128));
    op.addrLen = encodeSockaddr(address, port, op.addr);
    op.ctx = { address, port };
    await this._start<number>(op, null);
  }

  /** setsockopt with node:dgram's error shape (`setTTL EINVAL`). @internal */
  _setopt(level: number, name: number, value: number | Uint8Array, syscall: string): void {
    this.#opt(level, name, value, syscall);
  }

  #opt(level: number, name: number, value: number | Uint8Array, syscall: string): void {
    this._check();
    const r = typeof value === 'number' ? setsockoptInt(this.fd, level, name, value) : setsockoptBytes(this.fd, level, name, value);
    if (r < 0) throw errnoException(r, syscall, undefined, 'net');
  }

  #get(level: number, name: number, syscall: string): number {
    this._check();
    const r = getsockoptInt(this.fd, level, name);
    if (r < 0) throw errnoException(r, syscall, undefined, 'net');
    return r;
  }

  #hops(ttl: unknown, min: number, name: number, syscall: string): void {
    if (typeof ttl !== 'number') throw new InvalidArgTypeError('ttl', 'of type number', ttl);
    // libuv range-checks before the kernel (whose IPv6 hop limits also take -1 and 0).
    if (!Number.isInteger(ttl) || ttl < min || ttl > 255) throw errnoException(EINVAL, syscall, undefined, 'net');
    this.#opt(this.#family === AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP, name, ttl, syscall);
  }

  #membership(group: unknown, iface: unknown, add: boolean): void {
    const syscall = add ? 'addMembership' : 'dropMembership';
    if (typeof group !== 'string') throw new InvalidArgTypeError('multicastAddress', 'a string', group);
    if (iface !== undefined && typeof iface !== 'string') throw new InvalidArgTypeError('interfaceAddress', 'a string', iface);
    if (this.#family === AF_INET6) {
      // struct ipv6_mreq { struct in6_addr ipv6mr_multiaddr; unsigned int ipv6mr_interface; }
      if (isIP(group) !== 6) throw errnoException(EINVAL, syscall, undefined, 'net');
      const mreq = new Uint8Array(new ArrayBuffer(20));
      const sa = new Uint8Array(new ArrayBuffer(28));
      encodeSockaddr(group, 0, sa);
      mreq.set(sa.subarray(8, 24), 0);
      new DataView(mreq.buffer).setUint32(16, iface === undefined ? 0 : scopeIndex(iface, syscall), true);
      this.#opt(IPPROTO_IPV6, add ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, mreq, syscall);
    } else {
      // struct ip_mreq { struct in_addr imr_multiaddr; struct in_addr imr_interface; }
      if (!isIPv4(group) || (iface !== undefined && !isIPv4(iface))) throw errnoException(EINVAL, syscall, undefined, 'net');
      const mreq = new Uint8Array(new ArrayBuffer(8));
      mreq.set(ipv4Bytes(group), 0);
      mreq.set(ipv4Bytes(iface ?? INADDR_ANY), 4);
      this.#opt(IPPROTO_IP, add ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, mreq, syscall);
    }
  }
}

function batchOptions(options: UdpBatchOptions | undefined): [number, AbortSignal | null, boolean] {
  const opts = checkOptions<UdpBatchOptions>(options);
  return [checkInt('batch', opts.batch ?? DEFAULT_BATCH, 1, MAX_BATCH), checkSignal(opts.signal), checkBool('noWait', opts.noWait ?? false)];
}

/** `struct in_addr` bytes (network order) of a dotted quad. */
function ipv4Bytes(address: string): Uint8Array {
  const out = new Uint8Array(new ArrayBuffer(4));
  out.set(address.split('.').map(Number));
  return out;
}

/**
 * The interface index an IPv6 interface address names by its scope: `'::%2'` or `'::%eth0'`
 * (the name's index as the kernel lists it in /sys/class/net, what if_nametoindex(3) returns).
 */
function scopeIndex(address: string, syscall: string): number {
  const pct = address.indexOf('%');
  if (pct < 0) return 0;
  const scope = address.slice(pct + 1);
  if (/^\d+$/.test(scope)) return Number(scope);
  if (!/^[\w.-]+$/.test(scope)) throw errnoException(EINVAL, syscall, undefined, 'net');
  try {
    return Number(readFileSync(`/sys/class/net/${scope}/ifindex`, 'utf8').trim());
  } catch {
    throw errnoException(-19 /* ENODEV */, syscall, undefined, 'net');
  }
}

/** bindUdp(options). @internal */
export async function bindUdp(rt: Runtime, options: BindUdpOptions): Promise<UdpSocket> {
  const opts = checkOptions<BindUdpOptions>(options);
  if (opts.type !== 'udp4' && opts.type !== 'udp6') throw new InvalidArgValueError('type', "must be 'udp4' or 'udp6'", opts.type);
  const family = opts.type === 'udp6' ? AF_INET6 : AF_INET;
  const port = checkPort(opts.port ?? 0, true);
  const reuseAddr = checkBool('reuseAddr', opts.reuseAddr ?? false);
  const reusePort = checkBool('reusePort', opts.reusePort ?? false);
  const ipv6Only = checkBool('ipv6Only', opts.ipv6Only ?? false);
  let address = opts.address ?? (family === AF_INET6 ? '::' : INADDR_ANY);
  if (typeof address !== 'string') throw new InvalidArgTypeError('address', 'a string', address);
  if (!isIP(address)) address = (await lookup(address, { family: family === AF_INET6 ? 6 : 4 })).address;
  const ctx: ErrnoContext = { address, port };
  const sock = new Op(OpCode.SOCKET);
  sock.domain = family;
  sock.sockType = SOCK_DGRAM;
  sock.ctx = ctx;
  const fd = await rt._start<number>(sock, rt._loose, null);
  const s = new UdpSocket(rt, fd, family);
  try {
    if (reuseAddr) s._setopt(SOL_SOCKET, SO_REUSEADDR, 1, 'bind');
    if (reusePort) s._setopt(SOL_SOCKET, SO_REUSEPORT, 1, 'bind');
    if (family === AF_INET6) s._setopt(IPPROTO_IPV6, IPV6_V6ONLY, ipv6Only ? 1 : 0, 'bind');
    await s._bind(address, port);
    return s;
  } catch (err) {
    await s.close().catch(() => {});
    throw err;
  }
}
