/**
 * Socket options and names: synchronous syscalls that behave the same under every kernel model,
 * so core makes them itself rather than through a driver.
 * @module
 */
import { libc, errno } from './libc.js';

// One scratch for the calls' small in/out values: each call is synchronous, so the kernel is done
// with it when the call returns.
const scratch = new Uint8Array(new ArrayBuffer(8));
const view = new DataView(scratch.buffer);
const lenScratch = new Uint8Array(new ArrayBuffer(4));
const lenView = new DataView(lenScratch.buffer);

/** setsockopt(fd, level, name, &value, sizeof(int)). Returns 0 or -errno. */
export function setsockoptInt(fd: number, level: number, name: number, value: number): number {
  view.setInt32(0, value, true);
  return libc().setsockopt(fd, level, name, scratch, 4) < 0 ? -errno() : 0;
}

/** setsockopt(fd, level, name, bytes, bytes.byteLength), for struct values (struct linger...). Returns 0 or -errno. */
export function setsockoptBytes(fd: number, level: number, name: number, bytes: Uint8Array): number {
  return libc().setsockopt(fd, level, name, bytes, bytes.byteLength) < 0 ? -errno() : 0;
}

/** getsockopt(fd, level, name) of an int option: its value (>= 0), or -errno. */
export function getsockoptInt(fd: number, level: number, name: number): number {
  lenView.setUint32(0, 4, true);
  if (libc().getsockopt(fd, level, name, scratch, lenScratch) < 0) return -errno();
  return view.getInt32(0, true);
}

/** getsockname (peer false) / getpeername (peer true) into `out`. Returns the address length or -errno. */
export function sockname(fd: number, peer: boolean, out: Uint8Array): number {
  lenView.setUint32(0, out.byteLength, true);
  const c = libc();
  const r = peer ? c.getpeername(fd, out, lenScratch) : c.getsockname(fd, out, lenScratch);
  return r < 0 ? -errno() : lenView.getUint32(0, true);
}
