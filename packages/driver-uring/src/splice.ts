/**
 * SENDFILE under io_uring: file → pipe → socket with IORING_OP_SPLICE, zero user-space copies.
 * One SENDFILE op moves one chunk (at most a pipe's capacity): a FILL splice (file → pipe), then
 * DRAIN splices (pipe → socket) until the pipe is empty; the op then completes with the bytes the
 * socket took. Core's `sendFile` loops over chunks. The two steps are submitted in sequence, not
 * linked: a FILL that comes up short (end of file) would leave a linked DRAIN waiting forever for
 * bytes no one will write into the pipe.
 *
 * Pipes come from a per-driver pool and go back empty. A pipe left holding bytes (the socket
 * failed, or the op was cancelled, between FILL and the end of DRAIN) is closed instead: the next
 * op must never send another file's bytes. Core advances by the bytes the socket took, so nothing
 * the pipe dropped is skipped.
 * @module
 */
import { ECANCELED, errno, type Op } from '@rentio/core/driver';
import { F_SETPIPE_SZ, IORING_OP_SPLICE, O_CLOEXEC } from './constants.js';
import type { Libc } from './ffi.js';
import type { Slab } from './slab.js';
import { sqe } from './sqe.js';

/** slab.variant of a SENDFILE: its next SQE is the FILL (file → pipe) or a DRAIN (pipe → socket). */
export const SPLICE_FILL = 0;
export const SPLICE_DRAIN = 1;
/** Returned by {@link SpliceFlow.step}: submit the op's next splice instead of completing it (no errno is this large). */
export const RESUBMIT = -0x20000;
/** Pipe capacity asked for: 1 MiB, the default /proc/sys/fs/pipe-max-size; 64 KiB if refused. */
const PIPE_SIZE = 1 << 20;
const DEFAULT_PIPE_SIZE = 65536;

const flows = new WeakMap<Slab, SpliceFlow>();

/** The SpliceFlow of the driver owning `slab` (the op table's SENDFILE entry reaches it this way). */
export function spliceFlowOf(slab: Slab): SpliceFlow {
  return flows.get(slab)!;
}

/** The pipe pool and each SENDFILE op's progress, per slab slot. */
export class SpliceFlow {
  readonly #libc: Libc;
  /** Pipe pairs by index: read end, write end (-1 once closed), capacity. */
  readonly #r: number[] = [];
  readonly #w: number[] = [];
  readonly #cap: number[] = [];
  readonly #free: number[] = [];
  readonly #fds = new Int32Array(2);
  /** Per slot: pipe index held (-1 none), bytes in that pipe, bytes the socket took. */
  #pipe = new Int32Array(0);
  #inPipe = new Int32Array(0);
  #moved = new Int32Array(0);
  /** Pipes made, and pipes closed because they still held bytes. */
  pipesMade = 0;
  pipesDropped = 0;

  constructor(libc: Libc, slab: Slab) {
    this.#libc = libc;
    flows.set(slab, this);
  }

  /** A new SENDFILE op in `slot` (at submit): take a pipe, nothing moved yet. Returns 0, or -errno when no pipe can be made. */
  begin(slot: number, slab: Slab): number {
    if (slot >= this.#pipe.length) this.#grow(slab.ops.length);
    const p = this.#take();
    if (p < 0) return p;
    this.#pipe[slot] = p;
    this.#inPipe[slot] = 0;
    this.#moved[slot] = 0;
    slab.variant[slot] = SPLICE_FILL;
    return 0;
  }

  /** Fill the SQE of the op's next splice. */
  prep(w: Uint32Array, b: number, op: Op, slab: Slab, slot: number): void {
    const p = this.#pipe[slot]!;
    if (slab.variant[slot] === SPLICE_FILL) {
      const len = Math.min(op.len, this.#cap[p]!);
      // splice(fd_in = file at pos, off_in = addr; fd_out = pipe, off_out -1). pos -1 (all ones):
      // the file's own position.
      sqe(w, b, IORING_OP_SPLICE, this.#w[p]!, -1, 0, len, 0);
      setOffIn(w, b, op.pos);
      w[b + 11] = op.fdIn;
    } else {
      sqe(w, b, IORING_OP_SPLICE, op.fd, -1, 0, this.#inPipe[slot]!, 0);
      setOffIn(w, b, -1);
      w[b + 11] = this.#r[p]!;
    }
  }

  /** The op's splice completed with `res`: {@link RESUBMIT}, or the result to complete the op with. */
  step(slot: number, op: Op, res: number, slab: Slab): number {
    if (slab.variant[slot] === SPLICE_FILL) {
      // End of file (0) or an error: the pipe is still empty.
      if (res <= 0) return this.end(slot, res);
      this.#inPipe[slot] = res;
      slab.variant[slot] = SPLICE_DRAIN;
    } else {
      if (res < 0) return this.end(slot, this.#moved[slot]! > 0 ? this.#moved[slot]! : res);
      this.#moved[slot] = this.#moved[slot]! + res;
      this.#inPipe[slot] = this.#inPipe[slot]! - res;
      // A splice into a socket never takes 0 bytes of a non-empty pipe; should it, stop rather than spin.
      if (this.#inPipe[slot] === 0 || res === 0) return this.end(slot, this.#moved[slot]);
    }
    // Between steps a cancel has nothing in the kernel to aim at: it takes effect here.
    if (op.cancelling) return this.end(slot, this.#moved[slot]! > 0 ? this.#moved[slot]! : -ECANCELED);
    return RESUBMIT;
  }

  /** The op ends (completed, failed, or never submitted): its pipe goes back to the pool if empty, else is closed. Returns `res`. */
  end(slot: number, res: number): number {
    const p = this.#pipe[slot]!;
    if (p >= 0) {
      this.#pipe[slot] = -1;
      if (this.#inPipe[slot]! === 0) {
        this.#free.push(p);
      } else {
        this.#close(p);
        this.pipesDropped++;
      }
    }
    this.#inPipe[slot] = 0;
    return res;
  }

  /** Close every pipe (driver close: no SENDFILE is in flight by then). */
  close(): void {
    for (let p = 0; p < this.#r.length; p++) this.#close(p);
    this.#free.length = 0;
  }

  /** A pipe index, or -errno when pipe2 failed (EMFILE). */
  #take(): number {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    if (this.#libc.pipe2(this.#fds, O_CLOEXEC) < 0) return -errno();
    const r = this.#fds[0]!;
    const w = this.#fds[1]!;
    // A bigger pipe moves a bigger chunk per pair of splices; the default capacity if refused.
    const cap = this.#libc.fcntl(w, F_SETPIPE_SZ, 'int', PIPE_SIZE);
    this.#r.push(r);
    this.#w.push(w);
    this.#cap.push(cap > 0 ? cap : DEFAULT_PIPE_SIZE);
    this.pipesMade++;
    return this.#r.length - 1;
  }

  #close(p: number): void {
    if (this.#r[p]! < 0) return;
    this.#libc.close(this.#r[p]!);
    this.#libc.close(this.#w[p]!);
    this.#r[p] = this.#w[p] = -1;
  }

  #grow(size: number): void {
    const n = Math.max(size, 256);
    const pipe = new Int32Array(n);
    pipe.set(this.#pipe);
    this.#pipe = pipe;
    const inPipe = new Int32Array(n);
    inPipe.set(this.#inPipe);
    this.#inPipe = inPipe;
    const moved = new Int32Array(n);
    moved.set(this.#moved);
    this.#moved = moved;
  }
}

/** splice_off_in (the addr words): a file offset, or all ones (-1) for "no offset" (a pipe, or the file's position). */
function setOffIn(w: Uint32Array, b: number, pos: number): void {
  if (pos < 0) {
    w[b + 4] = 0xffffffff;
    w[b + 5] = 0xffffffff;
  } else {
    w[b + 4] = pos >>> 0;
    w[b + 5] = (pos / 4294967296) >>> 0;
  }
}
