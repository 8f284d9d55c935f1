/**
 * Kernel constants, named exactly as `<liburing/io_uring.h>` (and libc's headers) name them.
 * Values are the Linux UAPI's and identical on every architecture rentio runs on.
 *
 * The opcodes past IORING_OP_SENDMSG_ZC are newer than liburing 2.3's header; they are used only
 * after `io_uring_get_probe_ring` says the running kernel has them.
 * @module
 */

// --- enum io_uring_op (the ones rentio uses) ---
export const IORING_OP_NOP = 0;
export const IORING_OP_READV = 1;
export const IORING_OP_WRITEV = 2;
export const IORING_OP_FSYNC = 3;
export const IORING_OP_SENDMSG = 9;
export const IORING_OP_RECVMSG = 10;
export const IORING_OP_TIMEOUT = 11;
export const IORING_OP_ACCEPT = 13;
export const IORING_OP_ASYNC_CANCEL = 14;
export const IORING_OP_CONNECT = 16;
export const IORING_OP_OPENAT = 18;
export const IORING_OP_CLOSE = 19;
export const IORING_OP_STATX = 21;
export const IORING_OP_READ = 22;
export const IORING_OP_WRITE = 23;
export const IORING_OP_SEND = 26;
export const IORING_OP_RECV = 27;
export const IORING_OP_SHUTDOWN = 34;
/** Linux 5.11. */
export const IORING_OP_UNLINKAT = 36;
/** Linux 5.19. */
export const IORING_OP_SOCKET = 45;
/** Linux 6.9; not in liburing 2.3's header. */
export const IORING_OP_FTRUNCATE = 55;
/** Linux 6.11; not in liburing 2.3's header. */
export const IORING_OP_BIND = 56;
/** Linux 6.11; not in liburing 2.3's header. */
export const IORING_OP_LISTEN = 57;
// --- opcodes for deadlines, zero-copy send and file-to-socket splice ---
/** Linux 5.5: a timeout linked to the SQE before it (which carries IOSQE_IO_LINK). */
export const IORING_OP_LINK_TIMEOUT = 15;
/** Linux 5.7. */
export const IORING_OP_SPLICE = 30;
/** Linux 6.0: two CQEs, the result (IORING_CQE_F_MORE) and the notification (IORING_CQE_F_NOTIF). */
export const IORING_OP_SEND_ZC = 47;

/** Names of the opcodes above, for probe reports and messages. */
export const IORING_OP_NAME: Record<number, string> = {
  [IORING_OP_NOP]: 'IORING_OP_NOP',
  [IORING_OP_READV]: 'IORING_OP_READV',
  [IORING_OP_WRITEV]: 'IORING_OP_WRITEV',
  [IORING_OP_FSYNC]: 'IORING_OP_FSYNC',
  [IORING_OP_SENDMSG]: 'IORING_OP_SENDMSG',
  [IORING_OP_RECVMSG]: 'IORING_OP_RECVMSG',
  [IORING_OP_TIMEOUT]: 'IORING_OP_TIMEOUT',
  [IORING_OP_ACCEPT]: 'IORING_OP_ACCEPT',
  [IORING_OP_ASYNC_CANCEL]: 'IORING_OP_ASYNC_CANCEL',
  [IORING_OP_CONNECT]: 'IORING_OP_CONNECT',
  [IORING_OP_OPENAT]: 'IORING_OP_OPENAT',
  [IORING_OP_CLOSE]: 'IORING_OP_CLOSE',
  [IORING_OP_STATX]: 'IORING_OP_STATX',
  [IORING_OP_READ]: 'IORING_OP_READ',
  [IORING_OP_WRITE]: 'IORING_OP_WRITE',
  [IORING_OP_SEND]: 'IORING_OP_SEND',
  [IORING_OP_RECV]: 'IORING_OP_RECV',
  [IORING_OP_SHUTDOWN]: 'IORING_OP_SHUTDOWN',
  [IORING_OP_UNLINKAT]: 'IORING_OP_UNLINKAT',
  [IORING_OP_SOCKET]: 'IORING_OP_SOCKET',
  [IORING_OP_FTRUNCATE]: 'IORING_OP_FTRUNCATE',
  [IORING_OP_BIND]: 'IORING_OP_BIND',
  [IORING_OP_LISTEN]: 'IORING_OP_LISTEN',
  [IORING_OP_LINK_TIMEOUT]: 'IORING_OP_LINK_TIMEOUT',
  [IORING_OP_SPLICE]: 'IORING_OP_SPLICE',
  [IORING_OP_SEND_ZC]: 'IORING_OP_SEND_ZC',
};

// --- sqe->flags (IOSQE_*_BIT) ---
/** The next SQE starts only after this one completes (fully: a short result breaks the chain). */
export const IOSQE_IO_LINK = 1 << 2;

// --- cqe->flags ---
/** More CQEs follow for this user_data (multishot; SEND_ZC: the notification). */
export const IORING_CQE_F_MORE = 1 << 1;
/** This CQE is SEND_ZC's notification: the kernel no longer reads the buffer. */
export const IORING_CQE_F_NOTIF = 1 << 3;

// --- sqe->ioprio for send/recv ---
/** SEND_ZC: report in the notification's res whether the kernel copied after all. */
export const IORING_SEND_ZC_REPORT_USAGE = 1 << 3;
/** Notification res bit (with REPORT_USAGE): the data was copied, not sent from the pages. */
export const IORING_NOTIF_USAGE_ZC_COPIED = 1 << 31;

// --- sqe->flags, cqe->flags and sqe->ioprio for provided buffers and multishot ---
/** Select a buffer from the provided-buffer group in `sqe->buf_group` (Linux 5.7; rings 5.19). */
export const IOSQE_BUFFER_SELECT = 1 << 5;

/** The upper 16 bits of cqe->flags are the id of the buffer the kernel picked. */
export const IORING_CQE_F_BUFFER = 1 << 0;
export const IORING_CQE_BUFFER_SHIFT = 16;

export const IORING_RECV_MULTISHOT = 1 << 1;
export const IORING_ACCEPT_MULTISHOT = 1 << 0;

// --- io_uring_setup() flags ---
export const IORING_SETUP_CQSIZE = 1 << 3;
export const IORING_SETUP_CLAMP = 1 << 4;
export const IORING_SETUP_SUBMIT_ALL = 1 << 7;
export const IORING_SETUP_COOP_TASKRUN = 1 << 8;
export const IORING_SETUP_TASKRUN_FLAG = 1 << 9;
export const IORING_SETUP_SINGLE_ISSUER = 1 << 12;
export const IORING_SETUP_DEFER_TASKRUN = 1 << 13;

/** Setup flags by name, as `DriverOptions.setupFlags` and `rentio doctor` spell them. */
export const IORING_SETUP: Record<string, number> = {
  CLAMP: IORING_SETUP_CLAMP,
  SUBMIT_ALL: IORING_SETUP_SUBMIT_ALL,
  COOP_TASKRUN: IORING_SETUP_COOP_TASKRUN,
  TASKRUN_FLAG: IORING_SETUP_TASKRUN_FLAG,
  SINGLE_ISSUER: IORING_SETUP_SINGLE_ISSUER,
  DEFER_TASKRUN: IORING_SETUP_DEFER_TASKRUN,
};

// --- io_uring_params.features ---
export const IORING_FEAT_SINGLE_MMAP = 1 << 0;
export const IORING_FEAT_NODROP = 1 << 1;
export const IORING_FEAT_SUBMIT_STABLE = 1 << 2;
export const IORING_FEAT_RW_CUR_POS = 1 << 3;
export const IORING_FEAT_FAST_POLL = 1 << 5;

// --- sq_ring->flags ---
export const IORING_SQ_NEED_WAKEUP = 1 << 0;
export const IORING_SQ_CQ_OVERFLOW = 1 << 1;
export const IORING_SQ_TASKRUN = 1 << 2;

// --- cq_ring->flags ---
export const IORING_CQ_EVENTFD_DISABLED = 1 << 0;

// --- sqe->fsync_flags ---
export const IORING_FSYNC_DATASYNC = 1 << 0;

// --- io_uring_probe ---
export const IO_URING_OP_SUPPORTED = 1 << 0;

// --- libc: <fcntl.h>, <sys/socket.h>, <errno.h> ---
export const AT_FDCWD = -100;
export const SOCK_CLOEXEC = 0o2000000;
export const MSG_NOSIGNAL = 0x4000;
/** recvmsg flag: the result is the datagram's real length even when it did not fit. */
export const MSG_TRUNC = 0x20;
export const EFD_CLOEXEC = 0o2000000;
export const EFD_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;
/** fcntl(2) command setting a pipe's capacity (Linux 2.6.35). */
export const F_SETPIPE_SZ = 1031;
