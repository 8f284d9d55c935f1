/**
 * Every libc function the epoll driver calls, bound through koffi, with the C prototype each
 * comes from (the ones the uring driver needs too are core's, re-exported here). Pointers to
 * rented memory are passed as `uintptr_t` addresses (the op holds the buffer, so it stays alive
 * and in place); small scratch structs as typed arrays.
 *
 * Loaded on the main thread (sockets, epoll, timers) and in each file worker (blocking file I/O).
 * @module
 */
import koffi from 'koffi';
import { libc as sharedLibc } from '@rentio/core/driver';

// Throws when libc cannot be loaded: index.ts imports the driver dynamically and reports that as
// DriverUnavailableError.
const shared = sharedLibc();
const libc = koffi.load('libc.so.6');
// koffi types every bound function as `(...args: any[]) => any`: each export below states the
// JS types its C prototype takes and returns (koffi converts them as the prototype says).

// --- shared with the uring driver: declared once in core (sys/libc.ts), prototypes there ---
export const { close, read, write, eventfd, ftruncate, fchmodat, unlinkat, socket, bind, listen, connect, shutdown, getsockopt } = shared;

// --- readiness ---
/** int epoll_create1(int flags); */
export const epoll_create1: (flags: number) => number = libc.func('int epoll_create1(int flags)');
/** int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event); — event as raw bytes laid out by core's abi.ts */
export const epoll_ctl: (epfd: number, op: number, fd: number, event: Uint8Array | null) => number = libc.func(
  'int epoll_ctl(int epfd, int op, int fd, void *event)',
);
/** int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout); */
export const epoll_wait: (epfd: number, events: Uint8Array, maxevents: number, timeout: number) => number = libc.func(
  'int epoll_wait(int epfd, void *events, int maxevents, int timeout)',
);
/** int timerfd_create(int clockid, int flags); */
export const timerfd_create: (clockid: number, flags: number) => number = libc.func('int timerfd_create(int clockid, int flags)');
/** int timerfd_settime(int fd, int flags, const struct itimerspec *new, struct itimerspec *old); */
export const timerfd_settime: (fd: number, flags: number, newValue: Uint8Array, oldValue: Uint8Array | null) => number = libc.func(
  'int timerfd_settime(int fd, int flags, void *newValue, void *oldValue)',
);

/**
 * int eventfd_write(int fd, eventfd_t value); — the value by value: a file worker's wake needs no
 * buffer whose lifetime the worker's GC decides (see file-worker.ts).
 */
export const eventfd_write: (fd: number, value: number) => number = libc.func('int eventfd_write(int fd, uint64_t value)');

// --- sockets ---
/** int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags); */
export const accept4: (fd: number, addr: number, len: number, flags: number) => number = libc.func(
  'int accept4(int fd, uintptr_t addr, uintptr_t len, int flags)',
);
/** ssize_t recv(int fd, void *buf, size_t n, int flags); */
export const recv: (fd: number, buf: number, n: number, flags: number) => number = libc.func('long recv(int fd, uintptr_t buf, size_t n, int flags)');
/** ssize_t send(int fd, const void *buf, size_t n, int flags); */
export const send: (fd: number, buf: number, n: number, flags: number) => number = libc.func('long send(int fd, uintptr_t buf, size_t n, int flags)');
/** ssize_t sendmsg(int fd, const struct msghdr *msg, int flags); — gather writes to sockets without SIGPIPE */
export const sendmsg: (fd: number, msg: Uint8Array, flags: number) => number = libc.func('long sendmsg(int fd, void *msg, int flags)');
/** ssize_t recvmsg(int fd, struct msghdr *msg, int flags); — datagrams with their sender and MSG_TRUNC */
export const recvmsg: (fd: number, msg: Uint8Array, flags: number) => number = libc.func('long recvmsg(int fd, void *msg, int flags)');
/** int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout); — a batch of datagrams per call */
export const recvmmsg: (fd: number, vec: number, vlen: number, flags: number, timeout: number) => number = libc.func(
  'int recvmmsg(int fd, uintptr_t vec, unsigned int vlen, int flags, uintptr_t timeout)',
);
/** ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count); — file to socket, no user-space copy */
export const sendfile: (outFd: number, inFd: number, offset: number | bigint, count: number) => number = libc.func(
  'long sendfile(int outFd, int inFd, uintptr_t offset, size_t count)',
);

// --- fds and files (files run on the worker threads: regular files cannot be polled) ---
/** ssize_t pread(int fd, void *buf, size_t n, off_t offset); */
export const pread: (fd: number, buf: number, n: number, offset: number) => number = libc.func(
  'long pread(int fd, uintptr_t buf, size_t n, int64_t offset)',
);
/**
 * ssize_t preadv2(int fd, const struct iovec *iov, int iovcnt, off_t offset, int flags); — with
 * RWF_NOWAIT, the main thread's first try at a file read (page-cache hits only)
 */
export const preadv2: (fd: number, iov: number, iovcnt: number, offset: number, flags: number) => number = libc.func(
  'long preadv2(int fd, uintptr_t iov, int iovcnt, int64_t offset, int flags)',
);
/** ssize_t pwrite(int fd, const void *buf, size_t n, off_t offset); */
export const pwrite: (fd: number, buf: number, n: number, offset: number) => number = libc.func(
  'long pwrite(int fd, uintptr_t buf, size_t n, int64_t offset)',
);
/** ssize_t writev(int fd, const struct iovec *iov, int iovcnt); */
export const writev: (fd: number, iov: number, iovcnt: number) => number = libc.func('long writev(int fd, void *iov, int iovcnt)');
/** ssize_t pwritev(int fd, const struct iovec *iov, int iovcnt, off_t offset); */
export const pwritev: (fd: number, iov: number, iovcnt: number, offset: number) => number = libc.func(
  'long pwritev(int fd, void *iov, int iovcnt, int64_t offset)',
);
/** int openat(int dirfd, const char *path, int flags, mode_t mode); */
export const openat: (dirfd: number, path: number, flags: number, mode: number) => number = libc.func(
  'int openat(int dirfd, uintptr_t path, int flags, uint32_t mode)',
);
/** int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf); */
export const statx: (dirfd: number, path: number, flags: number, mask: number, buf: number) => number = libc.func(
  'int statx(int dirfd, uintptr_t path, int flags, uint32_t mask, uintptr_t buf)',
);
/** int fsync(int fd); */
export const fsync: (fd: number) => number = libc.func('int fsync(int fd)');
/** int fdatasync(int fd); */
export const fdatasync: (fd: number) => number = libc.func('int fdatasync(int fd)');
/** int fcntl(int fd, int cmd, ...); — F_GETFL / F_SETFL with an int argument */
export const fcntl: (fd: number, cmd: number, argType: 'int', arg: number) => number = libc.func('int fcntl(int fd, int cmd, ...)');

/** The calling thread's errno after a failed call, and the address of a rented buffer (SAFETY: the op holding it keeps it alive and unmoved). */
export { errno, addressOf } from '@rentio/core/driver';
