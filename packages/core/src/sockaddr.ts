/**
 * sockaddr_in / sockaddr_in6 encoding and decoding, in JS bytes (no libc needed).
 * Layouts (x86-64 and every Linux ABI): sin_family u16 host order, port u16 network order,
 * then the IPv4 address (sockaddr_in, 16 bytes) or flowinfo u32, 16 address bytes, scope_id u32
 * (sockaddr_in6, 28 bytes).
 * @module
 */
import { isIPv4, isIPv6 } from 'node:net';

export const AF_INET = 2;
export const AF_INET6 = 10;
/** sizeof(struct sockaddr_storage) */
export const SOCKADDR_STORAGE = 128;

/** A decoded socket address, as `net.Socket#address()` reports it. */
export interface SocketAddressInfo {
  address: string;
  family: 'IPv4' | 'IPv6';
  port: number;
}

/** Encode `address:port` into `out` (>= 28 bytes); returns the sockaddr length. */
export function encodeSockaddr(address: string, port: number, out: Uint8Array): number {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.fill(0, 0, 28);
  if (isIPv4(address)) {
    dv.setUint16(0, AF_INET, true);
    dv.setUint16(2, port, false);
    out.set(address.split('.').map(Number), 4);
    return 16;
  }
  const { bytes, scope } = parseIPv6(address);
  dv.setUint16(0, AF_INET6, true);
  dv.setUint16(2, port, false);
  out.set(bytes, 8);
  dv.setUint32(24, scope, true);
  return 28;
}

/** Decode a sockaddr_in / sockaddr_in6. */
export function decodeSockaddr(buf: Uint8Array): SocketAddressInfo {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const family = dv.getUint16(0, true);
  const port = dv.getUint16(2, false);
  if (family === AF_INET) return { address: `${buf[4]}.${buf[5]}.${buf[6]}.${buf[7]}`, family: 'IPv4', port };
  if (family === AF_INET6) return { address: formatIPv6(buf.subarray(8, 24)), family: 'IPv6', port };
  return { address: '', family: 'IPv4', port: 0 };
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
        const [a, b, c, d] = g.split('.').map(Number);
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
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((b[i] << 8) | b[i + 1]);
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
