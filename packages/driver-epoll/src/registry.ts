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
import { OpCode, type Op } from '@rentio/core/driver';
import { EAGAIN, EPOLLERR, EPOLLET, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLRDHUP } from './constants.js';
import type { Selector } from './selector.js';

const READABLE = EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
const WRITABLE = EPOLLOUT | EPOLLHUP | EPOLLERR;
const HUNG_UP = EPOLLRDHUP | EPOLLHUP | EPOLLERR;

class Interest {
  readers: Op[] = [];
  writers: Op[] = [];
  /** False once a read drained the fd; set again by the next readable edge. */
  readable = false;
  /** The peer hung up or the fd has an error: reads never wait again. */
  hungUp = false;
}

/** A read that got fewer bytes than it asked for drained the fd (stream sockets, pipes, ttys). */
function drainedBy(op: Op, res: number): boolean {
  return res === -EAGAIN || (res > 0 && res < op.len && (op.code === OpCode.RECV || op.code === OpCode.READ));
}

/** Retry an op's syscall: its result, or -EAGAIN to keep waiting. */
export type Attempt = (op: Op) => number;

export class Registry {
  #interests = new Map<number, Interest>();
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
    (write ? interest.writers : interest.readers).push(op);
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
      this.#retry(interest, interest.readers);
    }
    if (events & WRITABLE) this.#retry(interest, interest.writers);
  }

  /** Take a waiting op out (cancellation). True when it was waiting. */
  remove(op: Op): boolean {
    const interest = this.#interests.get(op.fd);
    if (!interest) return false;
    for (const q of [interest.readers, interest.writers]) {
      const i = q.indexOf(op);
      if (i >= 0) {
        q.splice(i, 1);
        this.waiting--;
        return true;
      }
    }
    return false;
  }

  /**
   * Forget `fd` before it is closed. INVARIANT: dropped before close(2), so a number reused by
   * the next socket starts with no stale interest.
   */
  drop(fd: number): void {
    if (this.#interests.delete(fd)) this.#selector.delete(fd);
  }

  #retry(interest: Interest, queue: Op[]): void {
    while (queue.length) {
      const op = queue[0]!; // non-empty: checked by the loop
      const res = this.#attempt(op);
      if (queue === interest.readers && drainedBy(op, res)) interest.readable = false;
      if (res === -EAGAIN) return;
      queue.shift();
      this.waiting--;
      this.#complete(op, res);
    }
  }
}
