/**
 * The file workers' calls through koffi, for where rentio's addon was not built (see
 * `@rentio/core/file-calls` for why the addon is preferred): each returns the result or -errno.
 * @module
 */
import type { FileCalls } from '@rentio/core/file-calls';
import * as ffi from './ffi.js';

/** r from libc → result or -errno (koffi saves errno right after the call). */
const res = (r: number): number => (r < 0 ? -ffi.errno() : r);

/** {@link FileCalls} on koffi. */
export const koffiFileCalls: FileCalls = {
  read: (fd, buf, n) => res(ffi.read(fd, buf, n)),
  pread: (fd, buf, n, offset) => res(ffi.pread(fd, buf, n, offset)),
  write: (fd, buf, n) => res(ffi.write(fd, buf, n)),
  pwrite: (fd, buf, n, offset) => res(ffi.pwrite(fd, buf, n, offset)),
  writev: (fd, iov, iovcnt) => res(ffi.writev(fd, iov, iovcnt)),
  pwritev: (fd, iov, iovcnt, offset) => res(ffi.pwritev(fd, iov, iovcnt, offset)),
  openat: (dirfd, path, flags, mode) => res(ffi.openat(dirfd, path, flags, mode)),
  statx: (dirfd, path, flags, mask, buf) => res(ffi.statx(dirfd, path, flags, mask, buf)),
  fsync: (fd) => res(ffi.fsync(fd)),
  fdatasync: (fd) => res(ffi.fdatasync(fd)),
  ftruncate: (fd, length) => res(ffi.ftruncate(fd, length)),
  fchmodat: (dirfd, path, mode, flags) => res(ffi.fchmodat(dirfd, path, mode, flags)),
  unlinkat: (dirfd, path, flags) => res(ffi.unlinkat(dirfd, path, flags)),
  eventfd_write: (fd, value) => res(ffi.eventfd_write(fd, value)),
};
