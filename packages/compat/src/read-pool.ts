/**
 * The buffer pool compat sockets read through, one per runtime: a read takes a buffer only when
 * bytes arrive (uring: the kernel picks it from the pool's provided-buffer ring; epoll: taken at
 * readiness), its bytes are copied into the chunk pushed, and the lease is released in the same
 * turn — so an idle compat socket holds no read buffer, and buffers are lent for microseconds.
 * @module
 */
import type { BufferPool, Runtime } from '@rentio/core';

/**
 * Bytes per pool buffer: the most one compat read returns (libuv reads 64 KiB at a time too).
 * Buffers are held only between a completion and its copy, so a few cover many connections; an
 * empty pool is back-pressure (the read waits for a release), never data loss.
 */
export const READ_POOL_SIZE = 64 * 1024;
/** Buffers per runtime's read pool (4 MiB in all, touched only where the kernel wrote). */
export const READ_POOL_COUNT = 64;

const pools = new WeakMap<Runtime, BufferPool | Promise<BufferPool>>();

/** The runtime's compat read pool (a promise the first time, while it is being registered). */
export function readPoolFor(rt: Runtime): BufferPool | Promise<BufferPool> {
  let p = pools.get(rt);
  if (!p) {
    const made = rt.bufferPool({ size: READ_POOL_SIZE, count: READ_POOL_COUNT });
    pools.set(rt, made);
    made.then(
      (pool) => pools.set(rt, pool),
      () => pools.delete(rt),
    );
    p = made;
  }
  return p;
}
