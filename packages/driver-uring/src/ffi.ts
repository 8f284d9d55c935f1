/**
 * Every foreign declaration of the uring driver: liburing's control plane and the few libc calls
 * the driver needs. The C prototype is beside each.
 *
 * liburing 2.3 (Debian 12) has no `liburing-ffi`: the `io_uring_prep_*` helpers are header-inline
 * and cannot be called, so SQEs are filled from JS (see sqe.ts and ops.ts). Pointers to `struct io_uring`
 * are koffi-allocated (`koffi.alloc`) and passed back as the same external; small in/out
 * structs are passed as typed arrays, which koffi hands to C by address.
 * @module
 */
import { existsSync } from 'node:fs';
import koffi from 'koffi';
import { DriverUnavailableError, libc as sharedLibc, type Libc as SharedLibc } from '@rentio/core/driver';

/** A pointer returned by koffi (an external: an object opaque to JS; a NULL pointer comes back as null). */
export type Pointer = object;

/** liburing's exported functions rentio calls. */
export interface Liburing {
  /** The path or name it was loaded from. */
  readonly path: string;
  // int io_uring_queue_init_params(unsigned entries, struct io_uring *ring, struct io_uring_params *p);
  io_uring_queue_init_params(entries: number, ring: Pointer, params: Uint8Array): number;
  // void io_uring_queue_exit(struct io_uring *ring);
  io_uring_queue_exit(ring: Pointer): void;
  // int io_uring_submit(struct io_uring *ring);
  io_uring_submit(ring: Pointer): number;
  // int io_uring_submit_and_get_events(struct io_uring *ring);   (liburing 2.3)
  io_uring_submit_and_get_events(ring: Pointer): number;
  // int io_uring_get_events(struct io_uring *ring);   (liburing 2.3)
  io_uring_get_events(ring: Pointer): number;
  // struct io_uring_probe *io_uring_get_probe_ring(struct io_uring *ring);
  io_uring_get_probe_ring(ring: Pointer): Pointer | null;
  // void io_uring_free_probe(struct io_uring_probe *probe);
  io_uring_free_probe(probe: Pointer): void;
  // int io_uring_register_eventfd(struct io_uring *ring, int fd);
  io_uring_register_eventfd(ring: Pointer, fd: number): number;
  // int io_uring_register_ring_fd(struct io_uring *ring);   (liburing 2.2; returns 1 when registered)
  io_uring_register_ring_fd(ring: Pointer): number;
  // int io_uring_register_buf_ring(struct io_uring *ring, struct io_uring_buf_reg *reg, unsigned int flags);   (liburing 2.2)
  io_uring_register_buf_ring(ring: Pointer, reg: Uint8Array, flags: number): number;
  // int io_uring_unregister_buf_ring(struct io_uring *ring, int bgid);   (liburing 2.2)
  io_uring_unregister_buf_ring(ring: Pointer, bgid: number): number;
}

/**
 * libc: the calls both drivers share come from core (`@rentio/core/driver`'s `libc()`, C
 * prototypes beside each there); the uring driver adds the credential reads.
 */
export interface Libc extends SharedLibc {
  // int getresuid(uid_t *ruid, uid_t *euid, uid_t *suid);
  getresuid(r: Uint32Array, e: Uint32Array, s: Uint32Array): number;
  // int getresgid(gid_t *rgid, gid_t *egid, gid_t *sgid);
  getresgid(r: Uint32Array, e: Uint32Array, s: Uint32Array): number;
  // int pipe2(int pipefd[2], int flags); — the pipes SENDFILE splices through
  pipe2(fds: Int32Array, flags: number): number;
  // int fcntl(int fd, int cmd, ...); — F_SETPIPE_SZ with an int argument
  fcntl(fd: number, cmd: number, argType: 'int', arg: number): number;
}

/** The library name loaded when no path is given. */
export const LIBURING_DEFAULT = 'liburing.so.2';

let libc: Libc | null = null;
const liburings = new Map<string, Liburing>();

/**
 * Load liburing from `path` (default `liburing.so.2` through the dynamic loader). Throws
 * `DriverUnavailableError` when it cannot be loaded or lacks a function rentio needs.
 */
export function loadLiburing(path: string = LIBURING_DEFAULT): Liburing {
  const cached = liburings.get(path);
  if (cached) return cached;
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(path);
  } catch (err) {
    const why = path === LIBURING_DEFAULT ? `${LIBURING_DEFAULT} not found` : `liburing not found at ${path}`;
    throw new DriverUnavailableError('uring', why + (path.includes('/') && existsSync(path) ? ` (${(err as Error).message})` : ''), { cause: err });
  }
  const fn = (decl: string, name: string) => {
    try {
      return lib.func(decl);
    } catch (err) {
      throw new DriverUnavailableError('uring', `liburing at ${path} lacks ${name} (liburing 2.3 or later is needed)`, { cause: err });
    }
  };
  const out: Liburing = {
    path,
    io_uring_queue_init_params: fn('int io_uring_queue_init_params(unsigned int entries, void *ring, void *p)', 'io_uring_queue_init_params'),
    io_uring_queue_exit: fn('void io_uring_queue_exit(void *ring)', 'io_uring_queue_exit'),
    io_uring_submit: fn('int io_uring_submit(void *ring)', 'io_uring_submit'),
    io_uring_submit_and_get_events: fn('int io_uring_submit_and_get_events(void *ring)', 'io_uring_submit_and_get_events'),
    io_uring_get_events: fn('int io_uring_get_events(void *ring)', 'io_uring_get_events'),
    io_uring_get_probe_ring: fn('void *io_uring_get_probe_ring(void *ring)', 'io_uring_get_probe_ring'),
    io_uring_free_probe: fn('void io_uring_free_probe(void *probe)', 'io_uring_free_probe'),
    io_uring_register_eventfd: fn('int io_uring_register_eventfd(void *ring, int fd)', 'io_uring_register_eventfd'),
    io_uring_register_ring_fd: fn('int io_uring_register_ring_fd(void *ring)', 'io_uring_register_ring_fd'),
    io_uring_register_buf_ring: fn('int io_uring_register_buf_ring(void *ring, void *reg, unsigned int flags)', 'io_uring_register_buf_ring'),
    io_uring_unregister_buf_ring: fn('int io_uring_unregister_buf_ring(void *ring, int bgid)', 'io_uring_unregister_buf_ring'),
  };
  liburings.set(path, out);
  return out;
}

/** libc, loaded once per thread; throws when libc.so.6 cannot be loaded. */
export function loadLibc(): Libc {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  libc = {
    ...sharedLibc(),
    getresuid: lib.func('int getresuid(void *r, void *e, void *s)'),
    getresgid: lib.func('int getresgid(void *r, void *e, void *s)'),
    pipe2: lib.func('int pipe2(void *fds, int flags)'),
    fcntl: lib.func('int fcntl(int fd, int cmd, ...)'),
  };
  return libc;
}

/** Allocate `size` bytes of C memory (zeroed by the caller through {@link view}); freed with {@link free}. */
export function allocBytes(size: number): Pointer {
  return koffi.alloc('uint8_t', size) as Pointer;
}

/** Free memory from {@link allocBytes}. */
export function free(ptr: Pointer): void {
  koffi.free(ptr);
}

/**
 * An `ArrayBuffer` over `len` bytes of C memory at `ptr` (an external or a BigInt address).
 * Costs ~2 µs: make one per mapping at set-up and keep it.
 */
export function view(ptr: Pointer | bigint, len: number): ArrayBuffer {
  return koffi.view(ptr, len);
}

/**
 * The address of a typed array's first byte. SAFETY: only for memory whose `ArrayBuffer` stays
 * reachable (an op's owned buffer, the slab's scratch) for as long as the kernel may use it.
 */
export function addressOf(buf: Uint8Array | ArrayBuffer): bigint {
  return koffi.address(buf);
}
