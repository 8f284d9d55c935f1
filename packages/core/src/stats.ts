/**
 * `struct statx` decoding into a `node:fs`-like Stats object. Offsets (sys/abi.ts's STATX) from <linux/stat.h>:
 * stx_mask 0, stx_blksize 4, stx_attributes 8, stx_nlink 16, stx_uid 20, stx_gid 24,
 * stx_mode 28 (u16), stx_ino 32, stx_size 40, stx_blocks 48, stx_attributes_mask 56,
 * stx_atime 64, stx_btime 80, stx_ctime 96, stx_mtime 112 (struct statx_timestamp: i64 tv_sec,
 * u32 tv_nsec, i32 pad), stx_rdev_major 128, stx_rdev_minor 132, stx_dev_major 136,
 * stx_dev_minor 140. sizeof(struct statx) is 256.
 * @module
 */
import { constants } from 'node:fs';
import { STATX } from './sys/abi.js';

export const STATX_SIZE = STATX.size;
/** STATX_BASIC_STATS | STATX_BTIME */
export const STATX_MASK = 0x7ff | 0x800;
/** AT_EMPTY_PATH: stat the fd itself. */
export const AT_EMPTY_PATH = 0x1000;

/** File status, as `fs.Stats` has it (times in ms, plus `Date`s). */
export class Stats {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  birthtimeMs: number;
  constructor(b: Uint8Array) {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const u64 = (o: number) => Number(dv.getBigUint64(o, true));
    const ts = (o: number) => Number(dv.getBigInt64(o, true)) * 1000 + dv.getUint32(o + STATX.tsNsec, true) / 1e6;
    this.blksize = dv.getUint32(STATX.blksize, true);
    this.nlink = dv.getUint32(STATX.nlink, true);
    this.uid = dv.getUint32(STATX.uid, true);
    this.gid = dv.getUint32(STATX.gid, true);
    this.mode = dv.getUint16(STATX.mode, true);
    this.ino = u64(STATX.ino);
    this.size = u64(STATX.sizeField);
    this.blocks = u64(STATX.blocks);
    this.atimeMs = ts(STATX.atime);
    this.birthtimeMs = ts(STATX.btime);
    this.ctimeMs = ts(STATX.ctime);
    this.mtimeMs = ts(STATX.mtime);
    this.rdev = makedev(dv.getUint32(STATX.rdevMajor, true), dv.getUint32(STATX.rdevMinor, true));
    this.dev = makedev(dv.getUint32(STATX.devMajor, true), dv.getUint32(STATX.devMinor, true));
  }
  get atime(): Date {
    return new Date(this.atimeMs);
  }
  get mtime(): Date {
    return new Date(this.mtimeMs);
  }
  get ctime(): Date {
    return new Date(this.ctimeMs);
  }
  get birthtime(): Date {
    return new Date(this.birthtimeMs);
  }
  isFile(): boolean {
    return (this.mode & constants.S_IFMT) === constants.S_IFREG;
  }
  isDirectory(): boolean {
    return (this.mode & constants.S_IFMT) === constants.S_IFDIR;
  }
  isSymbolicLink(): boolean {
    return (this.mode & constants.S_IFMT) === constants.S_IFLNK;
  }
  isFIFO(): boolean {
    return (this.mode & constants.S_IFMT) === constants.S_IFIFO;
  }
  isSocket(): boolean {
    return (this.mode & constants.S_IFMT) === constants.S_IFSOCK;
  }
  isCharacterDevice(): boolean {
    return (this.mode & constants.S_IFMT) === constants.S_IFCHR;
  }
  isBlockDevice(): boolean {
    return (this.mode & constants.S_IFMT) === constants.S_IFBLK;
  }
}

// glibc's makedev, as Node reports dev numbers.
function makedev(major: number, minor: number): number {
  return ((major & 0xfff) << 8) + (minor & 0xff) + ((minor & ~0xff) << 12) + (major & ~0xfff) * 2 ** 32;
}
