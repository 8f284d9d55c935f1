/*
 * Shared by the C references: argument parsing, a loopback listener, one-line JSON to stdout.
 * Only loopback addresses are accepted (the benchmarks never leave the machine).
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static inline void die(const char *what) {
  fprintf(stderr, "%s: %s\n", what, strerror(errno));
  exit(1);
}

static inline const char *arg_str(int argc, char **argv, const char *name, const char *def) {
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp(argv[i], name) == 0) return argv[i + 1];
  return def;
}

static inline long arg_long(int argc, char **argv, const char *name, long def) {
  const char *s = arg_str(argc, argv, name, NULL);
  return s ? strtol(s, NULL, 10) : def;
}

/* Fill a loopback sockaddr; refuse anything that is not 127.0.0.0/8 or ::1. */
static inline socklen_t loopback_addr(const char *host, int port, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
    if ((ntohl(a4->sin_addr.s_addr) >> 24) != 127) { fprintf(stderr, "not a loopback address: %s\n", host); exit(2); }
    a4->sin_family = AF_INET;
    a4->sin_port = htons(port);
    return sizeof *a4;
  }
  if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1 && IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr)) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(port);
    return sizeof *a6;
  }
  fprintf(stderr, "not a loopback address: %s\n", host);
  exit(2);
}

static inline int listen_loopback(const char *host, int port, int flags, int reuseport) {
  struct sockaddr_storage ss;
  socklen_t len = loopback_addr(host, port, &ss);
  int fd = socket(ss.ss_family, SOCK_STREAM | flags, 0);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  /* Every listener of a SO_REUSEPORT group sets it before bind (socket(7)). */
  if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) die("SO_REUSEPORT");
  if (bind(fd, (struct sockaddr *)&ss, len) < 0) die("bind");
  if (listen(fd, 4096) < 0) die("listen");
  return fd;
}

static inline int bound_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) die("getsockname");
  return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* A listener on a Unix socket path (removed first if left over): the unix-echo scenario's. */
static inline int listen_path(const char *path, int flags) {
  struct sockaddr_un un;
  memset(&un, 0, sizeof un);
  un.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof un.sun_path) { fprintf(stderr, "socket path too long: %s\n", path); exit(2); }
  strcpy(un.sun_path, path);
  unlink(path);
  int fd = socket(AF_UNIX, SOCK_STREAM | flags, 0);
  if (fd < 0) die("socket");
  if (bind(fd, (struct sockaddr *)&un, sizeof un) < 0) die("bind");
  if (listen(fd, 4096) < 0) die("listen");
  return fd;
}

/* Set in the processes `--procs` forked: they serve, the first process alone prints and stops them. */
static int fleet_child;

/* `--procs N` (TCP): N processes, each its own listener on one port through SO_REUSEPORT, as
 * node:cluster's workers or Bun's reusePort listeners (the scaling scenario's C reference); the
 * kernel spreads the connections. The first process's ready line lists every pid (`"pids"`), so
 * the runner sums all their CPU; the others die with it (PR_SET_PDEATHSIG) and end with stdin too. */
static inline int listen_fleet(const char *host, int port, int flags, int procs, char *where, size_t n) {
  int fd = listen_loopback(host, port, flags, 1);
  port = bound_port(fd);
  int len = snprintf(where, n, "\"port\":%d,\"pids\":[%d", port, (int)getpid());
  for (int i = 1; i < procs; i++) {
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
      fleet_child = 1;
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      close(fd);
      return listen_loopback(host, port, flags, 1);
    }
    len += snprintf(where + len, n - len, ",%d", (int)pid);
  }
  snprintf(where + len, n - len, "]");
  return fd;
}

/* `--path P`: a Unix socket listener; else `--host`/`--port` on loopback (`--procs N`: see
 * listen_fleet). Prints the ready line's address part into `where` ("\"port\":N" or
 * "\"port\":0,\"path\":\"P\""). */
static inline int listen_from_args(int argc, char **argv, int flags, char *where, size_t n) {
  const char *path = arg_str(argc, argv, "--path", NULL);
  if (path) {
    int fd = listen_path(path, flags);
    snprintf(where, n, "\"port\":0,\"path\":\"%s\"", path);
    return fd;
  }
  const char *host = arg_str(argc, argv, "--host", "127.0.0.1");
  int port = (int)arg_long(argc, argv, "--port", 0);
  int procs = (int)arg_long(argc, argv, "--procs", 1);
  if (procs > 1) return listen_fleet(host, port, flags, procs, where, n);
  int fd = listen_loopback(host, port, flags, 0);
  snprintf(where, n, "\"port\":%d", bound_port(fd));
  return fd;
}

static inline void set_nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static inline long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static volatile sig_atomic_t stop_flag;
static void on_stop(int sig) { (void)sig; stop_flag = 1; }

/* SIGTERM/SIGINT set stop_flag and interrupt blocking calls (no SA_RESTART). */
static inline void install_stop(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
}

#endif
