/*
 * http-get: one HTTP/1.1 GET with `Connection: close`, read to EOF — the client of the static-file
 * scenario (a JS client would measure itself). Connects to a loopback `--host`/`--port`, sends
 * `GET --path`, reads the response into a 1 MiB buffer until the server closes, and checks the
 * status line and the Content-Length against the body it counted.
 * Prints one JSON line: {"status","content_length","body_bytes","bytes" (head + body),"ms" (connect to EOF)}.
 * Usage: http-get --host 127.0.0.1 --port N [--path /]
 */
#include "common.h"

#define BUF (1 << 20)
#define HEAD_MAX 8192

int main(int argc, char **argv) {
  install_stop();
  const char *host = arg_str(argc, argv, "--host", "127.0.0.1");
  const char *path = arg_str(argc, argv, "--path", "/");
  int port = (int)arg_long(argc, argv, "--port", 0);
  if (port <= 0 || strlen(path) > 1024) { fprintf(stderr, "bad arguments\n"); return 2; }
  struct sockaddr_storage ss;
  socklen_t slen = loopback_addr(host, port, &ss);
  static char buf[BUF];
  char head[HEAD_MAX + 1];
  size_t head_len = 0;
  long long t0 = now_ns();
  int fd = socket(ss.ss_family, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  if (connect(fd, (struct sockaddr *)&ss, slen) < 0) die("connect");
  char req[1200];
  int rl = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n", path, host, port);
  for (int off = 0; off < rl;) {
    ssize_t w = write(fd, req + off, rl - off);
    if (w < 0) die("write");
    off += (int)w;
  }
  /* The head is copied aside until its blank line is seen; every byte after it is body. */
  long long total = 0, body = 0;
  int in_head = 1;
  for (;;) {
    ssize_t n = read(fd, buf, BUF);
    if (n < 0) {
      if (errno == EINTR && !stop_flag) continue;
      die("read");
    }
    if (n == 0) break;
    total += n;
    if (!in_head) {
      body += n;
      continue;
    }
    size_t take = (size_t)n < HEAD_MAX - head_len ? (size_t)n : HEAD_MAX - head_len;
    memcpy(head + head_len, buf, take);
    size_t before = head_len;
    head_len += take;
    head[head_len] = 0;
    char *end = strstr(head, "\r\n\r\n");
    if (end) {
      size_t hl = (size_t)(end - head) + 4;
      in_head = 0;
      body += n - (long long)(hl - before);
      head_len = hl;
      head[hl] = 0;
    } else if (head_len == HEAD_MAX) {
      fprintf(stderr, "response head longer than %d bytes\n", HEAD_MAX);
      return 1;
    }
  }
  double ms = (now_ns() - t0) / 1e6;
  close(fd);
  if (in_head) { fprintf(stderr, "connection closed inside the response head (%lld bytes)\n", total); return 1; }
  int status = 0;
  sscanf(head, "HTTP/1.%*d %d", &status);
  long long clen = -1;
  for (char *p = head; (p = strchr(p, '\n')) != NULL;) {
    p++;
    if (strncasecmp(p, "content-length:", 15) == 0) clen = strtoll(p + 15, NULL, 10);
  }
  printf("{\"status\":%d,\"content_length\":%lld,\"body_bytes\":%lld,\"bytes\":%lld,\"ms\":%.3f}\n", status, clen, body, total, ms);
  return 0;
}
