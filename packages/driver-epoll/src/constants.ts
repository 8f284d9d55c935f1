/**
 * Kernel constants the epoll driver uses, named as the kernel and libc name them
 * (<sys/epoll.h>, <sys/socket.h>, <sys/timerfd.h>, <sys/eventfd.h>, <fcntl.h>; x86-64/aarch64 Linux).
 * @module
 */
export const EPOLLIN = 0x001;
export const EPOLLOUT = 0x004;
export const EPOLLERR = 0x008;
export const EPOLLHUP = 0x010;
export const EPOLLRDHUP = 0x2000;
export const EPOLLET = 1 << 31;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
export const EPOLL_CLOEXEC = 0o2000000;

export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const MSG_NOSIGNAL = 0x4000;
/** recv flag: return a datagram's real length even when it did not fit; msg_flags: it was cut. */
export const MSG_TRUNC = 0x20;
export const SOL_SOCKET = 1;
export const SO_ERROR = 4;

export const EFD_CLOEXEC = 0o2000000;
export const EFD_NONBLOCK = 0o4000;

export const CLOCK_MONOTONIC = 1;
export const TFD_NONBLOCK = 0o4000;
export const TFD_CLOEXEC = 0o2000000;

export const AT_FDCWD = -100;
export const AT_EMPTY_PATH = 0x1000;
export const STATX_TYPE = 0x1;
export const S_IFMT = 0o170000;
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFSOCK = 0o140000;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const O_NONBLOCK = 0o4000;

// errno values core also uses come from core (one place); the rest are <asm-generic/errno*.h>'s.
export { EAGAIN, EINTR, ECANCELED } from '@rentio/core/driver';
export const EINPROGRESS = 115;
export const EBADF = 9;
export const EINVAL = 22;
export const EIO = 5;
export const ENOBUFS = 105;
/** preadv2(2) flag (linux/fs.h, Linux 4.14): return EAGAIN rather than wait for storage or a lock. */
export const RWF_NOWAIT = 0x00000008;
