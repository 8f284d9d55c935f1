/*
 * Reference echo server on liburing: multishot ACCEPT, then RECV -> SEND -> RECV per connection,
 * one io_uring_submit_and_wait per loop. Tries COOP_TASKRUN | SINGLE_ISSUER | DEFER_TASKRUN
 * (measured +20% here) and falls back to plain flags on EINVAL.
 * Usage: echo-uring --host 127.0.0.1 --port 0 [--procs N] | --path /tmp/s.sock
 * (prints {"ready":true,"port":N}, with "path" for --path; SIGTERM or the end of stdin ends it)
 */
#include "common.h"
#include <liburing.h>

#define BUF 16384
#define ENTRIES 4096

enum { OP_STDIN = 0, OP_ACCEPT = 1, OP_RECV = 2, OP_SEND = 3 };

struct conn {
  int fd;
  int pending;
  int off;
  char buf[BUF];
};

static struct io_uring ring;

/* INVARIANT: struct conn is malloc'd (16-byte aligned), so the low 2 bits carry the op kind. */
static inline void *tag(struct conn *c, int op) { return (void *)((uintptr_t)c | (uintptr_t)op); }

static struct io_uring_sqe *sqe_get(void) {
  struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
  if (!sqe) {
    io_uring_submit(&ring);
    sqe = io_uring_get_sqe(&ring);
  }
  return sqe;
}

static void arm_accept(int lfd) {
  struct io_uring_sqe *sqe = sqe_get();
  io_uring_prep_multishot_accept(sqe, lfd, NULL, NULL, 0);
  io_uring_sqe_set_data(sqe, (void *)(uintptr_t)OP_ACCEPT);
}

static char stdin_buf[64];

static void arm_stdin(void) {
  struct io_uring_sqe *sqe = sqe_get();
  io_uring_prep_read(sqe, 0, stdin_buf, sizeof stdin_buf, -1);
  io_uring_sqe_set_data(sqe, (void *)(uintptr_t)OP_STDIN);
}

static void arm_recv(struct conn *c) {
  struct io_uring_sqe *sqe = sqe_get();
  io_uring_prep_recv(sqe, c->fd, c->buf, BUF, 0);
  io_uring_sqe_set_data(sqe, tag(c, OP_RECV));
}

static void arm_send(struct conn *c) {
  struct io_uring_sqe *sqe = sqe_get();
  io_uring_prep_send(sqe, c->fd, c->buf + c->off, c->pending, MSG_NOSIGNAL);
  io_uring_sqe_set_data(sqe, tag(c, OP_SEND));
}

int main(int argc, char **argv) {
  install_stop();
  char where[1024];
  int lfd = listen_from_args(argc, argv, 0, where, sizeof where);
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  p.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  int r = io_uring_queue_init_params(ENTRIES, &ring, &p);
  if (r == -EINVAL) {
    memset(&p, 0, sizeof p);
    r = io_uring_queue_init_params(ENTRIES, &ring, &p);
  }
  if (r < 0) { errno = -r; die("io_uring_queue_init_params"); }
  arm_accept(lfd);
  arm_stdin();
  if (!fleet_child) { /* --procs: the first process speaks for all */
    printf("{\"ready\":true,%s,\"flags\":%u}\n", where, p.flags);
    fflush(stdout);
  }

  while (!stop_flag) {
    r = io_uring_submit_and_wait(&ring, 1);
    if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) { errno = -r; die("io_uring_submit_and_wait"); }
    struct io_uring_cqe *cqe;
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&ring, head, cqe) {
      seen++;
      uintptr_t ud = (uintptr_t)io_uring_cqe_get_data(cqe);
      int op = (int)(ud & 3);
      struct conn *c = (struct conn *)(ud & ~(uintptr_t)3);
      int res = cqe->res;
      if (op == OP_STDIN) {
        if (res <= 0) stop_flag = 1; /* the runner closed stdin: end */
        else arm_stdin();
      } else if (op == OP_ACCEPT) {
        if (res >= 0) {
          set_nodelay(res);
          struct conn *nc = malloc(sizeof *nc);
          nc->fd = res;
          nc->pending = nc->off = 0;
          arm_recv(nc);
        }
        if (!(cqe->flags & IORING_CQE_F_MORE)) arm_accept(lfd); /* multishot ended: re-arm */
      } else if (op == OP_RECV) {
        if (res <= 0) { close(c->fd); free(c); continue; }
        c->pending = res;
        c->off = 0;
        arm_send(c);
      } else if (op == OP_SEND) {
        if (res < 0) { close(c->fd); free(c); continue; }
        c->off += res;
        c->pending -= res;
        if (c->pending > 0) arm_send(c);
        else arm_recv(c);
      }
    }
    io_uring_cq_advance(&ring, seen);
  }
  io_uring_queue_exit(&ring);
  return 0;
}
