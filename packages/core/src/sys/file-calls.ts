/**
 * Blocking file calls off the JS thread, from rentio's addon, with no koffi:
 * - the addon's native file pool (`native/file-pool.c`): threads that run no JS, for a driver that
 *   cannot poll regular files (the epoll driver);
 * - the same calls one by one (`native/file-calls.c`), for worker_threads workers where the pool is
 *   not available. koffi 3.3.4 never frees the instance data it makes in each thread that loads it
 *   (about 35 KiB of RSS per worker, for good), so such workers must not load it.
 *
 * This module imports nothing that loads koffi. Every call takes numbers (addresses as integers,
 * as `addressOf` gives them) and returns its result, or `-errno`.
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

/**
 * The file calls a pool job can name, by number (the same numbers as `enum file_call` in
 * `native/file-pool.h`). A position below 0 means "at the file's offset": READ and WRITE then
 * call read/write, else pread/pwrite (WRITEV likewise); FSYNC with flags != 0 is fdatasync.
 */
export const FileCall = { OPENAT: 1, READ: 2, WRITE: 3, WRITEV: 4, FSYNC: 5, STATX: 6, FTRUNCATE: 7, CHMOD: 8, UNLINK: 9 } as const;
/** One of {@link FileCall}'s numbers. */
export type FileCallId = (typeof FileCall)[keyof typeof FileCall];

/** An open native file pool (opaque). */
export type FilePoolHandle = object & { readonly __filePool: never };

/**
 * The addon's native file pool: up to `maxThreads` threads (started on demand) that run file
 * calls and signal completions through an eventfd. Job ids are the caller's, 0..1023, each in use
 * by one job at a time until reaped.
 */
export interface FilePoolCalls {
  /** Open a pool; its eventfd is made now, its threads with the first jobs. */
  poolOpen(maxThreads: number): FilePoolHandle;
  /** The fd that turns readable (EPOLLIN) while completions wait to be reaped. */
  poolEventfd(pool: FilePoolHandle): number;
  /**
   * Queue job `id`: `call` with its arguments (`addr` the buffer or iovec array, `len` bytes or
   * iovec count, `addr2` a path). 0, or -errno when no thread could be started (then not queued).
   */
  poolSubmit(
    pool: FilePoolHandle,
    id: number,
    call: number,
    fd: number,
    addr: number,
    len: number,
    pos: number,
    flags: number,
    mode: number,
    addr2: number,
  ): number;
  /** Cancel job `id` if still queued (true): it then completes with -ECANCELED. A running job's result wins. */
  poolCancel(pool: FilePoolHandle, id: number): boolean;
  /** Drain completions into `out` as (id, result) pairs; returns how many. Their ids are free again. */
  poolReap(pool: FilePoolHandle, out: Float64Array): number;
  /** Threads started so far. */
  poolThreads(pool: FilePoolHandle): number;
  /** Syscalls the threads made. */
  poolSyscalls(pool: FilePoolHandle): number;
  /** Stop and join the threads (once no job is in flight) and close the eventfd. Idempotent. */
  poolClose(pool: FilePoolHandle): void;
}

/**
 * The addon's native file pool, or null where the addon was not built (or `RENTIO_PARKER=koffi`):
 * the caller then runs its file calls on worker_threads workers.
 *
 * @example
 * ```ts
 * const pool = loadFilePool()
 * if (pool) {
 *   const h = pool.poolOpen(4)
 *   // ... poolSubmit / poolReap when pool.poolEventfd(h) is readable ...
 *   pool.poolClose(h)
 * }
 * ```
 */
export function loadFilePool(): FilePoolCalls | null {
  const file = (loadAddon() as { file?: Partial<FilePoolCalls> } | null)?.file;
  // An addon built before the pool existed has the calls but not the pool.
  return typeof file?.poolOpen === 'function' ? (file as FilePoolCalls) : null;
}
