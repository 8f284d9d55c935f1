/**
 * Every libc function the epoll driver calls, bound through koffi, with the C prototype each
 * comes from. Pointers to rented memory are passed as `uintptr_t` addresses (the op holds the
 * buffer, so it stays alive and in place); small scratch structs as typed arrays.
 *
 * Loaded on the main thread (sockets, epoll, timers) and in each file worker (blocking file I/O).
 * @module
 */
import koffi from 'koffi';

const libc = koffi.load('libc.so.6');

// --- readiness ---
/** int epoll_create1(int flags); */
export const epoll_create1 = libc.func('int epoll_create1(int flags)');
/** int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event); — event as 12 raw bytes */
export const epoll_ctl = libc.func('int epoll_ctl(int epfd, int op, int fd, void *event)');
/** int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout); */
export const epoll_wait = libc.func('int epoll_wait(int epfd, void *events, int maxevents, int timeout)');
/** int eventfd(unsigned int initval, int flags); */
export const eventfd = libc.func('int eventfd(unsigned int initval, int flags)');
/** int timerfd_create(int clockid, int flags); */
export const timerfd_create = libc.func('int timerfd_create(int clockid, int flags)');
/** int timerfd_settime(int fd, int flags, const struct itimerspec *new, struct itimerspec *old); */
export const timerfd_settime = libc.func('int timerfd_settime(int fd, int flags, void *newValue, void *oldValue)');

// --- sockets ---
/** int socket(int domain, int type, int protocol); */
export const socket = libc.func('int socket(int domain, int type, int protocol)');
/** int bind(int fd, const struct sockaddr *addr, socklen_t len); */
export const bind = libc.func('int bind(int fd, uintptr_t addr, uint32_t len)');
/** int listen(int fd, int backlog); */
export const listen = libc.func('int listen(int fd, int backlog)');
/** int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags); */
export const accept4 = libc.func('int accept4(int fd, uintptr_t addr, uintptr_t len, int flags)');
/** int connect(int fd, const struct sockaddr *addr, socklen_t len); */
export const connect = libc.func('int connect(int fd, uintptr_t addr, uint32_t len)');
/** ssize_t recv(int fd, void *buf, size_t n, int flags); */
export const recv = libc.func('long recv(int fd, uintptr_t buf, size_t n, int flags)');
/** ssize_t send(int fd, const void *buf, size_t n, int flags); */
export const send = libc.func('long send(int fd, uintptr_t buf, size_t n, int flags)');
/** ssize_t sendmsg(int fd, const struct msghdr *msg, int flags); — gather writes to sockets without SIGPIPE */
export const sendmsg = libc.func('long sendmsg(int fd, void *msg, int flags)');
/** ssize_t recvmsg(int fd, struct msghdr *msg, int flags); — datagrams with their sender and MSG_TRUNC */
export const recvmsg = libc.func('long recvmsg(int fd, void *msg, int flags)');
/** int shutdown(int fd, int how); */
export const shutdown = libc.func('int shutdown(int fd, int how)');
/** int getsockopt(int fd, int level, int name, void *value, socklen_t *len); */
export const getsockopt = libc.func('int getsockopt(int fd, int level, int name, void *value, void *len)');
/** int setsockopt(int fd, int level, int name, const void *value, socklen_t len); */
export const setsockopt = libc.func('int setsockopt(int fd, int level, int name, void *value, uint32_t len)');
/** int getsockname(int fd, struct sockaddr *addr, socklen_t *len); */
export const getsockname = libc.func('int getsockname(int fd, void *addr, void *len)');
/** int getpeername(int fd, struct sockaddr *addr, socklen_t *len); */
export const getpeername = libc.func('int getpeername(int fd, void *addr, void *len)');

// --- fds and files (files run on the worker threads: regular files cannot be polled) ---
/** int close(int fd); */
export const close = libc.func('int close(int fd)');
/** ssize_t read(int fd, void *buf, size_t n); */
export const read = libc.func('long read(int fd, uintptr_t buf, size_t n)');
/** ssize_t write(int fd, const void *buf, size_t n); */
export const write = libc.func('long write(int fd, uintptr_t buf, size_t n)');
/** ssize_t pread(int fd, void *buf, size_t n, off_t offset); */
export const pread = libc.func('long pread(int fd, uintptr_t buf, size_t n, int64_t offset)');
/** ssize_t pwrite(int fd, const void *buf, size_t n, off_t offset); */
export const pwrite = libc.func('long pwrite(int fd, uintptr_t buf, size_t n, int64_t offset)');
/** ssize_t writev(int fd, const struct iovec *iov, int iovcnt); */
export const writev = libc.func('long writev(int fd, void *iov, int iovcnt)');
/** ssize_t pwritev(int fd, const struct iovec *iov, int iovcnt, off_t offset); */
export const pwritev = libc.func('long pwritev(int fd, void *iov, int iovcnt, int64_t offset)');
/** int openat(int dirfd, const char *path, int flags, mode_t mode); */
export const openat = libc.func('int openat(int dirfd, uintptr_t path, int flags, uint32_t mode)');
/** int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf); */
export const statx = libc.func('int statx(int dirfd, uintptr_t path, int flags, uint32_t mask, uintptr_t buf)');
/** int fsync(int fd); */
export const fsync = libc.func('int fsync(int fd)');
/** int fdatasync(int fd); */
export const fdatasync = libc.func('int fdatasync(int fd)');
/** int ftruncate(int fd, off_t length); */
export const ftruncate = libc.func('int ftruncate(int fd, int64_t length)');
/** int fchmodat(int dirfd, const char *path, mode_t mode, int flags); */
export const fchmodat = libc.func('int fchmodat(int dirfd, uintptr_t path, uint32_t mode, int flags)');
/** int unlinkat(int dirfd, const char *path, int flags); */
export const unlinkat = libc.func('int unlinkat(int dirfd, uintptr_t path, int flags)');
/** int fcntl(int fd, int cmd, ...); — F_GETFL / F_SETFL with an int argument */
export const fcntl = libc.func('int fcntl(int fd, int cmd, ...)');

/** The calling thread's errno after a failed call (koffi saves it right after the call). */
export function errno(): number {
  return koffi.errno();
}

/** Address of a rented buffer's memory. SAFETY: the op holding `buf` keeps it alive and unmoved. */
export function addressOf(buf: Uint8Array): number {
  return Number(koffi.address(buf));
}
