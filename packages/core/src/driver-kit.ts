/**
 * `@rentio/core/driver`: everything a driver may import from core — the contract, the op
 * description, the parker, and the errno path. A driver imports nothing else of core.
 * @module
 */
export type { Driver, DriverModel, DriverModule, DriverOptions, DriverStats } from './driver.js';
export { Op, OpCode, OP_NAME, SYSCALL, ECANCELED, EAGAIN, EINTR, RES_CREDENTIALS_CHANGED } from './op.js';
export { CancelCause, ETIMEDOUT, waitsForPeer } from './op.js';
export { DatagramBatchOp, DGRAM_NAMELEN, RECVMSG_OUT_SIZE } from './op.js';
export { Parker } from './parker.js';
export { DriverUnavailableError, CredentialsChangedError, InvalidArgValueError, UnsupportedError, errnoException, errnoName } from './errors.js';
export { FSYNC_DATASYNC, SHUT_RD, SHUT_RDWR, SHUT_WR } from './constants.js';
export { STATX_SIZE } from './stats.js';
export { SOCKADDR_STORAGE } from './sockaddr.js';
export { libc, errno, addressOf, type Libc } from './sys/libc.js';
export { getsockoptInt } from './sys/sockopt.js';
export { ABI, STATX, abiFor, type Abi } from './sys/abi.js';
export type { PoolMemory, PoolProvider } from './buffer-pool.js';
export { faultPlan } from './faults.js';
export { FdMap, FdSet } from './fd-table.js';
