/**
 * Readiness registry: per fd, the ops waiting for it to turn readable and writable, in order.
 * An fd is registered (edge-triggered, EPOLLIN|EPOLLOUT|EPOLLRDHUP) the first time an op on it
 * gets EAGAIN, and stays registered until it is closed.
 *
 * Readiness is cached per fd, as tokio does: a read is tried at once unless the fd is known to be
 * drained — the last read got EAGAIN or fewer bytes than it asked for. Edge-triggered makes that
 * safe: every arrival after the drain posts a new event, which marks the fd readable again. EOF
 * and errors are sticky (no further edge follows a FIN), so a hung-up fd is always tried.
 * @module
 */
import { FdMap, OpCode, type Op } from '@rentio/core/driver';
import { EAGAIN, EPOLLERR, EPOLLET, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLRDHUP } from './constants.js';
import type { Selector } from './selector.js';

const READABLE = EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
const WRITABLE = EPOLLOUT | EPOLLHUP | EPOLLERR;
const HUNG_UP = EPOLLRDHUP | EPOLLHUP | EPOLLERR;

/**
 * The ops waiting on one fd, per direction, in order: the first in a field, the ones behind it
 * (rare: two reads or writes at once on one fd) in an array made only then. An idle socket's one
 * waiting read costs no array (an array grown by one push holds 17 slots: ~190 B per socket).
 */
class Interest {
  reader: Op | null = null;
  moreReaders: Op[] | null = null;
  writer: Op | null = null;
  moreWriters: Op[] | null = null;
  /** False once a read drained the fd; set again by the next readable edge. */
  readable = false;
  /** The peer hung up or the fd has an error: reads never wait again. */
  hungUp = false;

  push(op: Op, write: boolean): void {
    if (write) {
      if (this.writer === null) this.writer = op;
      else (this.moreWriters ??= []).push(op);
    } else if (this.reader === null) this.reader = op;
    else (this.moreReaders ??= []).push(op);
  }

  /** Drop the first waiter of a direction; the next one moves up. */
  shift(write: boolean): void {
    if (write) this.writer = this.moreWriters?.shift() ?? null;
    else this.reader = this.moreReaders?.shift() ?? null;
  }

  /** Take `op` out wherever it waits. True when it was waiting. */
  remove(op: Op): boolean {
    if (this.reader === op) this.shift(false);
    else if (this.writer === op) this.shift(true);
    else if (!cut(this.moreReaders, op) && !cut(this.moreWriters, op)) return false;
    return true;
  }
}

function cut(q: Op[] | null, op: Op): boolean {
  const i = q ? q.indexOf(op) : -1;
  if (i < 0) return false;
  q!.splice(i, 1);
  return true;
}

/**
 * A read that got fewer bytes than it asked for drained the fd (stream sockets, pipes, ttys). A
 * pooled read asks for a whole pool buffer: without this rule every pooled read after a short one
 * would be one recv(2) that only says EAGAIN (one per HTTP request, measured).
 */
function drainedBy(op: Op, res: number): boolean {
  if (res === -EAGAIN) return true;
  if (res <= 0) return false;
  if (op.code === OpCode.RECV || op.code === OpCode.READ) return res < op.len;
  return op.code === OpCode.RECV_POOL && res < op.pool!.size;
}

/** Retry an op's syscall: its result, or -EAGAIN to keep waiting. */
export type Attempt = (op: Op) => number;

export class Registry {
  #interests = new FdMap<Interest>();
  #selector: Selector;
  #attempt: Attempt;
  #complete: (op: Op, res: number) => void;
  /** Ops waiting for readiness now. */
  waiting = 0;

  constructor(selector: Selector, attempt: Attempt, complete: (op: Op, res: number) => void) {
    this.#selector = selector;
    this.#attempt = attempt;
    this.#complete = complete;
  }

  /** Park `op` until its fd is readable (`write` false) or writable. Returns 0 or -errno. */
  wait(op: Op, write: boolean): number {
    let interest = this.#interests.get(op.fd);
    if (!interest) {
      const r = this.#selector.add(op.fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
      if (r < 0) return r;
      interest = new Interest();
      this.#interests.set(op.fd, interest);
    }
    interest.push(op, write);
    this.waiting++;
    return 0;
  }

  /** False when the fd is known to be drained: a read would get EAGAIN, so wait without trying. */
  mayRead(fd: number): boolean {
    const interest = this.#interests.get(fd);
    return !interest || interest.readable || interest.hungUp;
  }

  /** Note a read's result: one that drained the fd makes the next read wait for an edge. */
  read(op: Op, res: number): void {
    if (!drainedBy(op, res)) return;
    const interest = this.#interests.get(op.fd);
    if (interest) interest.readable = false;
  }

  /** The fd's readiness changed: retry its waiting ops in order until one would block. */
  ready(fd: number, events: number): void {
    const interest = this.#interests.get(fd);
    if (!interest) return;
    if (events & READABLE) {
      interest.readable = true;
      if (events & HUNG_UP) interest.hungUp = true;
      this.#retry(interest, false);
    }
    if (events & WRITABLE) this.#retry(interest, true);
  }

  /** Take a waiting op out (cancellation). True when it was waiting. */
  remove(op: Op): boolean {
    const interest = this.#interests.get(op.fd);
    if (!interest?.remove(op)) return false;
    this.waiting--;
    return true;
  }

  /**
   * Forget `fd` before it is closed. INVARIANT: dropped before close(2), so a number reused by
   * the next socket starts with no stale interest.
   */
  drop(fd: number): void {
    if (this.#interests.delete(fd)) this.#selector.delete(fd);
  }

  #retry(interest: Interest, write: boolean): void {
    for (let op = write ? interest.writer : interest.reader; op !== null; op = write ? interest.writer : interest.reader) {
      const res = this.#attempt(op);
      if (!write && drainedBy(op, res)) interest.readable = false;
      if (res === -EAGAIN) return;
      interest.shift(write);
      this.waiting--;
      this.#complete(op, res);
    }
  }
}
