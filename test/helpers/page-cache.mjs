// A file whose second half is out of the page cache: what a read over a cache gap meets (epoll's
// nowait try stops there; see driver-epoll's partial-reads.ts).
import { closeSync, fsyncSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import koffi from 'koffi';
import { addressOf, random, tmpDir } from './util.mjs';

const libc = koffi.load('libc.so.6');
// int posix_fadvise(int fd, off_t offset, off_t len, int advice);
const fadvise = libc.func('int posix_fadvise(int fd, int64_t offset, int64_t len, int advice)');
const POSIX_FADV_DONTNEED = 4;
// ssize_t preadv2(int fd, const struct iovec *iov, int iovcnt, off_t offset, int flags);
const preadv2 = libc.func('long preadv2(int fd, uintptr_t iov, int iovcnt, int64_t offset, int flags)');
const RWF_NOWAIT = 0x8;

/** preadv2(fd, [buf], 1, 0, RWF_NOWAIT): bytes read, or -1. */
function preadv2NoWait(fd, buf) {
  const iov = new BigUint64Array([BigInt(addressOf(buf)), BigInt(buf.byteLength)]);
  return preadv2(fd, addressOf(new Uint8Array(iov.buffer)), 1, 0, RWF_NOWAIT);
}

/** Why a partly-cached case skips. */
export const CANNOT_EVICT = 'posix_fadvise(DONTNEED) left the file cached here (tmpfs, or pages kept busy)';

/**
 * A file of `size` random bytes (size a multiple of 4 MiB: the page cache may hold a file in
 * folios of up to 2 MiB, and DONTNEED drops only whole ones), and `evictSecondHalf()`, which
 * resolves true once its second half is out of the page cache — checked the way the epoll driver
 * reads (a nowait read stops at the gap), then evicted again, since a nowait read that meets a
 * missing page starts readahead — or false after 10 tries (tmpfs keeps everything; a page under
 * readahead or writeback is not dropped).
 */
export function partlyCachedFile(t, size = 4 << 20) {
  const path = join(tmpDir(t), 'partly-cached');
  const data = random(size);
  writeFileSync(path, data);
  const once = () => {
    const fd = openSync(path, 'r');
    const evict = () => fadvise(fd, size / 2, size / 2, POSIX_FADV_DONTNEED) === 0;
    try {
      fsyncSync(fd); // DONTNEED drops only clean pages
      if (!evict()) return false;
      const r = preadv2NoWait(fd, Buffer.alloc(size));
      if (r < 0 || r >= size) return false;
      readSync(fd, Buffer.alloc(size), 0, size, 0); // the readahead done: its pages clean
      return evict();
    } finally {
      closeSync(fd);
    }
  };
  const evictSecondHalf = async () => {
    for (let i = 0; i < 10; i++) {
      if (once()) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  };
  return { path, data, evictSecondHalf };
}
