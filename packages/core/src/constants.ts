/**
 * Socket constants core needs to describe ops (values from <sys/socket.h>, <netinet/in.h>,
 * <netinet/tcp.h> on Linux; identical on every Linux ABI rentio runs on).
 * @module
 */
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
/** openat/statx/fchmodat/unlinkat: relative to the current directory. */
export const AT_FDCWD = -100;
export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_KEEPALIVE = 9;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_BROADCAST = 6;
export const SO_REUSEPORT = 15;
/** struct linger { int l_onoff; int l_linger; }: on with 0 s makes close(2) send RST, not FIN. */
export const SO_LINGER = 13;
export const IPPROTO_IP = 0;
export const IP_TTL = 2;
export const IP_MULTICAST_IF = 32;
export const IP_MULTICAST_TTL = 33;
export const IP_MULTICAST_LOOP = 34;
export const IP_ADD_MEMBERSHIP = 35;
export const IP_DROP_MEMBERSHIP = 36;
export const IPV6_UNICAST_HOPS = 16;
export const IPV6_MULTICAST_IF = 17;
export const IPV6_MULTICAST_HOPS = 18;
export const IPV6_MULTICAST_LOOP = 19;
export const IPV6_ADD_MEMBERSHIP = 20;
export const IPV6_DROP_MEMBERSHIP = 21;
/** recvmsg: msg_flags bit set when the datagram was longer than the buffer (the rest is gone). */
export const MSG_TRUNC = 0x20;
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
