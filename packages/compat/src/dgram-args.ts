/**
 * The arguments of the node:dgram-compatible socket: node:dgram's validation (same checks, codes
 * and messages) and the staging of a datagram's bytes.
 * @module
 */
import { Buffer } from 'node:buffer';
import { alloc } from '@rentio/core';
import { argType, bufferOutOfBounds, socketBadPort } from './errors.js';
import { SLAB_SIZE, SMALL_SLAB_SIZE, pool, smallPool } from './pool.js';

/** What node:dgram accepts as a datagram's bytes. */
export type DatagramData = string | ArrayBufferView;

const DATA_TYPES = 'of type string or an instance of Buffer, TypedArray, or DataView';

/**
 * A port as node:dgram's `validatePort` takes it: a number or numeric string in 0..65535 (1..
 * when `allowZero` is false), else `ERR_SOCKET_BAD_PORT`.
 */
export function validatePort(port: unknown, name: string, allowZero: boolean): number {
  if (
    (typeof port !== 'number' && typeof port !== 'string') ||
    (typeof port === 'string' && port.trim().length === 0) ||
    +port !== +port >>> 0 ||
    +port > 0xffff ||
    (+port === 0 && !allowZero)
  ) {
    throw socketBadPort(name, port, allowZero);
  }
  return +port | 0;
}

/** `ERR_INVALID_ARG_TYPE` unless `value` is a string. */
export function validateString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw argType(name, 'of type string', value);
}

/** `ERR_INVALID_ARG_TYPE` unless `value` is a number. */
export function validateNumber(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') throw argType(name, 'of type number', value);
}

/** The `offset`/`length` window of `send(buffer, offset, length, ...)`, checked as node:dgram does. */
export function sliceData(data: unknown, offset: unknown, length: unknown): Uint8Array {
  let bytes: Uint8Array;
  if (typeof data === 'string') bytes = Buffer.from(data);
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else throw argType('buffer', DATA_TYPES, data);
  const off = (offset as number) >>> 0;
  const len = (length as number) >>> 0;
  if (off > bytes.byteLength) throw bufferOutOfBounds('offset');
  if (off + len > bytes.byteLength) throw bufferOutOfBounds('length');
  return bytes.subarray(off, off + len);
}

/** The pieces of one datagram: a buffer, a string, or an array of them (sent as one datagram). */
export function dataList(data: unknown): DatagramData[] {
  if (!Array.isArray(data)) {
    if (typeof data === 'string' || ArrayBuffer.isView(data)) return [data];
    throw argType('buffer', DATA_TYPES, data);
  }
  for (const piece of data) {
    if (typeof piece !== 'string' && !ArrayBuffer.isView(piece)) throw argType('buffer list arguments', DATA_TYPES, data);
  }
  return data as DatagramData[];
}

/** One datagram staged for the kernel: the first `len` bytes of a rentable buffer compat owns. */
export interface Staged {
  buf: Buffer;
  len: number;
}

/**
 * Copy a datagram's pieces into one rentable buffer now, so the caller may reuse its buffers as
 * soon as `send()` returns (a completion kernel reads the bytes later). A pooled slab when the
 * datagram fits one (every UDP payload ≤ 65,507 bytes does); a larger one gets its own buffer,
 * for the kernel to refuse with `EMSGSIZE` as it would Node's.
 */
export function stage(list: readonly DatagramData[]): Staged {
  let len = 0;
  for (const piece of list) len += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.byteLength;
  const buf = len <= SMALL_SLAB_SIZE ? smallPool.take() : len <= SLAB_SIZE ? pool.take() : Buffer.from(alloc(len).buffer);
  let off = 0;
  for (const piece of list) {
    if (typeof piece === 'string') off += buf.write(piece, off);
    else {
      buf.set(new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength), off);
      off += piece.byteLength;
    }
  }
  return { buf, len };
}
