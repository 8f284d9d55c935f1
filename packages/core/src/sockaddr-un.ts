/**
 * sockaddr_un encoding and decoding for Unix domain sockets (Linux, every ABI):
 * `struct sockaddr_un { sa_family_t sun_family /* u16 *\/; char sun_path[108]; }` — 110 bytes.
 *
 * Two kinds of name (unix(7)):
 * - a filesystem path: its bytes then a NUL, at most 107 bytes + NUL in sun_path; the length
 *   passed to bind/connect is `2 + bytes + 1`;
 * - an abstract name (Linux): a leading NUL then the name's bytes, *not* NUL-terminated — the
 *   length passed is exact (`2 + 1 + name bytes`), and every byte counts, so `'\0x'` and
 *   `'\0x\0'` are different names. At most 107 name bytes after the leading NUL.
 * An unnamed socket (a connecting client, a socketpair) reports a length of 2 (family only).
 * @module
 */
import { Buffer } from 'node:buffer';

/** AF_UNIX (= AF_LOCAL). */
export const AF_UNIX = 1;
/** sizeof(sockaddr_un.sun_path). */
export const SUN_PATH_SIZE = 108;
/** sizeof(struct sockaddr_un). */
export const SOCKADDR_UN_SIZE = 2 + SUN_PATH_SIZE;
/** offsetof(struct sockaddr_un, sun_path). */
const SUN_PATH_OFFSET = 2;

/** True when `path` names an abstract socket (a leading NUL). */
export function isAbstract(path: string): boolean {
  return path.charCodeAt(0) === 0;
}

/**
 * Bytes `path` takes in sun_path: the path and its NUL, or the abstract name with its leading
 * NUL and no terminator.
 */
export function sunPathBytes(path: string): number {
  const n = Buffer.byteLength(path);
  return isAbstract(path) ? n : n + 1;
}

/**
 * Encode `path` into a fresh sockaddr_un; returns the block and the length to pass to
 * bind/connect. The caller checked `sunPathBytes(path) <= SUN_PATH_SIZE` and that a filesystem
 * path holds no NUL (a NUL would silently cut the name the kernel sees).
 */
export function encodeSockaddrUn(path: string): [Uint8Array, number] {
  // INVARIANT: a whole ArrayBuffer of its own: it becomes op.addr, owned until the op completes.
  const out = new Uint8Array(new ArrayBuffer(SOCKADDR_UN_SIZE));
  out[0] = AF_UNIX & 0xff;
  out[1] = AF_UNIX >> 8;
  const n = Buffer.from(out.buffer).write(path, SUN_PATH_OFFSET, SUN_PATH_SIZE, 'utf8');
  // A filesystem path keeps its terminating NUL (already zero); an abstract name is exact.
  return [out, SUN_PATH_OFFSET + (isAbstract(path) ? n : n + 1)];
}

/**
 * Decode the name in a sockaddr_un the kernel filled (getsockname, getpeername, accept):
 * `len` is the length it reported. '' for an unnamed socket, `'\0name'` for an abstract one.
 */
export function decodeSockaddrUn(buf: Uint8Array, len: number): string {
  if (len <= SUN_PATH_OFFSET) return '';
  const end = Math.min(len, SOCKADDR_UN_SIZE);
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b[SUN_PATH_OFFSET] === 0) return b.toString('utf8', SUN_PATH_OFFSET, end);
  // A filesystem path: up to its NUL (the kernel's length may or may not count it).
  let stop = SUN_PATH_OFFSET;
  while (stop < end && b[stop] !== 0) stop++;
  return b.toString('utf8', SUN_PATH_OFFSET, stop);
}
