/**
 * The blocking call a file op runs: `EPOLL_OPS[code].job` (ops.ts) names one of these. The native
 * pool (rentio's addon) runs it by number in C; where the addon's pool is not available, a
 * worker_threads worker runs it from this table with the calls it loaded — the addon's, or koffi's
 * where the addon was not built (file-worker.ts). This module loads no koffi, so a worker
 * importing it does not either.
 * @module
 */
import { FileCall, type FileCallId, type FileCalls } from '@rentio/core/file-calls';
import { AT_FDCWD } from './constants.js';
import { F_ADDR, F_ADDR2, F_FD, F_FLAGS, F_LEN, F_MODE, F_POS } from './file-job.js';

/**
 * A file op's job, by id (F_CODE): core's file call numbers, which the native pool runs by the
 * same numbers (native/file-pool.c mirrors FILE_JOBS below). 0 is none: it is reported as EINVAL.
 */
export const FileJob = FileCall;
/** One of {@link FileJob}'s ids. */
export type FileJobId = FileCallId;

/**
 * A blocking call from the job fields at `jobs[b + F_*]`: the result, or -errno. INVARIANT: `b` is
 * a job's base (`id * JOB_FIELDS`, id < the pool's slots) and every `F_*` < JOB_FIELDS, so
 * `jobs[b + F_*]` is always in range (hence the `!` on each read).
 */
export type Job = (c: FileCalls, jobs: Float64Array, b: number) => number;

/** Every file job, by id. A position below 0 means "at the file's offset" (read/write, not pread/pwrite). */
export const FILE_JOBS: Readonly<Record<FileJobId, Job>> = {
  [FileJob.OPENAT]: (c, j, b) => c.openat(AT_FDCWD, j[b + F_ADDR2]!, j[b + F_FLAGS]!, j[b + F_MODE]!),
  [FileJob.READ]: (c, j, b) =>
    j[b + F_POS]! < 0 ? c.read(j[b + F_FD]!, j[b + F_ADDR]!, j[b + F_LEN]!) : c.pread(j[b + F_FD]!, j[b + F_ADDR]!, j[b + F_LEN]!, j[b + F_POS]!),
  [FileJob.WRITE]: (c, j, b) =>
    j[b + F_POS]! < 0 ? c.write(j[b + F_FD]!, j[b + F_ADDR]!, j[b + F_LEN]!) : c.pwrite(j[b + F_FD]!, j[b + F_ADDR]!, j[b + F_LEN]!, j[b + F_POS]!),
  // F_ADDR: the iovec array the pool built; F_LEN: their count.
  [FileJob.WRITEV]: (c, j, b) =>
    j[b + F_POS]! < 0 ? c.writev(j[b + F_FD]!, j[b + F_ADDR]!, j[b + F_LEN]!) : c.pwritev(j[b + F_FD]!, j[b + F_ADDR]!, j[b + F_LEN]!, j[b + F_POS]!),
  [FileJob.FSYNC]: (c, j, b) => (j[b + F_FLAGS]! ? c.fdatasync(j[b + F_FD]!) : c.fsync(j[b + F_FD]!)),
  // statx(fd, path "", flags, mask, buf): F_ADDR2 = path, F_ADDR = the statx buffer.
  [FileJob.STATX]: (c, j, b) => c.statx(j[b + F_FD]!, j[b + F_ADDR2]!, j[b + F_FLAGS]!, j[b + F_MODE]!, j[b + F_ADDR]!),
  [FileJob.FTRUNCATE]: (c, j, b) => c.ftruncate(j[b + F_FD]!, j[b + F_POS]!),
  [FileJob.CHMOD]: (c, j, b) => c.fchmodat(AT_FDCWD, j[b + F_ADDR2]!, j[b + F_MODE]!, 0),
  [FileJob.UNLINK]: (c, j, b) => c.unlinkat(AT_FDCWD, j[b + F_ADDR2]!, 0),
};
