/*
 * Opens `--conns` idle connections to a loopback server and holds them: prints
 * {"connected":N} once all are established, then waits for stdin to close (or SIGTERM, or
 * `--hold` ms) and exits, closing them all.
 * Usage: idle-client --host 127.0.0.1 --port N --conns 10000 --hold 120000
 */
#include "common.h"
#include <poll.h>

int main(int argc, char **argv) {
  install_stop();
  const char *host = arg_str(argc, argv, "--host", "127.0.0.1");
  int port = (int)arg_long(argc, argv, "--port", 0);
  int nconn = (int)arg_long(argc, argv, "--conns", 10000);
  long hold_ms = arg_long(argc, argv, "--hold", 120000);
  if (nconn < 1 || nconn > 200000 || port <= 0) { fprintf(stderr, "bad arguments\n"); return 2; }
  struct sockaddr_storage ss;
  socklen_t slen = loopback_addr(host, port, &ss);
  int *fds = malloc(nconn * sizeof *fds);
  for (int i = 0; i < nconn && !stop_flag; i++) {
    fds[i] = socket(ss.ss_family, SOCK_STREAM, 0);
    if (fds[i] < 0) die("socket");
    if (connect(fds[i], (struct sockaddr *)&ss, slen) < 0) die("connect");
  }
  printf("{\"connected\":%d}\n", nconn);
  fflush(stdout);
  struct pollfd pfd = { .fd = 0, .events = POLLIN };
  long long until = now_ns() + hold_ms * 1000000LL;
  char b[64];
  while (!stop_flag && now_ns() < until) {
    int r = poll(&pfd, 1, 200);
    if (r > 0 && read(0, b, sizeof b) <= 0) break;
  }
  for (int i = 0; i < nconn; i++) close(fds[i]);
  return 0;
}
