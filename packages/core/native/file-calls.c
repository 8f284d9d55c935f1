// Blocking libc calls for file worker threads, without koffi.
//
// Why this exists: koffi 3.3.4 allocates its per-environment instance data (its type tables, its
// call stack and heap) when a thread first loads it and never frees it when that environment ends:
// about 35 KiB of RSS per worker_threads worker, for good (measured over 2,000 workers). The epoll
// driver starts file workers per runtime, so a program that opens and closes runtimes grew without
// end. A worker that calls these instead never loads koffi.
//
// Each function takes numbers (addresses as integers < 2^53, as the driver stores them) and
// returns the call's result, or -errno. errno is read right after the call, before any N-API call
// could change it.
#define _GNU_SOURCE
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "file-calls.h"

static int64_t arg(napi_env env, napi_value v) {
  int64_t x = 0;
  napi_get_value_int64(env, v, &x); // a double (as JS passes it) is truncated: the values are integers
  return x;
}

static napi_value result(napi_env env, int64_t r) {
  int64_t v = r < 0 ? -(int64_t)errno : r;
  napi_value out;
  napi_create_int64(env, v, &out);
  return out;
}

#define ARGS(n)                                                                                    \
  size_t argc = n;                                                                                 \
  napi_value a[n];                                                                                 \
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);                                               \
  if (argc < n) { napi_throw_type_error(env, NULL, "too few arguments"); return NULL; }
#define I(k) ((int)arg(env, a[k]))
#define P(k) ((void *)(uintptr_t)arg(env, a[k]))
#define Z(k) ((size_t)arg(env, a[k]))
#define O(k) ((off_t)arg(env, a[k]))

// ssize_t read(int fd, void *buf, size_t n);
static napi_value f_read(napi_env env, napi_callback_info info) { ARGS(3) return result(env, read(I(0), P(1), Z(2))); }
// ssize_t pread(int fd, void *buf, size_t n, off_t offset);
static napi_value f_pread(napi_env env, napi_callback_info info) { ARGS(4) return result(env, pread(I(0), P(1), Z(2), O(3))); }
// ssize_t write(int fd, const void *buf, size_t n);
static napi_value f_write(napi_env env, napi_callback_info info) { ARGS(3) return result(env, write(I(0), P(1), Z(2))); }
// ssize_t pwrite(int fd, const void *buf, size_t n, off_t offset);
static napi_value f_pwrite(napi_env env, napi_callback_info info) { ARGS(4) return result(env, pwrite(I(0), P(1), Z(2), O(3))); }
// ssize_t writev(int fd, const struct iovec *iov, int iovcnt);
static napi_value f_writev(napi_env env, napi_callback_info info) { ARGS(3) return result(env, writev(I(0), P(1), I(2))); }
// ssize_t pwritev(int fd, const struct iovec *iov, int iovcnt, off_t offset);
static napi_value f_pwritev(napi_env env, napi_callback_info info) { ARGS(4) return result(env, pwritev(I(0), P(1), I(2), O(3))); }
// int openat(int dirfd, const char *path, int flags, mode_t mode);
static napi_value f_openat(napi_env env, napi_callback_info info) { ARGS(4) return result(env, openat(I(0), P(1), I(2), (mode_t)I(3))); }
// int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf);
static napi_value f_statx(napi_env env, napi_callback_info info) { ARGS(5) return result(env, statx(I(0), P(1), I(2), (unsigned)I(3), P(4))); }
// int fsync(int fd);
static napi_value f_fsync(napi_env env, napi_callback_info info) { ARGS(1) return result(env, fsync(I(0))); }
// int fdatasync(int fd);
static napi_value f_fdatasync(napi_env env, napi_callback_info info) { ARGS(1) return result(env, fdatasync(I(0))); }
// int ftruncate(int fd, off_t length);
static napi_value f_ftruncate(napi_env env, napi_callback_info info) { ARGS(2) return result(env, ftruncate(I(0), O(1))); }
// int fchmodat(int dirfd, const char *path, mode_t mode, int flags);
static napi_value f_fchmodat(napi_env env, napi_callback_info info) { ARGS(4) return result(env, fchmodat(I(0), P(1), (mode_t)I(2), I(3))); }
// int unlinkat(int dirfd, const char *path, int flags);
static napi_value f_unlinkat(napi_env env, napi_callback_info info) { ARGS(3) return result(env, unlinkat(I(0), P(1), I(2))); }
// int eventfd_write(int fd, eventfd_t value);
static napi_value f_eventfd_write(napi_env env, napi_callback_info info) { ARGS(2) return result(env, eventfd_write(I(0), (eventfd_t)arg(env, a[1]))); }

napi_value file_calls(napi_env env) {
  static const struct { const char *name; napi_callback fn; } fns[] = {
    { "read", f_read }, { "pread", f_pread }, { "write", f_write }, { "pwrite", f_pwrite },
    { "writev", f_writev }, { "pwritev", f_pwritev }, { "openat", f_openat }, { "statx", f_statx },
    { "fsync", f_fsync }, { "fdatasync", f_fdatasync }, { "ftruncate", f_ftruncate },
    { "fchmodat", f_fchmodat }, { "unlinkat", f_unlinkat }, { "eventfd_write", f_eventfd_write },
  };
  napi_value obj;
  napi_create_object(env, &obj);
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, obj, fns[i].name, f);
  }
  return obj;
}
