/**
 * Socket constants core needs to describe ops (values from <sys/socket.h>, <netinet/in.h>,
 * <netinet/tcp.h> on Linux; identical on every Linux ABI rentio runs on).
 * @module
 */
export const SOCK_STREAM = 1;
export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_KEEPALIVE = 9;
export const IPPROTO_TCP = 6;
export const IPPROTO_IPV6 = 41;
export const TCP_NODELAY = 1;
export const TCP_KEEPIDLE = 4;
export const IPV6_V6ONLY = 26;
export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;
/** IORING_FSYNC_DATASYNC, reused by both drivers to mean fdatasync. */
export const FSYNC_DATASYNC = 1;
