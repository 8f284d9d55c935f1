/**
 * One epoll instance: each method is one syscall (epoll_create1, epoll_ctl, epoll_wait), in the
 * manner of mio's selector. Registrations are edge-triggered with the fd number as the token.
 * @module
 */
import { EPOLL_CLOEXEC, EPOLL_CTL_ADD, EPOLL_CTL_DEL } from './constants.js';
import * as ffi from './ffi.js';
import { abiFor, errnoException } from '@rentio/core/driver';

// struct epoll_event differs by architecture (packed on x86-64 only); index.ts refused to open
// on an architecture whose layout is not stated, so this does not throw.
const EVENT = abiFor('epoll').epollEvent;

const MAX_EVENTS = 256;

export class Selector {
  readonly fd: number;
  /** Syscalls made (kernel entries), for stats. */
  syscalls = 0;
  // One event array for the selector's life: epoll_wait writes into it, no allocation per wait.
  readonly #events = new Uint8Array(new ArrayBuffer(MAX_EVENTS * EVENT.size));
  readonly #view = new DataView(this.#events.buffer);
  readonly #ctl = new Uint8Array(new ArrayBuffer(EVENT.size));
  readonly #ctlView = new DataView(this.#ctl.buffer);

  constructor() {
    const fd = ffi.epoll_create1(EPOLL_CLOEXEC);
    this.syscalls++;
    if (fd < 0) throw errnoException(ffi.errno(), 'epoll_create1');
    // SAFETY: epoll_create1(2) returned a valid fd that this selector owns until close().
    this.fd = fd;
  }

  /** Register `fd` for `events`, token = fd. Returns 0 or -errno. */
  add(fd: number, events: number): number {
    return this.#ctlOp(EPOLL_CTL_ADD, fd, events);
  }

  /** Drop `fd`. Returns 0 or -errno. */
  delete(fd: number): number {
    return this.#ctlOp(EPOLL_CTL_DEL, fd, 0);
  }

  /**
   * Collect ready events without blocking (Node's loop already told us the fd is readable) and
   * call `dispatch(token, events)` for each. Returns how many there were.
   */
  poll(dispatch: (token: number, events: number) => void): number {
    const n = ffi.epoll_wait(this.fd, this.#events, MAX_EVENTS, 0);
    this.syscalls++;
    for (let i = 0; i < n; i++) {
      const base = i * EVENT.size;
      // The token is the fd: the low 32 bits of the u64 data (little-endian).
      dispatch(this.#view.getUint32(base + EVENT.data, true), this.#view.getUint32(base + EVENT.events, true));
    }
    return n < 0 ? 0 : n;
  }

  /** True when a full batch was returned, so more may be waiting. */
  static full(n: number): boolean {
    return n === MAX_EVENTS;
  }

  close(): void {
    ffi.close(this.fd);
    this.syscalls++;
  }

  #ctlOp(op: number, fd: number, events: number): number {
    this.#ctl.fill(0);
    this.#ctlView.setUint32(EVENT.events, events >>> 0, true);
    this.#ctlView.setUint32(EVENT.data, fd, true);
    this.syscalls++;
    return ffi.epoll_ctl(this.fd, op, fd, this.#ctl) < 0 ? -ffi.errno() : 0;
  }
}
