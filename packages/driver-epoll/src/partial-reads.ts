/**
 * File reads that a page-cache try (RWF_NOWAIT) read only part of: the rest goes to a file
 * thread, and the op completes with both parts. preadv2 with RWF_NOWAIT stops short where the
 * cached run ends (a page evicted, or one marked for readahead, which a nowait read may not
 * start) — a short read that a blocking pread of a regular file never returns before EOF, and
 * that io_uring's READ never shows either (it reads the rest itself). So under epoll a read
 * returns a short count only at EOF, as under uring and as Node's `fs` reads do.
 * @module
 */
import type { Op } from '@rentio/core/driver';

/** What an op read on the main thread, and its window as core filled it. */
interface Progress {
  read: number;
  off: number;
  len: number;
  pos: number;
}

export class PartialReads {
  /** Ops continued on a file thread: rare (a read over a cache boundary), so a map, no op field. */
  readonly #progress = new Map<Op, Progress>();

  /** True while `op` has read part of its window on the main thread. */
  has(op: Op): boolean {
    return this.#progress.has(op);
  }

  /**
   * `op` read `n` bytes (0 < n < op.len) of its window: its window now starts after them. A
   * position of -1 (the file's own) stays -1: the read moved the file's offset by `n`.
   */
  advance(op: Op, n: number): void {
    let p = this.#progress.get(op);
    if (p === undefined) this.#progress.set(op, (p = { read: 0, off: op.off, len: op.len, pos: op.pos }));
    p.read += n;
    op.off += n;
    op.len -= n;
    if (op.pos >= 0) op.pos += n;
  }

  /**
   * The result to complete `op` with, given its last part's `res`, and its window as core filled
   * it again. Bytes already read win over a later error or cancel (they are in the caller's
   * buffer, and the file's offset moved past them): the read reports them, and a next read
   * meets the error, as read(2) reports partial progress.
   */
  result(op: Op, res: number): number {
    const p = this.#progress.get(op);
    if (p === undefined) return res;
    this.#progress.delete(op);
    op.off = p.off;
    op.len = p.len;
    op.pos = p.pos;
    return res >= 0 ? p.read + res : p.read;
  }
}
