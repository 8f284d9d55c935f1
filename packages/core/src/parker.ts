/**
 * The parker: how a driver waits inside Node's own event loop.
 *
 * Node's loop (libuv) watches the driver's fd — the epoll fd, the ring fd, or an eventfd — through
 * koffi's `uv_poll_t` binding and calls back when it turns readable. The handle is referenced
 * while ops are in flight (a pending op keeps the process alive, as a socket does) and
 * unreferenced when none are (the process exits as soon as nothing is pending).
 *
 * `koffi.node.poll` exists since koffi 2.15 but is undocumented: koffi's version is pinned
 * exactly, and this is the only file that calls it.
 * @module
 */
import koffi from 'koffi';

interface PollHandle {
  start(opts: { readable: boolean }, cb: () => void): void;
  stop(): void;
  close(): void;
  ref(): void;
  unref(): void;
}

/** Watches one fd from Node's loop. */
export class Parker {
  // INVARIANT: the handle stays referenced from JS for the parker's life, or koffi may collect it.
  #handle: PollHandle | null;
  #busy = false;
  /** Times the fd turned readable and the driver was called. */
  wakeups = 0;

  /** Start watching `fd`; `onReadable` runs on Node's main thread each time it is readable. */
  constructor(fd: number, onReadable: () => void) {
    const handle = (koffi as unknown as { node: { poll(fd: number, o: { readable: boolean }, cb: () => void): PollHandle } })
      .node.poll(fd, { readable: true }, () => {
        this.wakeups++;
        onReadable();
      });
    // A poll handle starts unreferenced; it is referenced only while busy.
    handle.unref();
    this.#handle = handle;
  }

  /** Keep the process alive (busy) or let it exit (idle). Cheap to call often. */
  busy(busy: boolean): void {
    if (busy === this.#busy || !this.#handle) return;
    this.#busy = busy;
    if (busy) this.#handle.ref();
    else this.#handle.unref();
  }

  /** Stop watching and free the handle. */
  close(): void {
    if (!this.#handle) return;
    this.#handle.stop();
    this.#handle.close();
    this.#handle = null;
  }
}
