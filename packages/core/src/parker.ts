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

/**
 * Parkers not yet closed. koffi 3.3.4's poll handles do not close themselves when their
 * environment ends: one still open when a worker_threads worker ends makes libuv call koffi's close
 * callback after the worker unloaded koffi (a segfault), and one whose fd is readable at exit
 * calls into an environment that can no longer run JS (an abort). So every open parker is closed
 * on 'exit' — emitted in the main thread and, for a worker, when it ends on its own or calls
 * process.exit(). (A worker stopped from outside, by terminate() or the main thread's exit, gets
 * no 'exit' event: that case needs koffi to close its handles itself.)
 */
const open = new Set<Parker>();
let exitHooked = false;
function closeAll(): void {
  for (const p of open) p.close();
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
    open.add(this);
    if (!exitHooked) {
      exitHooked = true;
      process.on('exit', closeAll);
    }
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
    open.delete(this);
  }
}
