/**
 * Readiness registry: per fd, the ops waiting for it to turn readable and writable, in order.
 * An fd is registered (edge-triggered, EPOLLIN|EPOLLOUT|EPOLLRDHUP) the first time an op on it
 * gets EAGAIN, and stays registered until it is closed. Edge-triggered is safe because an op
 * always tries its syscall before it waits: readiness that arrived earlier is never lost.
 * @module
 */
import type { Op } from '@rentio/core/driver';
import { EAGAIN, EPOLLERR, EPOLLET, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLRDHUP } from './constants.js';
import type { Selector } from './selector.js';

const READABLE = EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
const WRITABLE = EPOLLOUT | EPOLLHUP | EPOLLERR;

class Interest {
  readers: Op[] = [];
  writers: Op[] = [];
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

  /** The fd's readiness changed: retry its waiting ops in order until one would block. */
  ready(fd: number, events: number): void {
    const interest = this.#interests.get(fd);
    if (!interest) return;
    if (events & READABLE) this.#retry(interest.readers);
    if (events & WRITABLE) this.#retry(interest.writers);
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

  #retry(queue: Op[]): void {
    while (queue.length) {
      const op = queue[0]!;
      const res = this.#attempt(op);
      if (res === -EAGAIN) return;
      queue.shift();
      this.waiting--;
      this.#complete(op, res);
    }
  }
}
