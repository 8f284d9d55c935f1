/**
 * The buffer pool compat datagram sockets receive through, one per runtime: a receive takes a
 * batch of datagrams (uring: a multishot RECVMSG into the pool's provided-buffer ring; epoll: one
 * recvmmsg per readiness), each is copied into the Buffer `'message'` gets, and the leases go back
 * in the same turn — so buffers are lent for microseconds and a few serve every socket.
 * @module
 */
import { DATAGRAM_HEADER_BYTES, type BufferPool, type Runtime } from '@rentio/core';

/**
 * Bytes per pool buffer: the largest UDP payload (65,527 bytes over IPv6, 65,507 over IPv4) fits
 * after the header, so nothing node:dgram delivers whole is cut here.
 */
export const DGRAM_POOL_SIZE = 64 * 1024 + DATAGRAM_HEADER_BYTES;
/** Buffers per runtime's pool (virtual memory; pages are touched only where the kernel wrote). */
export const DGRAM_POOL_COUNT = 64;

const pools = new WeakMap<Runtime, Promise<BufferPool>>();

/** The runtime's compat datagram pool. */
export function dgramPoolFor(rt: Runtime): Promise<BufferPool> {
  let p = pools.get(rt);
  if (!p) {
    p = rt.bufferPool({ size: DGRAM_POOL_SIZE, count: DGRAM_POOL_COUNT });
    pools.set(rt, p);
    p.catch(() => pools.delete(rt));
  }
  return p;
}
