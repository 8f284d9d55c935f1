/*
 * sink: a TCP sink for the send benchmarks (the send-zc scenario, bench/zc-splice.mjs). Listens on
 * 127.0.0.1 (port from argv[1], 0 = any; prints {"ready":true,"port":N} on stdout, the runner's
 * protocol), then serves connections one at a time:
 * reads into a 1 MiB buffer until EOF, then closes, so the sender's read of EOF marks the moment
 * every byte arrived. Single-threaded and blocking: a JS sink would measure itself.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int l = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(argc > 1 ? atoi(argv[1]) : 0)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 16) < 0) return perror("bind/listen"), 1;
  socklen_t len = sizeof a;
  getsockname(l, (struct sockaddr *)&a, &len);
  printf("{\"ready\":true,\"port\":%d}\n", ntohs(a.sin_port));
  fflush(stdout);
  static char buf[1 << 20];
  for (;;) {
    int c = accept(l, NULL, NULL);
    if (c < 0) continue;
    while (read(c, buf, sizeof buf) > 0) {
    }
    close(c);
  }
}
