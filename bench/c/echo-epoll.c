/*
 * Reference echo server: one thread, one epoll instance, level-triggered, nonblocking sockets.
 * Usage: echo-epoll --host 127.0.0.1 --port 0 [--procs N] | --path /tmp/s.sock
 * (prints {"ready":true,"port":N}, with "path" for --path; SIGTERM or the end of stdin ends it, as the JS servers: under strace the runner can only close stdin)
 */
#include "common.h"
#include <fcntl.h>
#include <sys/epoll.h>

#define BUF 16384

struct conn {
  int fd;
  int pending; /* bytes of buf not yet written back */
  int off;
  char buf[BUF];
};

static void watch(int ep, int op, struct conn *c, unsigned events) {
  struct epoll_event ev = { .events = events, .data.ptr = c };
  epoll_ctl(ep, op, c->fd, &ev);
}

static void drop(struct conn *c) {
  close(c->fd); /* close removes it from the epoll set */
  free(c);
}

int main(int argc, char **argv) {
  install_stop();
  char where[1024];
  int lfd = listen_from_args(argc, argv, SOCK_NONBLOCK, where, sizeof where);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  struct conn listener = { .fd = lfd }, input = { .fd = 0 };
  watch(ep, EPOLL_CTL_ADD, &listener, EPOLLIN);
  watch(ep, EPOLL_CTL_ADD, &input, EPOLLIN); /* fails harmlessly if stdin is a regular file */
  if (!fleet_child) { /* --procs: the first process speaks for all */
    printf("{\"ready\":true,%s}\n", where);
    fflush(stdout);
  }

  struct epoll_event evs[256];
  while (!stop_flag) {
    int n = epoll_wait(ep, evs, 256, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      struct conn *c = evs[i].data.ptr;
      if (c == &input) {
        char b[64];
        if (read(0, b, sizeof b) <= 0) stop_flag = 1;
        continue;
      }
      if (c == &listener) {
        for (;;) {
          int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (fd < 0) break;
          set_nodelay(fd);
          struct conn *nc = malloc(sizeof *nc);
          nc->fd = fd;
          nc->pending = nc->off = 0;
          watch(ep, EPOLL_CTL_ADD, nc, EPOLLIN | EPOLLRDHUP);
        }
        continue;
      }
      if (c->pending == 0) {
        ssize_t r = read(c->fd, c->buf, BUF);
        if (r == 0 || (r < 0 && errno != EAGAIN)) { drop(c); continue; }
        if (r < 0) continue;
        c->pending = (int)r;
        c->off = 0;
      }
      ssize_t w = write(c->fd, c->buf + c->off, c->pending);
      if (w < 0 && errno != EAGAIN) { drop(c); continue; }
      if (w > 0) { c->off += (int)w; c->pending -= (int)w; }
      /* Back-pressure: wait for EPOLLOUT only while a write is short. */
      if (c->pending > 0 && !(evs[i].events & EPOLLOUT)) watch(ep, EPOLL_CTL_MOD, c, EPOLLOUT | EPOLLRDHUP);
      else if (c->pending == 0 && (evs[i].events & EPOLLOUT)) watch(ep, EPOLL_CTL_MOD, c, EPOLLIN | EPOLLRDHUP);
    }
  }
  return 0;
}
