/*
 * Closed-loop echo load client: `--conns` connections, each sends one `--size`-byte message, waits
 * for all of it to come back, records the round trip and sends the next. One thread, epoll.
 * Runs `--warmup` ms unrecorded, then `--duration` ms (or until `--count` messages) recorded.
 * Prints one JSON line: {"msgs" (recorded),"total_msgs" (with warm-up),"seconds","msgs_per_s","p50_us","p99_us","max_us","errors"}.
 * Usage: echo-client --host 127.0.0.1 --port N --conns 64 --size 1024 --duration 2000 --warmup 300
 *        echo-client --path /tmp/echo.sock ...   (a Unix domain stream socket instead)
 */
#include "common.h"
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/un.h>

struct conn {
  int fd;
  int sent;
  int got;
  long long t0;
};

static int cmp_u32(const void *a, const void *b) {
  unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  install_stop();
  const char *host = arg_str(argc, argv, "--host", "127.0.0.1");
  const char *unix_path = arg_str(argc, argv, "--path", NULL);
  int port = (int)arg_long(argc, argv, "--port", 0);
  int nconn = (int)arg_long(argc, argv, "--conns", 64);
  int size = (int)arg_long(argc, argv, "--size", 1024);
  long duration_ms = arg_long(argc, argv, "--duration", 2000);
  long warmup_ms = arg_long(argc, argv, "--warmup", 300);
  long max_count = arg_long(argc, argv, "--count", 0); /* 0: bounded by time only */
  if (nconn < 1 || nconn > 65536 || size < 1 || size > (1 << 20) || (port <= 0 && !unix_path)) { fprintf(stderr, "bad arguments\n"); return 2; }

  char *out = malloc(size), *in = malloc(1 << 16);
  for (int i = 0; i < size; i++) out[i] = (char)('a' + i % 26);
  struct sockaddr_storage ss;
  socklen_t slen;
  if (unix_path) {
    struct sockaddr_un *un = (struct sockaddr_un *)&ss;
    memset(&ss, 0, sizeof ss);
    if (strlen(unix_path) >= sizeof un->sun_path) { fprintf(stderr, "path too long: %s\n", unix_path); return 2; }
    un->sun_family = AF_UNIX;
    strcpy(un->sun_path, unix_path);
    slen = sizeof *un;
  } else {
    slen = loopback_addr(host, port, &ss);
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct conn *cs = calloc(nconn, sizeof *cs);
  for (int i = 0; i < nconn; i++) {
    int fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *)&ss, slen) < 0) die("connect");
    if (!unix_path) set_nodelay(fd);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    cs[i].fd = fd;
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &cs[i] };
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }

  size_t cap = 1 << 20, nlat = 0;
  unsigned *lat = malloc(cap * sizeof *lat);
  long long start = now_ns(), rec_start = start + warmup_ms * 1000000LL, end = rec_start + duration_ms * 1000000LL;
  long long rec_end = 0;
  long msgs = 0, total = 0, errors = 0;
  int recording = warmup_ms == 0;
  if (recording) rec_start = start;

  /* One message in flight per connection. A send of <= 64 KiB to an idle loopback socket does not block. */
  for (int i = 0; i < nconn; i++) {
    cs[i].t0 = now_ns();
    ssize_t w = write(cs[i].fd, out, size);
    if (w != size) die("write");
  }
  struct epoll_event evs[512];
  int done = 0;
  while (!done && !stop_flag) {
    int n = epoll_wait(ep, evs, 512, 1000);
    if (n < 0) { if (errno == EINTR) continue; die("epoll_wait"); }
    long long t = now_ns();
    if (n == 0) { fprintf(stderr, "echo-client: no reply for 1 s\n"); errors++; if (errors > 5) break; }
    if (!recording && t >= rec_start) { recording = 1; rec_start = t; end = t + duration_ms * 1000000LL; }
    for (int i = 0; i < n; i++) {
      struct conn *c = evs[i].data.ptr;
      ssize_t r = read(c->fd, in, 1 << 16);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        fprintf(stderr, "echo-client: connection closed by server\n");
        errors++;
        done = 1;
        break;
      }
      c->got += (int)r;
      if (c->got < size) continue;
      if (c->got > size) { fprintf(stderr, "echo-client: got more bytes than sent\n"); errors++; }
      total++;
      if (recording) {
        if (nlat == cap) { cap *= 2; lat = realloc(lat, cap * sizeof *lat); }
        long long d = t - c->t0;
        lat[nlat++] = d > 0xffffffffLL ? 0xffffffffu : (unsigned)d;
        msgs++;
      }
      if ((recording && t >= end) || (max_count && msgs >= max_count)) { done = 1; rec_end = t; break; }
      c->got = 0;
      c->t0 = t;
      ssize_t w = write(c->fd, out, size);
      if (w != size) { fprintf(stderr, "echo-client: short write\n"); errors++; done = 1; break; }
    }
  }
  if (!rec_end) rec_end = now_ns();
  double secs = (rec_end - rec_start) / 1e9;
  qsort(lat, nlat, sizeof *lat, cmp_u32);
  double p50 = nlat ? lat[nlat / 2] / 1e3 : 0, p99 = nlat ? lat[(size_t)(nlat * 0.99)] / 1e3 : 0, mx = nlat ? lat[nlat - 1] / 1e3 : 0;
  printf("{\"msgs\":%ld,\"total_msgs\":%ld,\"seconds\":%.4f,\"msgs_per_s\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,\"errors\":%ld}\n",
         msgs, total, secs, secs > 0 ? msgs / secs : 0, p50, p99, mx, errors);
  for (int i = 0; i < nconn; i++) close(cs[i].fd);
  return errors ? 1 : 0;
}
