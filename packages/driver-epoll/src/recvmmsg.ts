/**
 * RECVMSG_POOL under epoll: one recvmmsg(2) per readiness takes a batch of datagrams, each into
 * its own pool buffer, laid out as io_uring's multishot RECVMSG lays one out (core's
 * udp-receive.ts reads both alike): `struct io_uring_recvmsg_out` (16 bytes, written here after
 * the call), the sender's sockaddr (DGRAM_NAMELEN bytes), then the payload.
 *
 * The vector lives in module scratch: every call is synchronous on the main thread, and the
 * kernel is done with it when recvmmsg returns. Pool buffers are taken only for the call and the
 * unused ones given back, so a receive waiting for readiness holds none; with none free the op
 * answers -ENOBUFS and the datagrams stay in the socket, as a uring buffer-select receive does.
 * @module
 */
import { abiFor, addressOf, DGRAM_NAMELEN, RECVMSG_OUT_SIZE, type DatagramBatchOp, type Op } from '@rentio/core/driver';
import { ENOBUFS, MSG_TRUNC } from './constants.js';
import * as ffi from './ffi.js';

// driver.ts (which imports the op table, and so this module) runs only where index.ts found the layouts.
const { msghdr: MSGHDR, iovec: IOVEC } = abiFor('epoll');
/** sizeof(struct mmsghdr): the msghdr, then `unsigned int msg_len`, padded to 8. */
const MMSG = (MSGHDR.size + 4 + 7) & ~7;
const MSG_LEN = MSGHDR.size;
/** The most datagrams one call takes (core's MAX_BATCH). */
const VLEN = 256;
const HEADER = RECVMSG_OUT_SIZE + DGRAM_NAMELEN;

const scratch = new Uint8Array(VLEN * (MMSG + IOVEC.size));
const dv = new DataView(scratch.buffer);
const base = addressOf(scratch);
const iovs = VLEN * MMSG;
for (let i = 0; i < VLEN; i++) {
  // The vector's own pointers never change: each msghdr's one iovec.
  setPtr(i * MMSG + MSGHDR.iov, base + iovs + i * IOVEC.size);
  setPtr(i * MMSG + MSGHDR.iovlen, 1);
}
/** Pool buffers taken for the call in progress. */
const taken = new Int32Array(VLEN);

/** recvmmsg into up to `op.batch.length / 2` pool buffers → datagrams received, or -errno. */
export function recvmmsgPooled(op: Op): number {
  const pool = op.pool!;
  const batch = (op as DatagramBatchOp).batch;
  const want = Math.min(batch.length >> 1, VLEN);
  let n = 0;
  for (; n < want; n++) {
    const bid = pool.take();
    if (bid < 0) break;
    taken[n] = bid;
    const a = addressOf(pool.buffer(bid));
    const m = n * MMSG;
    setPtr(m + MSGHDR.name, a + RECVMSG_OUT_SIZE);
    dv.setUint32(m + MSGHDR.namelen, DGRAM_NAMELEN, true);
    dv.setInt32(m + MSGHDR.flags, 0, true);
    const v = iovs + n * IOVEC.size;
    setPtr(v + IOVEC.base, a + HEADER);
    setPtr(v + IOVEC.len, Math.max(0, pool.size - HEADER));
  }
  if (n === 0) return -ENOBUFS;
  // MSG_TRUNC: msg_len is each datagram's real length, as io_uring's payloadlen is.
  const r = ffi.recvmmsg(op.fd, base, n, MSG_TRUNC, 0);
  const err = r < 0 ? -ffi.errno() : 0;
  const got = r < 0 ? 0 : r;
  for (let i = 0; i < got; i++) {
    const m = i * MMSG;
    const bid = taken[i]!;
    const b = pool.buffer(bid);
    const payload = dv.getUint32(m + MSG_LEN, true);
    const kept = Math.min(payload, Math.max(0, pool.size - HEADER));
    putU32(b, 0, dv.getUint32(m + MSGHDR.namelen, true));
    putU32(b, 4, 0);
    putU32(b, 8, payload);
    putU32(b, 12, dv.getInt32(m + MSGHDR.flags, true));
    batch[2 * i] = bid;
    batch[2 * i + 1] = HEADER + kept;
  }
  for (let i = n - 1; i >= got; i--) pool.untake(taken[i]!);
  return r < 0 ? err : got;
}

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 255;
  b[at + 1] = (v >>> 8) & 255;
  b[at + 2] = (v >>> 16) & 255;
  b[at + 3] = (v >>> 24) & 255;
}

/** Store a pointer or size_t (< 2^53) as a little-endian u64. */
function setPtr(at: number, n: number): void {
  dv.setUint32(at, n >>> 0, true);
  dv.setUint32(at + 4, Math.floor(n / 4294967296), true);
}
