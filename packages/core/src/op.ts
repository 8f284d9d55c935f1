/**
 * The op: one kernel operation described once, driver-neutral, and its lifecycle written once.
 *
 * Core fills an `Op` (what to do, on which fd, with which owned memory) and hands it to the
 * driver; the driver interprets it — an SQE under `uring`, try-syscall/wait-readiness/retry under
 * `epoll` — and calls `op.complete(res)` exactly once with the syscall's result or `-errno`.
 * Everything else (settling the promise, the buffer handed back, errors, abort, bookkeeping) is
 * here.
 *
 * Adding an op touches three places, one hop each:
 * 1. here: its code in {@link OpCode} (with the fields it reads) and its syscall name in
 *    `SYSCALL` (what a Node-style error names);
 * 2. driver-uring's `src/ops.ts`: one entry (its `IORING_OP_*`, how it fills the SQE, and a libc
 *    fallback if the opcode is newer than the kernels rentio supports);
 * 3. driver-epoll's `src/ops.ts`: one entry (how it runs — readiness, file worker, at once,
 *    timer — and its syscall).
 * test/conformance/op-tables.test.mjs fails while a code lacks an entry in either driver.
 *
 * Lifecycle: PENDING → (CANCELLING) → DONE. CANCELLING means a cancel was asked for; the op still
 * waits for the driver's completion, which may carry a real result (the cancel came too late:
 * the result wins, bytes already moved are never dropped).
 * @module
 */
import { constants as osConstants } from 'node:os';
import { unwatch } from './signals.js';
import type { PoolMemory } from './buffer-pool.js';
import { AbortError, CredentialsChangedError, HandleClosedError, RuntimeClosedError, errnoException, type ErrnoContext } from './errors.js';

/** Operation codes. Each driver maps each code onto its kernel model. */
export const OpCode = {
  /** openat(AT_FDCWD, path, flags, mode) → fd. Fields: path (NUL-terminated), flags, mode. */
  OPENAT: 1,
  /** close(fd) → 0. */
  CLOSE: 2,
  /** read/pread(fd, buf+off, len, pos) on a file; pos -1 = current position → bytes. */
  READ: 3,
  /** write/pwrite(fd, buf+off, len, pos) on a file; pos -1 = current position → bytes. */
  WRITE: 4,
  /** writev/pwritev(fd, bufs (each whole), pos) → bytes. Files (pos) and sockets (pos -1). */
  WRITEV: 5,
  /** fsync(fd) → 0; flags = IORING_FSYNC_DATASYNC (1) for fdatasync. */
  FSYNC: 6,
  /** statx(fd, "", AT_EMPTY_PATH|flags, mask, buf) → 0; buf is a 256-byte struct statx. */
  STATX: 7,
  /** ftruncate(fd, pos) → 0. */
  FTRUNCATE: 8,
  /** socket(domain, type, protocol) → fd. Fields: domain, sockType, protocol. Driver adds NONBLOCK/CLOEXEC as it needs. */
  SOCKET: 9,
  /** bind(fd, addr, addrLen) → 0. */
  BIND: 10,
  /** listen(fd, backlog) → 0. */
  LISTEN: 11,
  /** accept4(fd, addr, &addrLen) → fd. addr is 132 bytes: sockaddr_storage then a socklen_t at byte 128. */
  ACCEPT: 12,
  /** connect(fd, addr, addrLen) → 0 (the driver finishes a nonblocking connect and reports SO_ERROR). */
  CONNECT: 13,
  /** recv(fd, buf+off, len, flags) → bytes; 0 is EOF. */
  RECV: 14,
  /** send(fd, buf+off, len, flags | MSG_NOSIGNAL) → bytes; may be short. */
  SEND: 15,
  /** shutdown(fd, how) → 0. */
  SHUTDOWN: 16,
  /** Complete after `ns` nanoseconds → 0. */
  TIMEOUT: 17,
  /**
   * sendmsg(fd, msghdr, flags | MSG_NOSIGNAL) → bytes. `addr` is one owned block core built:
   * the struct msghdr at byte 0, its iovec and the peer sockaddr after it, every pointer already
   * filled (see msghdr.ts). A driver passes `addr`'s address and nothing else.
   */
  SENDMSG: 18,
  /**
   * recvmsg(fd, msghdr, flags) → bytes. `addr` as for SENDMSG; the kernel writes msg_namelen,
   * msg_flags (MSG_TRUNC) and the peer sockaddr back into it, which core reads after completion.
   */
  RECVMSG: 19,
  /** fchmodat(AT_FDCWD, path, mode, 0) → 0. Fields: path (NUL-terminated), mode. */
  CHMOD: 20,
  /** unlinkat(AT_FDCWD, path, 0) → 0. Fields: path (NUL-terminated). */
  UNLINK: 21,
  /**
   * Move up to `len` bytes of the file `fdIn`, from file offset `pos`, to the stream socket `fd`
   * → bytes moved (0: end of file); may be short. uring: IORING_OP_SPLICE through a pipe
   * (file → pipe → socket); epoll: sendfile(2) when the socket is writable.
   */
  SENDFILE: 40,
  /**
   * recv(fd, <a buffer of `pool`>, pool.size, flags) → bytes, with `op.bid` set by the driver to
   * the id of the pool buffer the bytes landed in; 0 is EOF (no buffer used); -ENOBUFS when the
   * pool had no free buffer (the bytes stay in the socket). The driver takes the buffer only
   * once the socket is readable (uring: the kernel picks it from the provided-buffer ring; epoll:
   * taken after readiness), so a read waiting on an idle socket holds none.
   */
  RECV_POOL: 30,
  /** Make `pool` usable by the driver (uring: register its provided-buffer ring) → 0. */
  POOL_REGISTER: 31,
  /** Forget `pool` (uring: unregister its ring) → 0. Core sends it once no read on the pool is in flight. */
  POOL_UNREGISTER: 32,
  /**
   * Receive up to `op.batch.length / 2` datagrams, each into its own buffer of `pool`, laid out as
   * io_uring's multishot RECVMSG lays one out (see udp-receive.ts): a 16-byte
   * `struct io_uring_recvmsg_out`, the sender's sockaddr in {@link DGRAM_NAMELEN} bytes, then the
   * payload → the number of datagrams (>= 1). The driver writes `(bid, bytes used in the buffer)`
   * pairs into `op.batch`. -ENOBUFS when the pool had no free buffer (the datagrams stay in the
   * socket). uring: a multishot IORING_OP_RECVMSG with a provided-buffer ring; epoll: recvmmsg(2)
   * on readiness. Op: a {@link DatagramBatchOp}.
   */
  RECVMSG_POOL: 60,
} as const;
/** One of {@link OpCode}'s values. */
export type OpCode = (typeof OpCode)[keyof typeof OpCode];

/** The syscall a Node-style error names for each op (as node:fs/node:net name them). */
export const SYSCALL: Readonly<Record<OpCode, string>> = {
  [OpCode.OPENAT]: 'open',
  [OpCode.CLOSE]: 'close',
  [OpCode.READ]: 'read',
  [OpCode.WRITE]: 'write',
  [OpCode.WRITEV]: 'writev',
  [OpCode.FSYNC]: 'fsync',
  [OpCode.STATX]: 'fstat',
  [OpCode.FTRUNCATE]: 'ftruncate',
  [OpCode.SOCKET]: 'socket',
  [OpCode.BIND]: 'bind',
  [OpCode.LISTEN]: 'listen',
  [OpCode.ACCEPT]: 'accept',
  [OpCode.CONNECT]: 'connect',
  [OpCode.RECV]: 'read',
  [OpCode.SEND]: 'write',
  [OpCode.SHUTDOWN]: 'shutdown',
  [OpCode.TIMEOUT]: 'timeout',
  [OpCode.SENDMSG]: 'send',
  [OpCode.RECVMSG]: 'recvmsg',
  [OpCode.CHMOD]: 'chmod',
  [OpCode.UNLINK]: 'unlink',
  [OpCode.SENDFILE]: 'sendfile',
  [OpCode.RECV_POOL]: 'read',
  [OpCode.POOL_REGISTER]: 'io_uring_register',
  [OpCode.POOL_UNREGISTER]: 'io_uring_register',
  [OpCode.RECVMSG_POOL]: 'recvmsg',
};
/** Name of an op code, for stats and messages. */
export const OP_NAME: Record<number, string> = Object.fromEntries(Object.entries(OpCode).map(([k, v]) => [v, k]));

export const ECANCELED = osConstants.errno.ECANCELED;
export const EINTR = osConstants.errno.EINTR;
export const EAGAIN = osConstants.errno.EAGAIN;
export const ETIMEDOUT = osConstants.errno.ETIMEDOUT;
/**
 * Not an errno: the result a driver completes an op with when it refused to submit it because
 * the process's uid/gid changed after the driver was made (uring). Rejects with
 * `CredentialsChangedError` (`ERR_RENTIO_CREDENTIALS_CHANGED`).
 */
export const RES_CREDENTIALS_CHANGED = -0x10000;

/** Why an op was cancelled. */
export const CancelCause = { NONE: 0, ABORT: 1, HANDLE_CLOSED: 2, RUNTIME_CLOSED: 3, TIMEOUT: 4 } as const;
type CancelCause = (typeof CancelCause)[keyof typeof CancelCause];

const PENDING = 1;
const CANCELLING = 2;
const DONE = 3;

/** How an op's result resolves its promise. */
export const Resolve = { RESULT: 0, RESULT_AND_BUF: 1, RESULT_AND_BUFS: 2 } as const;

/**
 * An op that waits for the peer (a read, an accept, a datagram receive): what an unref'd handle
 * lets the process exit with, as libuv's reading / listening handle state. A write, connect or
 * shutdown is a libuv *request*, which keeps the loop alive until done even on an unref'd handle:
 * those are never weak.
 */
export function waitsForPeer(code: OpCode): boolean {
  return code === OpCode.RECV || code === OpCode.RECV_POOL || code === OpCode.ACCEPT || code === OpCode.RECVMSG || code === OpCode.RECVMSG_POOL;
}

/** Who counts the ops in flight that do not keep the process alive (the engine). */
export interface WeakOpCount {
  /** @internal */ _weakOps: number;
}

/** Something that submits ops and counts them (the runtime). */
export interface OpSink {
  /** @internal */ _opDone(op: Op): void;
  /** @internal */ _cancel(op: Op): void;
}

/**
 * A list of the ops in flight on one owner (a handle, or the runtime for ops with no handle),
 * so closing the owner can cancel exactly its ops and wait for their completions. Intrusive:
 * linking an op allocates nothing. Every handle is one (`Handle extends OpList`): a separate list
 * object would cost each idle connection 64 bytes. Members are `_`-named and internal so they
 * stay out of the handles' public surface.
 */
export class OpList {
  /** @internal */ _head: Op | null = null;
  /** @internal */ _size = 0;
  /** Waiting for the list to empty; made by the first {@link _drained} (a handle's close), not per handle. */
  #drained: (() => void)[] | null = null;
  /** Set while this list's ops must not keep the process alive (an unref'd handle): counts them. */
  #weak: WeakOpCount | null = null;

  /** @internal What the owner is called in its ops' errors ('stream', 'file', ...). */
  get _what(): string {
    return 'handle';
  }

  /** @internal False while the list's ops are counted as weak (see {@link _setWeak}). */
  get _strong(): boolean {
    return this.#weak === null;
  }

  /**
   * Count this list's waiting ops — those in flight now and those linked later — in `counter`
   * (they do not keep the process alive), or, with null, stop counting them there. Only ops that
   * wait for the peer count (see {@link waitsForPeer}). @internal
   */
  _setWeak(counter: WeakOpCount | null): void {
    let n = 0;
    for (let op = this._head; op; op = op.next) if (waitsForPeer(op.code)) n++;
    if (this.#weak) this.#weak._weakOps -= n;
    this.#weak = counter;
    if (counter) counter._weakOps += n;
  }

  /** @internal */
  _link(op: Op): void {
    if (this.#weak && waitsForPeer(op.code)) this.#weak._weakOps++;
    op.owner = this;
    op.prev = null;
    op.next = this._head;
    if (this._head) this._head.prev = op;
    this._head = op;
    this._size++;
  }

  /** @internal */
  _unlink(op: Op): void {
    if (op.prev) op.prev.next = op.next;
    else this._head = op.next;
    if (op.next) op.next.prev = op.prev;
    // `op.owner` stays: a completed op still names the handle it ran on (a pooled read retries
    // on it after ENOBUFS), and the op is not linked again.
    op.prev = op.next = null;
    if (this.#weak && waitsForPeer(op.code)) this.#weak._weakOps--;
    if (--this._size === 0 && this.#drained?.length) for (const w of this.#drained.splice(0)) w();
  }

  /** Ask every op in the list to cancel; each still settles through its own completion. @internal */
  _cancelAll(cause: CancelCause): void {
    // A cancel may complete the op at once, which unlinks it: take `next` first.
    for (let op = this._head, next: Op | null; op; op = next) {
      next = op.next;
      op.cancel(cause);
    }
  }

  /** Resolves once the list is empty. @internal */
  _drained(): Promise<void> {
    if (this._size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#drained ??= []).push(resolve));
  }
}

/**
 * The {@link Op} fields few ops set: a path, an open mode, a TIMEOUT's duration, a deadline, an
 * AbortSignal and what cancelled the op. Kept apart because an op is what an idle connection pays for its
 * pending read: 8 bytes per field per op, for fields such an op never uses. @internal
 */
export class OpRare {
  path: Uint8Array | null = null;
  mode = 0;
  ns = 0;
  timeoutNs = 0;
  heapIndex = -1;
  cancelCause: CancelCause = CancelCause.NONE;
  signal: AbortSignal | null = null;
  abortReason: unknown = undefined;
}

/**
 * One kernel operation. Fields describe the syscall; the driver reads them and must not keep
 * the op after calling {@link Op.complete}. Owned memory (`buf`, `bufs`, `path`, `addr`) is
 * referenced from here until completion — INVARIANT: that is what keeps it alive while the kernel
 * may still use it.
 */
export class Op {
  // --- what to do (read by drivers) ---
  code: OpCode;
  fd = -1;
  buf: Uint8Array | null = null;
  off = 0;
  len = 0;
  bufs: Uint8Array[] | null = null;
  /** File offset; -1 = the file's current position (and always -1 for sockets). */
  pos = -1;
  /** open flags, statx flags, send/recv flags, fsync flags, shutdown `how`. */
  flags = 0;
  addr: Uint8Array | null = null;
  addrLen = 0;
  /** RECV_POOL, POOL_REGISTER, POOL_UNREGISTER: the buffer pool. */
  pool: PoolMemory | null = null;
  /** RECV_POOL: set by the driver before completing with bytes — the id of the pool buffer they are in. */
  bid = -1;
  /**
   * Driver-private: the op's slot in the driver's slab of ops in flight (uring: its slab slot and
   * user_data; epoll: its file-job id), -1 when it holds none. Core never reads it.
   */
  slot = -1;
  /** Set by the driver: the op is waiting (in the kernel, on readiness, in a pool) for `complete`. */
  res = 0;

  // --- lifecycle (core) ---
  state = PENDING;
  resolveAs: number = Resolve.RESULT;
  ctx: ErrnoContext | undefined = undefined;
  /** The list (a handle, or the runtime's) the op was started on; kept after completion. */
  owner: OpList | null = null;
  prev: Op | null = null;
  next: Op | null = null;
  sink: OpSink | null = null;
  /**
   * Settle the op's promise. INVARIANT: called as the op's methods (`this` is the op), so one
   * function can serve many ops (every pooled read) without a closure each.
   */
  resolve: (v: unknown) => void = noop;
  reject: (e: unknown) => void = noop;

  constructor(code: OpCode) {
    this.code = code;
  }

  /** @internal The fields few ops set, made by the first of them set (see {@link OpRare}). */
  _rare: OpRare | null = null;

  // The fields below live in `_rare`: an op that never sets them (an idle connection's pending
  // read) carries one pointer instead of eight fields. Setting a field to
  // its default makes no object.

  /** OPENAT, STATX, and other path ops: the NUL-terminated path. */
  get path(): Uint8Array | null {
    return this._rare?.path ?? null;
  }
  set path(v: Uint8Array | null) {
    if (v !== null || this._rare) rare(this).path = v;
  }
  /** open mode; statx mask; fchmodat mode (and SOCKET's domain, SENDFILE's source fd, below). */
  get mode(): number {
    return this._rare?.mode ?? 0;
  }
  set mode(v: number) {
    if (v !== 0 || this._rare) rare(this).mode = v;
  }
  /** TIMEOUT duration in nanoseconds. */
  get ns(): number {
    return this._rare?.ns ?? 0;
  }
  set ns(v: number) {
    if (v !== 0 || this._rare) rare(this).ns = v;
  }
  /**
   * The op's deadline (the `timeout` option), in nanoseconds from submission; 0 = none. uring
   * links an IORING_OP_LINK_TIMEOUT to the op's SQE; epoll puts the op in its timer heap. On
   * expiry the op rejects with ETIMEDOUT, unless it completed first (its result wins).
   */
  get timeoutNs(): number {
    return this._rare?.timeoutNs ?? 0;
  }
  set timeoutNs(v: number) {
    if (v !== 0 || this._rare) rare(this).timeoutNs = v;
  }
  /** Driver-private: the op's index in the driver's timer heap (epoll), -1 when not in it. Core never reads it. */
  get heapIndex(): number {
    return this._rare?.heapIndex ?? -1;
  }
  set heapIndex(v: number) {
    if (v !== -1 || this._rare) rare(this).heapIndex = v;
  }
  /** Why a cancel was asked for; NONE until then. */
  get cancelCause(): CancelCause {
    return this._rare?.cancelCause ?? CancelCause.NONE;
  }
  set cancelCause(v: CancelCause) {
    if (v !== CancelCause.NONE || this._rare) rare(this).cancelCause = v;
  }
  /** The AbortSignal the op listens to while pending. */
  get signal(): AbortSignal | null {
    return this._rare?.signal ?? null;
  }
  set signal(v: AbortSignal | null) {
    if (v !== null || this._rare) rare(this).signal = v;
  }
  /** The signal's reason, once it aborted the op. */
  get abortReason(): unknown {
    return this._rare?.abortReason;
  }
  set abortReason(v: unknown) {
    if (v !== undefined || this._rare) rare(this).abortReason = v;
  }

  // Fields of one op kind each, kept in a field that kind does not use: an op object is what a
  // pending read costs an idle connection, so every field
  // counts (8 bytes each). Drivers read and write them by these names.

  /** SOCKET: the address family (held in `mode`, unused by SOCKET). */
  get domain(): number {
    return this.mode;
  }
  set domain(v: number) {
    this.mode = v;
  }
  /** SOCKET: the socket type (held in `flags`, unused by SOCKET). */
  get sockType(): number {
    return this.flags;
  }
  set sockType(v: number) {
    this.flags = v;
  }
  /** SOCKET: the protocol (held in `len`, unused by SOCKET). */
  get protocol(): number {
    return this.len;
  }
  set protocol(v: number) {
    this.len = v;
  }
  /** LISTEN: the backlog (held in `len`, unused by LISTEN). */
  get backlog(): number {
    return this.len;
  }
  set backlog(v: number) {
    this.len = v;
  }
  /** SENDFILE: the file the bytes come from (held in `mode`, unused by SENDFILE). */
  get fdIn(): number {
    return this.mode;
  }
  set fdIn(v: number) {
    this.mode = v;
  }

  /** True until the op completed. */
  get pending(): boolean {
    return this.state !== DONE;
  }

  /** True once a cancel was asked for (the op may still complete with a real result). */
  get cancelling(): boolean {
    return this.state === CANCELLING;
  }

  /**
   * Ask for cancellation. Idempotent; a no-op once done. The op still settles only through
   * {@link Op.complete}: under a completion driver the kernel may be using the buffer until then.
   */
  cancel(cause: CancelCause): void {
    // A CLOSE is never cancelled: cancelled before it reached the kernel (a runtime closed while
    // a handle's close was queued), its fd would stay open for good — a listener would keep its
    // port and, in a SO_REUSEPORT group, keep taking connections nobody accepts.
    if (this.state !== PENDING || this.code === OpCode.CLOSE) return;
    this.state = CANCELLING;
    this.cancelCause = cause;
    this.sink?._cancel(this);
  }

  /**
   * The op's deadline passed and the kernel already cancelled it (uring: its LINK_TIMEOUT fired).
   * Like {@link Op.cancel} without asking the driver: the op's own completion still settles it,
   * as ETIMEDOUT if that carries -ECANCELED, with its result if the op had finished first.
   */
  expired(): void {
    if (this.state !== PENDING) return;
    this.state = CANCELLING;
    this.cancelCause = CancelCause.TIMEOUT;
  }

  /** `AbortSignal` listener (the op itself listens: no closure per op). @internal */
  handleEvent(): void {
    this.abortReason = this.signal?.reason;
    this.cancel(CancelCause.ABORT);
  }

  /**
   * Called by the driver, exactly once, with the syscall's result (>= 0) or `-errno`.
   * INVARIANT: after this the driver no longer touches `buf`/`bufs`/`addr`/`path`.
   */
  complete(res: number): void {
    if (this.state === DONE) {
      process.emitWarning(`rentio: ${OP_NAME[this.code]} completed twice (driver bug); second result ${res} ignored`, 'RentioWarning');
      return;
    }
    this.state = DONE;
    this.res = res;
    // Its owner names it in errors (an op keeps no name of its own: 8 bytes per pending read).
    const owner = this.owner;
    owner?._unlink(this);
    if (this.signal) {
      unwatch(this.signal, this);
      this.signal = null;
    }
    this.sink?._opDone(this);
    if (res >= 0) this.resolve(this.value(res));
    else this.reject(this.error(res, owner?._what ?? 'handle'));
  }

  /** What the op's promise resolves with. */
  protected value(res: number): unknown {
    switch (this.resolveAs) {
      case Resolve.RESULT_AND_BUF:
        return [res, this.buf];
      case Resolve.RESULT_AND_BUFS:
        return [res, this.bufs];
      default:
        return res;
    }
  }

  /** The error the op's promise rejects with. */
  protected error(res: number, what: string): Error & { buf?: Uint8Array; bufs?: Uint8Array[] } {
    let err: Error & { buf?: Uint8Array; bufs?: Uint8Array[] };
    if (this.cancelCause !== CancelCause.NONE && (res === -ECANCELED || res === -EINTR)) {
      if (this.cancelCause === CancelCause.ABORT) err = new AbortError(undefined, { cause: this.abortReason });
      else if (this.cancelCause === CancelCause.TIMEOUT) err = systemError(this, -ETIMEDOUT, what);
      else if (this.cancelCause === CancelCause.HANDLE_CLOSED) err = new HandleClosedError(what, true);
      else err = new RuntimeClosedError(true);
    } else if (res === RES_CREDENTIALS_CHANGED) {
      err = new CredentialsChangedError(
        "the process's uid/gid changed after the io_uring ring was made: the uring driver refuses to submit, since io_uring could run the operation with the ring creator's credentials",
      );
    } else {
      err = systemError(this, res, what);
    }
    if (this.buf) err.buf = this.buf;
    if (this.bufs) err.bufs = this.bufs;
    return err;
  }
}

// Module functions, not private methods: a class with a private method gives each instance a
// brand field (8 bytes), and an op is what an idle connection's pending read costs.

/** The op's {@link OpRare}, made on first use. */
function rare(op: Op): OpRare {
  return (op._rare ??= new OpRare());
}

/** A Node-style system error for `-errno`: socket ops as node:net's (`read ECONNRESET`), file ops as node:fs's. */
function systemError(op: Op, res: number, what: string): Error {
  const net = op.ctx?.address !== undefined || what === 'stream' || what === 'listener' || what === 'socket';
  return errnoException(res, SYSCALL[op.code] ?? 'unknown', op.ctx, net ? 'net' : 'fs');
}

function noop(): void {}

/**
 * Bytes of the sender's address in a pooled datagram's buffer: sizeof(struct sockaddr_in6), the
 * largest name a UDP socket hears from (the kernel writes the real length, at most this, in the
 * header's `namelen`).
 */
export const DGRAM_NAMELEN = 28;
/** sizeof(struct io_uring_recvmsg_out): `namelen, controllen, payloadlen, flags`, u32 each. */
export const RECVMSG_OUT_SIZE = 16;

/**
 * A RECVMSG_POOL op: `batch` holds `(bid, bytes used)` pairs the driver fills, one per datagram
 * the op completes with; its length / 2 is the most the op takes.
 */
export class DatagramBatchOp extends Op {
  readonly batch: Int32Array;
  constructor(max: number) {
    super(OpCode.RECVMSG_POOL);
    this.batch = new Int32Array(2 * max);
  }
}
