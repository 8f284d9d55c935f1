/*
 * UDP load client, one thread, epoll.
 *   --mode pingpong: `--socks` connected sockets, each with one `--size`-byte datagram in flight:
 *     send, wait for the echo, record the round trip, send the next (closed loop). A datagram not
 *     answered within 200 ms is counted lost and sent again.
 *   --mode flood: one connected socket sends `--size`-byte datagrams back to back (waiting on
 *     EPOLLOUT when the socket buffer is full); the server counts what it received.
 * Runs `--warmup` ms unrecorded, then `--duration` ms recorded. Prints one JSON line:
 *   pingpong {"msgs","total_msgs","seconds","msgs_per_s","p50_us","p99_us","max_us","lost","errors"}
 *   flood    {"sent","total_sent","seconds","sent_per_s","errors"}
 * Usage: udp-client --host 127.0.0.1 --port N --mode pingpong --socks 8 --size 64 --duration 2000 --warmup 300
 */
#include "common.h"
#include <fcntl.h>
#include <sys/epoll.h>

struct peer {
  int fd;
  long long t0;
};

static int cmp_u32(const void *a, const void *b) {
  unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
  return x < y ? -1 : x > y;
}

static int udp_connected(struct sockaddr_storage *ss, socklen_t slen) {
  int fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  if (connect(fd, (struct sockaddr *)ss, slen) < 0) die("connect");
  return fd;
}

int main(int argc, char **argv) {
  install_stop();
  const char *host = arg_str(argc, argv, "--host", "127.0.0.1");
  const char *mode = arg_str(argc, argv, "--mode", "pingpong");
  int port = (int)arg_long(argc, argv, "--port", 0);
  int nsock = (int)arg_long(argc, argv, "--socks", 1);
  int size = (int)arg_long(argc, argv, "--size", 64);
  long duration_ms = arg_long(argc, argv, "--duration", 2000);
  long warmup_ms = arg_long(argc, argv, "--warmup", 300);
  int flood = strcmp(mode, "flood") == 0;
  if (nsock < 1 || nsock > 4096 || size < 1 || size > 65507 || port <= 0 || (!flood && strcmp(mode, "pingpong"))) { fprintf(stderr, "bad arguments\n"); return 2; }

  char *out = malloc(size), *in = malloc(1 << 16);
  for (int i = 0; i < size; i++) out[i] = (char)('a' + i % 26);
  struct sockaddr_storage ss;
  socklen_t slen = loopback_addr(host, port, &ss);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  long long start = now_ns(), rec_start = start + warmup_ms * 1000000LL, end = rec_start + duration_ms * 1000000LL;
  long errors = 0;

  if (flood) {
    int fd = udp_connected(&ss, slen);
    struct epoll_event ev = { .events = EPOLLOUT, .data.fd = fd };
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    long sent = 0, total = 0;
    int recording = warmup_ms == 0;
    if (recording) rec_start = start;
    while (!stop_flag) {
      ssize_t w = send(fd, out, size, 0);
      long long t = (total & 63) == 0 ? now_ns() : 0;
      if (w == size) {
        total++;
        if (recording) sent++;
      } else if (w < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
        struct epoll_event evs[1];
        epoll_wait(ep, evs, 1, 100);
        t = now_ns();
      } else if (w < 0 && errno == ECONNREFUSED) {
        errors++; /* the server's socket was not there yet, or is gone */
        if (errors > 100) break;
      } else if (w < 0 && errno != EINTR) die("send");
      if (t) {
        if (!recording && t >= rec_start) { recording = 1; rec_start = t; end = t + duration_ms * 1000000LL; }
        if (recording && t >= end) break;
      }
    }
    double secs = (now_ns() - rec_start) / 1e9;
    printf("{\"sent\":%ld,\"total_sent\":%ld,\"seconds\":%.4f,\"sent_per_s\":%.1f,\"errors\":%ld}\n", sent, total, secs, secs > 0 ? sent / secs : 0, errors);
    return 0;
  }

  struct peer *ps = calloc(nsock, sizeof *ps);
  for (int i = 0; i < nsock; i++) {
    ps[i].fd = udp_connected(&ss, slen);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &ps[i] };
    epoll_ctl(ep, EPOLL_CTL_ADD, ps[i].fd, &ev);
  }
  size_t cap = 1 << 20, nlat = 0;
  unsigned *lat = malloc(cap * sizeof *lat);
  long long rec_end = 0;
  long msgs = 0, total = 0, lost = 0;
  int recording = warmup_ms == 0;
  if (recording) rec_start = start;
  for (int i = 0; i < nsock; i++) {
    ps[i].t0 = now_ns();
    if (send(ps[i].fd, out, size, 0) != size) die("send");
  }
  struct epoll_event evs[512];
  int done = 0;
  while (!done && !stop_flag) {
    int n = epoll_wait(ep, evs, 512, 50);
    if (n < 0) { if (errno == EINTR) continue; die("epoll_wait"); }
    long long t = now_ns();
    if (!recording && t >= rec_start) { recording = 1; rec_start = t; end = t + duration_ms * 1000000LL; }
    for (int i = 0; i < n; i++) {
      struct peer *p = evs[i].data.ptr;
      ssize_t r = recv(p->fd, in, 1 << 16, 0);
      if (r < 0) {
        if (errno == EAGAIN) continue;
        if (errno == ECONNREFUSED) { errors++; if (errors > 100) { done = 1; break; } p->t0 = t; send(p->fd, out, size, 0); continue; }
        die("recv");
      }
      if (r != size) { fprintf(stderr, "udp-client: echo of %zd bytes, sent %d\n", r, size); errors++; }
      total++;
      if (recording) {
        if (nlat == cap) { cap *= 2; lat = realloc(lat, cap * sizeof *lat); }
        long long d = t - p->t0;
        lat[nlat++] = d > 0xffffffffLL ? 0xffffffffu : (unsigned)d;
        msgs++;
      }
      if (recording && t >= end) { done = 1; rec_end = t; break; }
      p->t0 = t;
      if (send(p->fd, out, size, 0) != size) { errors++; }
    }
    /* A datagram unanswered for 200 ms is lost (UDP): count it and send the next. */
    for (int i = 0; i < nsock && !done; i++) {
      if (t - ps[i].t0 > 200000000LL) { lost++; ps[i].t0 = t; send(ps[i].fd, out, size, 0); }
    }
    if (recording && t >= end) done = 1;
  }
  if (!rec_end) rec_end = now_ns();
  double secs = (rec_end - rec_start) / 1e9;
  qsort(lat, nlat, sizeof *lat, cmp_u32);
  double p50 = nlat ? lat[nlat / 2] / 1e3 : 0, p99 = nlat ? lat[(size_t)(nlat * 0.99)] / 1e3 : 0, mx = nlat ? lat[nlat - 1] / 1e3 : 0;
  printf("{\"msgs\":%ld,\"total_msgs\":%ld,\"seconds\":%.4f,\"msgs_per_s\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,\"lost\":%ld,\"errors\":%ld}\n",
         msgs, total, secs, secs > 0 ? msgs / secs : 0, p50, p99, mx, lost, errors);
  return errors > 100 ? 1 : 0;
}
