/**
 * Struct layouts, per architecture, in one place: every byte offset rentio writes into or reads
 * out of a kernel struct comes from here. Sizes and offsets are from the kernel's UAPI headers
 * and glibc's, for the two architectures rentio states: x86-64 (`x64`) and aarch64 (`arm64`),
 * both little-endian LP64. A driver asked to open on any other architecture refuses with
 * `DriverUnavailableError` ({@link abiFor}) rather than guess.
 *
 * What differs between the two is `struct epoll_event`: x86-64 declares it
 * `__attribute__((packed))` (12 bytes, data at 4) for 32-bit compatibility; aarch64 does not
 * (16 bytes, data at 8) — as mio's epoll selector notes. Everything else below is the same on
 * both (LP64), and stated per architecture anyway so a third one is added whole or not at all.
 *
 * liburing's `struct io_uring` is liburing's, not the kernel's: its offsets stay in
 * driver-uring (ring.ts), verified against the library at start.
 * @module
 */
import { DriverUnavailableError } from '../errors.js';

/** Byte offsets and sizes of the structs rentio passes to the kernel. */
export interface Abi {
  /** `process.arch` this describes. */
  readonly arch: string;
  /** struct epoll_event { u32 events; u64 data; } */
  readonly epollEvent: { readonly size: number; readonly events: number; readonly data: number };
  /** struct iovec { void *iov_base; size_t iov_len; } */
  readonly iovec: { readonly size: number; readonly base: number; readonly len: number };
  /** struct msghdr (glibc): name, namelen, iov, iovlen, control, controllen, flags. */
  readonly msghdr: {
    readonly size: number;
    readonly name: number;
    readonly namelen: number;
    readonly iov: number;
    readonly iovlen: number;
    readonly control: number;
    readonly controllen: number;
    readonly flags: number;
  };
  /** struct timespec / __kernel_timespec { i64 tv_sec; i64 tv_nsec; } */
  readonly timespec: { readonly size: number; readonly sec: number; readonly nsec: number };
  /** struct itimerspec { timespec it_interval; timespec it_value; } */
  readonly itimerspec: { readonly size: number; readonly interval: number; readonly value: number };
  /** struct sockaddr_in { u16 family; be16 port; be32 addr; u8 zero[8]; } */
  readonly sockaddrIn: { readonly size: number; readonly family: number; readonly port: number; readonly addr: number };
  /** struct sockaddr_in6 { u16 family; be16 port; u32 flowinfo; u8 addr[16]; u32 scope_id; } */
  readonly sockaddrIn6: {
    readonly size: number;
    readonly family: number;
    readonly port: number;
    readonly flowinfo: number;
    readonly addr: number;
    readonly scopeId: number;
  };
  /** struct sockaddr_un { u16 family; char path[108]; } */
  readonly sockaddrUn: { readonly size: number; readonly family: number; readonly path: number };
  /** sizeof(struct sockaddr_storage) */
  readonly sockaddrStorage: number;
}

/**
 * struct sockaddr_in (<linux/in.h>): fixed-width fields (u16, be16, be32), so one layout on every
 * Linux architecture; core encodes addresses with it before any driver opens.
 */
export const SOCKADDR_IN = { size: 16, family: 0, port: 2, addr: 4 } as const;
/** struct sockaddr_in6 (<linux/in6.h>): fixed-width fields, one layout on every Linux architecture. */
export const SOCKADDR_IN6 = { size: 28, family: 0, port: 2, flowinfo: 4, addr: 8, scopeId: 24 } as const;
/** sizeof(struct sockaddr_storage): 128 on every Linux architecture (<bits/socket.h>). */
export const SOCKADDR_STORAGE_SIZE = 128;

/** LP64 Linux, little-endian: what x86-64 and aarch64 share. */
const LP64 = {
  iovec: { size: 16, base: 0, len: 8 },
  msghdr: { size: 56, name: 0, namelen: 8, iov: 16, iovlen: 24, control: 32, controllen: 40, flags: 48 },
  timespec: { size: 16, sec: 0, nsec: 8 },
  itimerspec: { size: 32, interval: 0, value: 16 },
  sockaddrIn: SOCKADDR_IN,
  sockaddrIn6: SOCKADDR_IN6,
  sockaddrUn: { size: 110, family: 0, path: 2 },
  sockaddrStorage: SOCKADDR_STORAGE_SIZE,
} as const;

const LAYOUTS: Readonly<Record<string, Abi>> = {
  // <asm/epoll.h>: EPOLL_PACKED is __attribute__((packed)) on x86-64 only.
  x64: { arch: 'x64', epollEvent: { size: 12, events: 0, data: 4 }, ...LP64 },
  arm64: { arch: 'arm64', epollEvent: { size: 16, events: 0, data: 8 }, ...LP64 },
};

/** The layouts of the running architecture, or null when rentio does not state them. */
export const ABI: Abi | null = LAYOUTS[process.arch] ?? null;

/**
 * The running architecture's layouts, for a driver about to open. Throws
 * `DriverUnavailableError` (with the reason) on an architecture whose layouts are not stated.
 *
 * @example
 * ```ts
 * const abi = abiFor('epoll') // throws on e.g. riscv64
 * const eventSize = abi.epollEvent.size
 * ```
 */
export function abiFor(driver: string): Abi {
  const abi = LAYOUTS[process.arch];
  if (abi) return abi;
  throw new DriverUnavailableError(driver, `struct layouts for ${process.arch} are not stated in rentio (known: ${Object.keys(LAYOUTS).join(', ')})`);
}

/**
 * struct statx (<linux/stat.h>): one layout on every architecture (fixed-width UAPI fields).
 * Timestamps are struct statx_timestamp { i64 tv_sec; u32 tv_nsec; i32 pad; }.
 */
export const STATX = {
  size: 256,
  mask: 0,
  blksize: 4,
  attributes: 8,
  nlink: 16,
  uid: 20,
  gid: 24,
  mode: 28,
  ino: 32,
  sizeField: 40,
  blocks: 48,
  attributesMask: 56,
  atime: 64,
  btime: 80,
  ctime: 96,
  mtime: 112,
  rdevMajor: 128,
  rdevMinor: 132,
  devMajor: 136,
  devMinor: 140,
  tsNsec: 8,
} as const;
