/**
 * A stream read through a buffer pool: one RECV_POOL op, and the back-pressure loop around it
 * (ENOBUFS → wait for a release → try again), written once for both drivers.
 * @module
 */
import type { BufferLease } from './buffer-lease.js';
import type { BufferPool } from './buffer-pool.js';
import { HandleClosedError, PoolClosedError } from './errors.js';
import { Op, OpCode } from './op.js';
import type { StreamSocket } from './stream-socket.js';
import { checkBool, checkOptions, checkSignal } from './validate.js';

/** Options of a pooled `read(pool)`. */
export interface PooledReadOptions {
  /** Cancel the read: it rejects with `AbortError` (unless its bytes had arrived: then it resolves). */
  signal?: AbortSignal;
  /** With no free buffer, reject with `ENOBUFS` instead of waiting for a release. Default false. */
  noWait?: boolean;
}

const ENOBUFS = 'ENOBUFS';

/** `sock.read(pool)`: arguments checked synchronously (misuse throws), then the read. @internal */
export function readPooled(sock: StreamSocket, pool: BufferPool, options: PooledReadOptions | undefined): Promise<[number, BufferLease | null]> {
  const opts = checkOptions<PooledReadOptions>(options);
  const signal = checkSignal(opts.signal);
  const noWait = checkBool('noWait', opts.noWait ?? false);
  if (pool.closed) throw new PoolClosedError();
  return readLoop(sock, pool, signal, noWait);
}

async function readLoop(sock: StreamSocket, pool: BufferPool, signal: AbortSignal | null, noWait: boolean): Promise<[number, BufferLease | null]> {
  for (;;) {
    if (pool.closed) throw new PoolClosedError();
    const epoch = pool._epoch;
    const op = new Op(OpCode.RECV_POOL);
    op.pool = pool;
    const p = sock._startPoolRead(op, signal);
    pool._startRead(op);
    let n: number;
    try {
      n = await p;
    } catch (err) {
      if (pool.closed && (err as { code?: string }).code === 'ERR_RENTIO_HANDLE_CLOSED' && !sock.closed) throw new PoolClosedError();
      if ((err as { code?: string }).code !== ENOBUFS || noWait) throw err;
      // A close that came while the ENOBUFS completion was on its way found no wait to wake.
      if (sock.closed) throw new HandleClosedError('stream', true);
      await pool._released(epoch, signal, sock._poolWait);
      continue;
    } finally {
      pool._endRead(op);
    }
    // INVARIANT: a driver sets op.bid for every completion with bytes; EOF (0) used no buffer.
    return n === 0 ? [0, null] : [n, pool._lease(op.bid, n)];
  }
}
