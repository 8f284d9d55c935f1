/**
 * The libc calls both drivers (and core's socket options) make, bound once through koffi, with
 * the C prototype beside each. A driver's own calls (epoll_*, timerfd_*, liburing, statx...)
 * stay in its ffi.ts; what both need is declared here only.
 *
 * Buffers the kernel reads or writes are passed as addresses (`uintptr_t`, from
 * {@link addressOf}); small in/out structs of the synchronous calls as typed arrays (koffi passes
 * those by address for the call's duration).
 *
 * Loaded on first use, once per thread (the epoll driver's file workers load their own): a libc
 * that cannot be loaded throws from {@link libc}, which each driver's `open()` turns into
 * `DriverUnavailableError`.
 * @module
 */
import koffi from 'koffi';

/**
 * The shared libc functions. Each returns what the C function returns (-1 with errno set on
 * failure). Function-typed properties, not methods: they are plain C functions with no `this`,
 * which the drivers take off the object to call directly.
 */
export interface Libc {
  /** int close(int fd); */
  readonly close: (fd: number) => number;
  /** ssize_t read(int fd, void *buf, size_t n); — buf as an address */
  readonly read: (fd: number, buf: number, n: number) => number;
  /** ssize_t write(int fd, const void *buf, size_t n); — buf as an address */
  readonly write: (fd: number, buf: number, n: number) => number;
  /** int eventfd(unsigned int initval, int flags); */
  readonly eventfd: (initval: number, flags: number) => number;
  /** int ftruncate(int fd, off_t length); */
  readonly ftruncate: (fd: number, length: number) => number;
  /** int fchmodat(int dirfd, const char *path, mode_t mode, int flags); — path as an address */
  readonly fchmodat: (dirfd: number, path: number, mode: number, flags: number) => number;
  /** int unlinkat(int dirfd, const char *path, int flags); — path as an address */
  readonly unlinkat: (dirfd: number, path: number, flags: number) => number;
  /** int socket(int domain, int type, int protocol); */
  readonly socket: (domain: number, type: number, protocol: number) => number;
  /** int bind(int fd, const struct sockaddr *addr, socklen_t len); — addr as an address */
  readonly bind: (fd: number, addr: number, len: number) => number;
  /** int listen(int fd, int backlog); */
  readonly listen: (fd: number, backlog: number) => number;
  /** int connect(int fd, const struct sockaddr *addr, socklen_t len); — addr as an address */
  readonly connect: (fd: number, addr: number, len: number) => number;
  /** int shutdown(int fd, int how); */
  readonly shutdown: (fd: number, how: number) => number;
  /** int setsockopt(int fd, int level, int name, const void *value, socklen_t len); */
  readonly setsockopt: (fd: number, level: number, name: number, value: Uint8Array, len: number) => number;
  /** int getsockopt(int fd, int level, int name, void *value, socklen_t *len); */
  readonly getsockopt: (fd: number, level: number, name: number, value: Uint8Array, len: Uint8Array) => number;
  /** int getsockname(int fd, struct sockaddr *addr, socklen_t *len); */
  readonly getsockname: (fd: number, addr: Uint8Array, len: Uint8Array) => number;
  /** int getpeername(int fd, struct sockaddr *addr, socklen_t *len); */
  readonly getpeername: (fd: number, addr: Uint8Array, len: Uint8Array) => number;
}

let loaded: Libc | null = null;

/**
 * libc, loaded on first use (once per thread). Throws when `libc.so.6` cannot be loaded.
 *
 * @example
 * ```ts
 * const r = libc().close(fd)
 * if (r < 0) throw errnoException(errno(), 'close')
 * ```
 */
export function libc(): Libc {
  if (loaded) return loaded;
  const lib = koffi.load('libc.so.6');
  loaded = {
    close: lib.func('int close(int fd)'),
    read: lib.func('long read(int fd, uintptr_t buf, size_t n)'),
    write: lib.func('long write(int fd, uintptr_t buf, size_t n)'),
    eventfd: lib.func('int eventfd(unsigned int initval, int flags)'),
    ftruncate: lib.func('int ftruncate(int fd, int64_t length)'),
    fchmodat: lib.func('int fchmodat(int dirfd, uintptr_t path, uint32_t mode, int flags)'),
    unlinkat: lib.func('int unlinkat(int dirfd, uintptr_t path, int flags)'),
    socket: lib.func('int socket(int domain, int type, int protocol)'),
    bind: lib.func('int bind(int fd, uintptr_t addr, uint32_t len)'),
    listen: lib.func('int listen(int fd, int backlog)'),
    connect: lib.func('int connect(int fd, uintptr_t addr, uint32_t len)'),
    shutdown: lib.func('int shutdown(int fd, int how)'),
    setsockopt: lib.func('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)'),
    getsockopt: lib.func('int getsockopt(int fd, int level, int name, void *value, void *len)'),
    getsockname: lib.func('int getsockname(int fd, void *addr, void *len)'),
    getpeername: lib.func('int getpeername(int fd, void *addr, void *len)'),
  };
  return loaded;
}

/** The calling thread's errno after a failed libc call (positive; koffi saves it right after the call). */
export function errno(): number {
  return koffi.errno();
}

/**
 * The address of a typed array's (or ArrayBuffer's) first byte, as a number (< 2^53 on every
 * Linux ABI rentio runs on). SAFETY: only for memory that stays reachable and in place for as
 * long as the kernel may use it (an op's owned buffer, a driver's long-lived scratch).
 */
export function addressOf(buf: Uint8Array | ArrayBuffer): number {
  return Number(koffi.address(buf));
}
