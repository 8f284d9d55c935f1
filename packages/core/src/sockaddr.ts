/**
 * sockaddr_in / sockaddr_in6 encoding and decoding, in JS bytes (no libc needed).
 * Layouts (sys/abi.ts; the same on every Linux ABI): sin_family u16 host order, port u16 network
 * order, then the IPv4 address (sockaddr_in, 16 bytes) or flowinfo u32, 16 address bytes,
 * scope_id u32 (sockaddr_in6, 28 bytes).
 * @module
 */
import { isIPv4, isIPv6 } from 'node:net';
import { SOCKADDR_IN as IN, SOCKADDR_IN6 as IN6, SOCKADDR_STORAGE_SIZE } from './sys/abi.js';

export const AF_INET = 2;
export const AF_INET6 = 10;
/** sizeof(struct sockaddr_storage) */
export const SOCKADDR_STORAGE = SOCKADDR_STORAGE_SIZE;

/** A decoded socket address, as `net.Socket#address()` reports it. */
export interface SocketAddressInfo {
  address: string;
  family: 'IPv4' | 'IPv6';
  port: number;
}

/** Encode `address:port` into `out` (>= 28 bytes, sizeof sockaddr_in6); returns the sockaddr length. */
export function encodeSockaddr(address: string, port: number, out: Uint8Array): number {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.fill(0, 0, IN6.size);
  if (isIPv4(address)) {
    dv.setUint16(IN.family, AF_INET, true);
    dv.setUint16(IN.port, port, false);
    out.set(address.split('.').map(Number), IN.addr);
    return IN.size;
  }
  const { bytes, scope } = parseIPv6(address);
  dv.setUint16(IN6.family, AF_INET6, true);
  dv.setUint16(IN6.port, port, false);
  out.set(bytes, IN6.addr);
  dv.setUint32(IN6.scopeId, scope, true);
  return IN6.size;
}

/** Decode a sockaddr_in / sockaddr_in6. */
export function decodeSockaddr(buf: Uint8Array): SocketAddressInfo {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  // family and port sit at the same offsets in both structs.
  const family = dv.getUint16(IN.family, true);
  const port = dv.getUint16(IN.port, false);
  if (family === AF_INET) return { address: buf.subarray(IN.addr, IN.addr + 4).join('.'), family: 'IPv4', port };
  if (family === AF_INET6) return { address: formatIPv6(buf.subarray(IN6.addr, IN6.addr + 16)), family: 'IPv6', port };
  return { address: '', family: 'IPv4', port: 0 };
}

/**
 * An IPv4 sockaddr packed into one number, `address * 65536 + port` (exact: below 2^48), or null
 * for any other family. An accepted connection keeps its peer this way until it is asked for: a
 * number instead of an object and an address string per connection.
 */
export function packInet4(buf: Uint8Array): number | null {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (dv.getUint16(IN.family, true) !== AF_INET) return null;
  return dv.getUint32(IN.addr, false) * 65536 + dv.getUint16(IN.port, false);
}

/** The address {@link packInet4} packed. */
export function unpackInet4(packed: number): SocketAddressInfo {
  const a = Math.floor(packed / 65536);
  return { address: `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`, family: 'IPv4', port: packed % 65536 };
}

function parseIPv6(text: string): { bytes: Uint8Array; scope: number } {
  let scope = 0;
  const pct = text.indexOf('%');
  if (pct >= 0) {
    scope = Number(text.slice(pct + 1)) || 0;
    text = text.slice(0, pct);
  }
  if (!isIPv6(text)) throw new TypeError(`not an IP address: ${text}`);
  const words: number[] = [];
  const [headText, tailText] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (part: string | undefined): number[] => {
    if (!part) return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        // isIPv6 accepted the text, so an embedded IPv4 part has its four numbers.
        const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
        out.push((a << 8) | b, (c << 8) | d);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(headText);
  const tail = parse(tailText);
  words.push(...head);
  if (tailText !== undefined) for (let i = head.length + tail.length; i < 8; i++) words.push(0);
  words.push(...tail);
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[i * 2] = w >> 8;
    bytes[i * 2 + 1] = w & 0xff;
  });
  return { bytes, scope };
}

// RFC 5952 text form, as Node prints addresses ('::1', '::ffff:127.0.0.1').
function formatIPv6(b: Uint8Array): string {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push(dv.getUint16(i, false));
  if (w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  let bestStart = -1,
    bestLen = 0;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = w.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
