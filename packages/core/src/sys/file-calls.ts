/**
 * Blocking libc calls for file worker threads, from rentio's addon (`native/file-calls.c`), with
 * no koffi: koffi 3.3.4 never frees the instance data it makes in each thread that loads it (about
 * 35 KiB of RSS per worker, for good), so a driver that starts workers per runtime must not load it
 * in them. This module imports nothing that loads koffi.
 *
 * Every call takes numbers (addresses as integers, as `addressOf` gives them) and returns its
 * result, or `-errno`.
 * @module
 */
import { loadAddon } from './addon.js';

/** The calls, each with the C prototype it wraps. */
export interface FileCalls {
  /** ssize_t read(int fd, void *buf, size_t n); */
  read(fd: number, buf: number, n: number): number;
  /** ssize_t pread(int fd, void *buf, size_t n, off_t offset); */
  pread(fd: number, buf: number, n: number, offset: number): number;
  /** ssize_t write(int fd, const void *buf, size_t n); */
  write(fd: number, buf: number, n: number): number;
  /** ssize_t pwrite(int fd, const void *buf, size_t n, off_t offset); */
  pwrite(fd: number, buf: number, n: number, offset: number): number;
  /** ssize_t writev(int fd, const struct iovec *iov, int iovcnt); */
  writev(fd: number, iov: number, iovcnt: number): number;
  /** ssize_t pwritev(int fd, const struct iovec *iov, int iovcnt, off_t offset); */
  pwritev(fd: number, iov: number, iovcnt: number, offset: number): number;
  /** int openat(int dirfd, const char *path, int flags, mode_t mode); */
  openat(dirfd: number, path: number, flags: number, mode: number): number;
  /** int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf); */
  statx(dirfd: number, path: number, flags: number, mask: number, buf: number): number;
  /** int fsync(int fd); */
  fsync(fd: number): number;
  /** int fdatasync(int fd); */
  fdatasync(fd: number): number;
  /** int ftruncate(int fd, off_t length); */
  ftruncate(fd: number, length: number): number;
  /** int fchmodat(int dirfd, const char *path, mode_t mode, int flags); */
  fchmodat(dirfd: number, path: number, mode: number, flags: number): number;
  /** int unlinkat(int dirfd, const char *path, int flags); */
  unlinkat(dirfd: number, path: number, flags: number): number;
  /** int eventfd_write(int fd, eventfd_t value); */
  eventfd_write(fd: number, value: number): number;
}

/**
 * The addon's file calls, or null where the addon was not built (or `RENTIO_PARKER=koffi` asks to
 * run without it): the caller then uses koffi.
 *
 * @example
 * ```ts
 * const calls = loadFileCalls()
 * const n = calls ? calls.pread(fd, address, 4096, 0) : -1
 * ```
 */
export function loadFileCalls(): FileCalls | null {
  return (loadAddon() as { file: FileCalls } | null)?.file ?? null;
}
