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
import { DriverUnavailableError } from '@rentio/core/driver';

/** A pointer returned by koffi (an external), opaque to JS. */
export type Pointer = unknown;

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
}

/** libc calls: synchronous fallbacks for opcodes the kernel lacks, socket options, credentials. */
export interface Libc {
  // int close(int fd);
  close(fd: number): number;
  // int eventfd(unsigned int initval, int flags);
  eventfd(initval: number, flags: number): number;
  // ssize_t read(int fd, void *buf, size_t count);
  read(fd: number, buf: Uint8Array, count: number): number;
  // int socket(int domain, int type, int protocol);
  socket(domain: number, type: number, protocol: number): number;
  // int bind(int fd, const struct sockaddr *addr, socklen_t len);
  bind(fd: number, addr: Uint8Array, len: number): number;
  // int listen(int fd, int backlog);
  listen(fd: number, backlog: number): number;
  // int ftruncate(int fd, off_t length);
  ftruncate(fd: number, length: number): number;
  // int fchmodat(int dirfd, const char *path, mode_t mode, int flags);
  fchmodat(dirfd: number, path: Uint8Array, mode: number, flags: number): number;
  // int unlinkat(int dirfd, const char *path, int flags);
  unlinkat(dirfd: number, path: Uint8Array, flags: number): number;
  // int setsockopt(int fd, int level, int name, const void *value, socklen_t len);
  setsockopt(fd: number, level: number, name: number, value: Int32Array | Uint8Array, len: number): number;
  // int getsockopt(int fd, int level, int name, void *value, socklen_t *len);
  getsockopt(fd: number, level: number, name: number, value: Int32Array, len: Uint32Array): number;
  // int getsockname(int fd, struct sockaddr *addr, socklen_t *len);
  getsockname(fd: number, addr: Uint8Array, len: Uint32Array): number;
  // int getpeername(int fd, struct sockaddr *addr, socklen_t *len);
  getpeername(fd: number, addr: Uint8Array, len: Uint32Array): number;
  // int getresuid(uid_t *ruid, uid_t *euid, uid_t *suid);
  getresuid(r: Uint32Array, e: Uint32Array, s: Uint32Array): number;
  // int getresgid(gid_t *rgid, gid_t *egid, gid_t *sgid);
  getresgid(r: Uint32Array, e: Uint32Array, s: Uint32Array): number;
  /** errno of the calling thread after a failed libc call (positive). */
  errno(): number;
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
  } as Liburing;
  liburings.set(path, out);
  return out;
}

/** libc, loaded once per process. */
export function loadLibc(): Libc {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  libc = {
    close: lib.func('int close(int fd)'),
    eventfd: lib.func('int eventfd(unsigned int initval, int flags)'),
    read: lib.func('intptr_t read(int fd, void *buf, size_t count)'),
    socket: lib.func('int socket(int domain, int type, int protocol)'),
    bind: lib.func('int bind(int fd, const void *addr, uint32_t len)'),
    listen: lib.func('int listen(int fd, int backlog)'),
    ftruncate: lib.func('int ftruncate(int fd, int64_t length)'),
    fchmodat: lib.func('int fchmodat(int dirfd, const void *path, uint32_t mode, int flags)'),
    unlinkat: lib.func('int unlinkat(int dirfd, const void *path, int flags)'),
    setsockopt: lib.func('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)'),
    getsockopt: lib.func('int getsockopt(int fd, int level, int name, void *value, void *len)'),
    getsockname: lib.func('int getsockname(int fd, void *addr, void *len)'),
    getpeername: lib.func('int getpeername(int fd, void *addr, void *len)'),
    getresuid: lib.func('int getresuid(void *r, void *e, void *s)'),
    getresgid: lib.func('int getresgid(void *r, void *e, void *s)'),
    errno: () => koffi.errno(),
  } as Libc;
  return libc;
}

/** Allocate `size` bytes of C memory (zeroed by the caller through {@link view}); freed with {@link free}. */
export function allocBytes(size: number): Pointer {
  return koffi.alloc('uint8_t', size);
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
