/**
 * The parker: how a driver waits inside Node's own event loop.
 *
 * Node's loop (libuv) watches the driver's fd — the epoll fd, the ring fd, or an eventfd — with a
 * `uv_poll_t` and calls back when it turns readable. The handle is referenced while ops are in
 * flight (a pending op keeps the process alive, as a socket does) and unreferenced when none are
 * (the process exits as soon as nothing is pending).
 *
 * Mechanism: a small N-API addon (`native/parker.c`, built at install by node-gyp) owns the
 * `uv_poll_t`. koffi 3.3.4 has a poll handle too (`koffi.node.poll`), but it is unsafe when a
 * worker_threads worker is stopped from outside (`terminate()`, or the main thread's exit) — no JS
 * runs then, so nothing in JS can close it: if the fd is readable after the stop, koffi's callback
 * throws into the terminating isolate (a fatal `napi_throw`: abort); otherwise the handle is closed
 * by koffi's finalizer at teardown, and its close callback runs after the worker unloaded koffi (a
 * segfault). The addon closes every handle it owns in an *async* environment cleanup hook
 * (`napi_add_async_cleanup_hook`): Node keeps the worker's loop turning until the close callback
 * reports done, so the handle is closed before the loop is and before the addon is unloaded; and
 * its poll callback stops polling, instead of throwing, once JS cannot run.
 *
 * The same hook releases the kernel objects the driver registered (`closeAtTeardown`,
 * `unmapAtTeardown`: its ring and the ring's memory, epoll fd, eventfd, timerfd), since no JS
 * runs then to call the driver's close(): 8 workers terminated mid-flight leave no
 * `anon_inode:[io_uring]`, `[eventpoll]` or `[eventfd]` in /proc/self/fd.
 *
 * Why it is safe: it uses only N-API (ABI-stable from Node 20 to 24) and libuv's stable C API
 * (the handle's size is read at run time); every exit path — close(), the environment's cleanup,
 * JS unable to run — ends in the same uv_close, once; and all of it runs on the thread that owns
 * the loop. Sockets and files the runtime opened are not registered (a worker stopped from
 * outside leaves those to the process, as it would any fd it opened through koffi).
 *
 * Cost: one native call per wake, like koffi's; the addon calls the driver inside a callback scope,
 * as Node does for its own I/O callbacks, so the nextTick and microtask queues run right after it
 * and an exception thrown from them is reported as uncaught, by Node. Measured
 * (`node bench/parker-wake.mjs`, eventfd write → callback → write, Node 20, 2 shared cores):
 * ~3.1–4.4 µs a round on the main thread and in a worker, vs ~3.4–4.3 µs for koffi's handle
 * (same run, idle machine).
 * The addon is used on every thread when built: one mechanism, and no slower.
 *
 * Fallback: without the built addon (no compiler at install), the main thread uses koffi's
 * handle, which is safe there — every open parker is closed on process 'exit', emitted before the
 * main thread's teardown, and Node never unloads an addon loaded by the main thread. A worker
 * still gets a runtime, with a one-time warning that stopping it from outside will crash the
 * process. `RENTIO_PARKER=koffi` forces the fallback (to measure or bisect).
 * @module
 */
import { addonError, loadAddon } from './sys/addon.js';
import { isMainThread } from 'node:worker_threads';
import koffi from 'koffi';

/** The addon's API: one external per handle. */
interface NativeParker {
  open(fd: number, cb: () => void): object;
  ref(h: object): void;
  unref(h: object): void;
  close(h: object): void;
  closeAtTeardown(h: object, fd: number, ring?: boolean): void;
  unmapAtTeardown(h: object, addr: bigint, len: number): void;
  trackFds(chunk: Int32Array): void;
}

/** koffi's poll handle (`koffi.node.poll`, undocumented: koffi's version is pinned exactly). */
interface KoffiPollHandle {
  stop(): void;
  close(): void;
  ref(): void;
  unref(): void;
}

// The addon once loaded (it is the parker on every call that follows: ref/unref per busy turn).
let native: NativeParker | null | undefined;

/** The addon's parker, or null when it was not built here. @internal */
export function loadNative(): NativeParker | null {
  if (native === undefined) native = loadAddon() as NativeParker | null;
  return native;
}

let warned = false;
function warnWorkerFallback(): void {
  if (warned) return;
  warned = true;
  process.emitWarning(
    `rentio's parker addon is not in use (${addonError?.message ?? 'RENTIO_PARKER=koffi'}): this worker's runtime ` +
      "uses koffi's poll handle, and stopping the worker from outside (terminate(), or the main thread exiting) " +
      'while it has a runtime open will crash the process. Build it with `npm rebuild @rentio/core` (needs g++, make, python3).',
    { code: 'RENTIO_PARKER_FALLBACK' },
  );
}

/**
 * koffi parkers not yet closed (fallback only): closed on process 'exit', emitted in the main
 * thread and, for a worker, when it ends on its own or calls process.exit().
 */
const koffiOpen = new Set<Parker>();
let exitHooked = false;
function closeAll(): void {
  for (const p of koffiOpen) p.close();
}

/** Rethrow from a macrotask, where Node reports it as an uncaught exception. */
function rethrow(err: unknown): void {
  setImmediate(() => {
    throw err;
  });
}

/**
 * Watches one fd from Node's loop, on the thread that made it.
 * @example
 * const parker = new Parker(epollFd, () => reap());
 * parker.closeAtTeardown(epollFd);
 * parker.busy(true); // an op is in flight: keep the process alive
 * // ... later, after the driver's last op:
 * parker.close();
 */
export class Parker {
  // INVARIANT: the handle stays referenced from JS for the parker's life (koffi may collect its
  // handle otherwise). SAFETY: the addon's external points at memory freed once its close
  // completes, so it is dropped at close() and never handed out.
  #native: object | null = null;
  #koffi: KoffiPollHandle | null = null;
  #busy = false;
  /** False while the driver's ops in flight must not keep the process alive (see `hold`). */
  #hold = true;
  /** Whether the uv handle is referenced now: `#busy && #hold`. */
  #refd = false;
  /** Times the fd turned readable and the driver was called. */
  wakeups = 0;

  /** Start watching `fd`; `onReadable` runs on this thread's loop each time it is readable. */
  constructor(fd: number, onReadable: () => void) {
    const addon = loadNative();
    if (addon) {
      // Never throw into native code: the addon takes a failed call for a stopping environment.
      this.#native = addon.open(fd, () => {
        this.wakeups++;
        try {
          onReadable();
        } catch (err) {
          rethrow(err);
        }
      });
      return;
    }
    if (!isMainThread) warnWorkerFallback();
    const handle = (koffi as unknown as { node: { poll(fd: number, o: { readable: boolean }, cb: () => void): KoffiPollHandle } }).node.poll(
      fd,
      { readable: true },
      () => {
        this.wakeups++;
        onReadable();
      },
    );
    // A poll handle starts unreferenced here too; it is referenced only while busy.
    handle.unref();
    this.#koffi = handle;
    koffiOpen.add(this);
    if (!exitHooked) {
      exitHooked = true;
      process.on('exit', closeAll);
    }
  }

  /** Which handle watches the fd: `native` (the addon) or `koffi` (the fallback). */
  get mechanism(): 'native' | 'koffi' | 'closed' {
    return this.#native ? 'native' : this.#koffi ? 'koffi' : 'closed';
  }

  /** Keep the process alive (busy) or let it exit (idle). Cheap to call often. */
  busy(busy: boolean): void {
    if (busy === this.#busy) return;
    this.#busy = busy;
    this.#sync();
  }

  /**
   * Let the ops in flight keep the process alive (true, the default) or not (false: they all
   * belong to unref'd handles). The handle is referenced while busy and held. Cheap to call often.
   * @example
   * parker.hold(false); // only unref'd sockets wait: Node may exit
   */
  hold(hold: boolean): void {
    if (hold === this.#hold) return;
    this.#hold = hold;
    this.#sync();
  }

  /** Reference the uv handle exactly while busy and held. */
  #sync(): void {
    const ref = this.#busy && this.#hold;
    if (ref === this.#refd) return;
    if (this.#native) {
      this.#refd = ref;
      if (ref) native!.ref(this.#native);
      else native!.unref(this.#native);
    } else if (this.#koffi) {
      this.#refd = ref;
      if (ref) this.#koffi.ref();
      else this.#koffi.unref();
    }
  }

  /**
   * Have `fd` closed if this thread's environment ends while the parker is open — a worker
   * stopped from outside, where no JS runs to close the driver. For fds that live exactly as long
   * as the parker (ring, epoll, eventfd, timerfd): after `close()` the driver closes them itself.
   * `ring`: an io_uring fd, whose requests are cancelled and waited for before the memory they
   * may write into dies with the isolate. A no-op on the koffi fallback.
   * @example
   * parker.closeAtTeardown(epollFd);
   */
  closeAtTeardown(fd: number, ring = false): void {
    if (this.#native) native!.closeAtTeardown(this.#native, fd, ring);
  }

  /**
   * Have the mapping `[addr, addr + len)` unmapped if this thread's environment ends while the
   * parker is open (a ring's memory: the ring lives on while it is mapped, even with its fd closed).
   * @example
   * parker.unmapAtTeardown(ringAddr, ringBytes);
   */
  unmapAtTeardown(addr: bigint, len: number): void {
    if (this.#native) native!.unmapAtTeardown(this.#native, addr, len);
  }

  /** Stop watching and free the handle. */
  close(): void {
    if (this.#native) {
      native!.close(this.#native);
      this.#native = null;
    } else if (this.#koffi) {
      this.#koffi.stop();
      this.#koffi.close();
      this.#koffi = null;
      koffiOpen.delete(this);
    }
  }
}
