// rentio's parker addon: a libuv poll handle on one fd, owned by the Node environment that made it.
//
// Why this exists: a poll handle must be closed — and its close callback must have run — before
// the environment's loop is closed, and its callback must never call into JS once the
// environment is stopping. koffi 3.3.4's poll handle does neither when a worker_threads worker
// is stopped from outside (terminate(), or the main thread exiting): its callback throws into a
// terminating isolate (a fatal napi_throw: abort), or its close callback runs after the worker
// unloaded koffi (a segfault). Here:
//  - an *async* environment cleanup hook (N-API 8) closes every handle still open when the
//    environment ends; Node keeps its loop turning until the hook reports done from the close
//    callback, so the close completes before the loop is closed and before this library is
//    unloaded (Node unloads a worker's addons only after its cleanup hooks);
//  - the poll callback enters JS with napi_make_callback; if JS cannot run any more (the
//    environment is stopping), it stops the poll and returns: nothing is thrown from native code.
// It uses only N-API (ABI-stable across Node majors) and libuv's stable C API; the handle's
// storage is sized at run time with uv_handle_size, so no libuv struct layout is compiled in.
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <uv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "env-state.h"
#include "file-calls.h"
#include "file-pool.h"

// io_uring_register(2)'s synchronous cancel (Linux 6.0; liburing 2.3's headers predate it).
#define IORING_REGISTER_SYNC_CANCEL 24
#define IORING_ASYNC_CANCEL_ALL (1U << 0)
#define IORING_ASYNC_CANCEL_ANY (1U << 2)
// struct io_uring_sync_cancel_reg, include/uapi/linux/io_uring.h: 64 bytes on every arch
// (addr u64 @0, fd s32 @8, flags u32 @12, timeout {s64 sec, s64 nsec} @16, padding to 64).
struct sync_cancel_reg {
  uint64_t addr;
  int32_t fd;
  uint32_t flags;
  int64_t tv_sec, tv_nsec;
  uint64_t pad[4];
};
_Static_assert(sizeof(struct sync_cancel_reg) == 64, "io_uring_sync_cancel_reg is 64 bytes");

typedef struct parker {
  uv_poll_t *poll;                       // heap: uv_close is asynchronous, it may outlive us
  napi_env env;
  napi_ref cb;                           // the JS callback, held strongly until close
  napi_ref resource;                     // the async resource of this handle's callbacks
  napi_async_context async;              // destroyed by close() from JS (not at teardown)
  napi_async_cleanup_hook_handle hook;   // removed exactly once, from on_closed
  int closing;
  // Kernel resources the driver holds for this parker's life (ring, epoll, eventfd...): released
  // by the env cleanup hook only, since no JS runs then to release them; forgotten on close().
  int fds[8];
  size_t nfds;
  int rings[2];                          // io_uring fds whose requests are cancelled before unmapping
  size_t nrings;
  struct { void *addr; size_t len; } maps[4];
  size_t nmaps;
} parker;

static void on_closed(uv_handle_t *h) {
  parker *p = (parker *)h->data;
  free(h);
  if (p->cb) napi_delete_reference(p->env, p->cb);
  if (p->resource) napi_delete_reference(p->env, p->resource);
  // SAFETY: this also tells Node an env cleanup that started this close is done (after which
  // the library may be unloaded); nothing of this file runs for this parker after it.
  napi_remove_async_cleanup_hook(p->hook);
  free(p);
}

static void parker_close(parker *p) {
  if (p->closing) return;
  p->closing = 1;
  uv_poll_stop(p->poll);
  uv_close((uv_handle_t *)p->poll, on_closed);
}

static void on_env_cleanup(napi_async_cleanup_hook_handle handle, void *arg) {
  (void)handle; // the same as p->hook, removed in on_closed
  parker *p = (parker *)arg;
  parker_close(p);
  // SAFETY: a request still in flight may write into the worker's buffers (a file read running in
  // io-wq), and those die with the isolate; closing the ring cancels asynchronously, so cancel
  // synchronously first: the kernel returns once nothing matches any more (bounded: 2 s).
  for (size_t i = 0; i < p->nrings; i++) {
    struct sync_cancel_reg reg;
    memset(&reg, 0, sizeof reg);
    reg.flags = IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL;
    reg.tv_sec = 2;
    syscall(SYS_io_uring_register, p->rings[i], IORING_REGISTER_SYNC_CANCEL, &reg, 1);
  }
  // SAFETY: the environment is ending and its JS can no longer touch these mappings; closing the
  // fds after unmapping lets the kernel free the ring / epoll instance / eventfd now.
  for (size_t i = 0; i < p->nmaps; i++) munmap(p->maps[i].addr, p->maps[i].len);
  for (size_t i = 0; i < p->nfds; i++) close(p->fds[i]);
  p->nmaps = p->nfds = p->nrings = 0;
}

static void on_poll(uv_poll_t *h, int status, int events) {
  (void)status; (void)events; // an error (EBADF...) is reported as readable: the driver finds it
  parker *p = (parker *)h->data;
  if (p->closing) return;
  napi_env env = p->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) { uv_poll_stop(p->poll); return; }
  napi_value fn, recv, resource, ignored, exc;
  napi_callback_scope cbs;
  // A callback scope, as Node opens for its own I/O callbacks: closing it runs the nextTick and
  // microtask queues, and an exception thrown there is reported as uncaught, by Node. It does
  // nothing once the environment cannot call into JS.
  if (napi_get_reference_value(env, p->resource, &resource) != napi_ok ||
      napi_get_reference_value(env, p->cb, &fn) != napi_ok || napi_get_global(env, &recv) != napi_ok ||
      napi_open_callback_scope(env, resource, p->async, &cbs) != napi_ok) {
    uv_poll_stop(p->poll);
    napi_close_handle_scope(env, scope);
    return;
  }
  // The JS callback never throws (it reports its own errors), so a failure here means JS cannot
  // run any more: the environment is stopping.
  if (napi_call_function(env, recv, fn, 0, NULL, &ignored) != napi_ok) {
    napi_get_and_clear_last_exception(env, &exc);
    uv_poll_stop(p->poll); // INVARIANT: never call into a stopping environment again
  }
  napi_close_callback_scope(env, cbs);
  napi_close_handle_scope(env, scope);
}

static parker *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  void *data = NULL;
  napi_value args[3];
  size_t n = 3;
  if (napi_get_cb_info(env, info, &n, args, NULL, NULL) != napi_ok || n < 1) return NULL;
  if (n > 3) n = 3;
  if (napi_get_value_external(env, args[0], &data) != napi_ok) return NULL;
  if (argc) *argc = n;
  if (argv) for (size_t i = 0; i < n; i++) argv[i] = args[i];
  parker *p = (parker *)data;
  return p && !p->closing ? p : NULL;
}

static napi_value throw_uv(napi_env env, const char *what, int err) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s", what, uv_strerror(err));
  napi_throw_error(env, uv_err_name(err), msg);
  return NULL;
}

// open(fd, cb) -> external. The handle starts watching for readable, unreferenced.
static napi_value js_open(napi_env env, napi_callback_info info) {
  napi_value args[2];
  size_t n = 2;
  napi_get_cb_info(env, info, &n, args, NULL, NULL);
  int32_t fd;
  napi_valuetype t;
  if (n < 2 || napi_get_value_int32(env, args[0], &fd) != napi_ok || napi_typeof(env, args[1], &t) != napi_ok || t != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "open(fd: number, cb: function)");
    return NULL;
  }
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return NULL;
  parker *p = calloc(1, sizeof *p);
  uv_poll_t *h = calloc(1, uv_handle_size(UV_POLL));
  if (!p || !h) { free(p); free(h); napi_throw_error(env, "ENOMEM", "out of memory"); return NULL; }
  int err = uv_poll_init(loop, h, fd);
  if (err) { free(p); free(h); return throw_uv(env, "uv_poll_init", err); }
  p->poll = h;
  p->env = env;
  h->data = p;
  uv_unref((uv_handle_t *)h);
  napi_value resource, name;
  if (napi_create_object(env, &resource) != napi_ok ||
      napi_create_string_utf8(env, "RentioParker", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_reference(env, resource, 1, &p->resource) != napi_ok ||
      napi_async_init(env, resource, name, &p->async) != napi_ok ||
      napi_create_reference(env, args[1], 1, &p->cb) != napi_ok ||
      napi_add_async_cleanup_hook(env, on_env_cleanup, p, &p->hook) != napi_ok) {
    // Not yet watched: free it here (on_closed is for handles with a cleanup hook).
    if (p->cb) napi_delete_reference(env, p->cb);
    if (p->async) napi_async_destroy(env, p->async);
    if (p->resource) napi_delete_reference(env, p->resource);
    uv_close((uv_handle_t *)h, (uv_close_cb)free);
    free(p);
    return NULL;
  }
  err = uv_poll_start(h, UV_READABLE, on_poll);
  if (err) { parker_close(p); return throw_uv(env, "uv_poll_start", err); }
  napi_value ext;
  napi_create_external(env, p, NULL, NULL, &ext);
  return ext;
}

static napi_value js_ref(napi_env env, napi_callback_info info) {
  parker *p = unwrap(env, info, NULL, NULL);
  if (p) uv_ref((uv_handle_t *)p->poll);
  return NULL;
}

static napi_value js_unref(napi_env env, napi_callback_info info) {
  parker *p = unwrap(env, info, NULL, NULL);
  if (p) uv_unref((uv_handle_t *)p->poll);
  return NULL;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  parker *p = unwrap(env, info, NULL, NULL);
  if (p) {
    p->nmaps = p->nfds = p->nrings = 0; // the driver releases its resources itself after a close()
    // JS runs here, so async hooks may see the destroy; at teardown it is skipped (nothing runs).
    napi_async_destroy(env, p->async);
    p->async = NULL;
    parker_close(p);
  }
  return NULL;
}

// closeAtTeardown(h, fd[, ring]): close fd if the environment ends before close(); a ring's
// requests are cancelled (and waited for) first.
static napi_value js_close_at_teardown(napi_env env, napi_callback_info info) {
  size_t n;
  napi_value argv[3];
  parker *p = unwrap(env, info, &n, argv);
  int32_t fd;
  if (!p || n < 2 || napi_get_value_int32(env, argv[1], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "closeAtTeardown(handle, fd: number)");
    return NULL;
  }
  if (p->nfds == sizeof p->fds / sizeof p->fds[0]) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "closeAtTeardown: too many fds");
    return NULL;
  }
  bool ring = false;
  if (n >= 3) napi_get_value_bool(env, argv[2], &ring);
  if (ring && p->nrings == sizeof p->rings / sizeof p->rings[0]) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "closeAtTeardown: too many rings");
    return NULL;
  }
  if (ring) p->rings[p->nrings++] = fd;
  p->fds[p->nfds++] = fd;
  return NULL;
}

// unmapAtTeardown(h, addr: bigint, len: number): munmap if the environment ends before close().
static napi_value js_unmap_at_teardown(napi_env env, napi_callback_info info) {
  size_t n;
  napi_value argv[3];
  parker *p = unwrap(env, info, &n, argv);
  uint64_t addr;
  int64_t len;
  bool lossless;
  if (!p || n < 3 || napi_get_value_bigint_uint64(env, argv[1], &addr, &lossless) != napi_ok || !lossless ||
      napi_get_value_int64(env, argv[2], &len) != napi_ok || addr == 0 || len <= 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "unmapAtTeardown(handle, addr: bigint, len: number)");
    return NULL;
  }
  if (p->nmaps == sizeof p->maps / sizeof p->maps[0]) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "unmapAtTeardown: too many mappings");
    return NULL;
  }
  p->maps[p->nmaps].addr = (void *)(uintptr_t)addr;
  p->maps[p->nmaps].len = (size_t)len;
  p->nmaps++;
  return NULL;
}

// The fd ledger: Int32Arrays (chunks) in which core keeps the fds of this thread's open handles,
// -1 marking a free slot. A worker stopped from outside runs no JS to close its sockets and files;
// left open, a listener would stay bound and, under SO_REUSEPORT, keep being handed connections
// nobody accepts. At the environment's end every fd still listed is closed (env-state.c calls
// this after it has stopped the file pools, whose threads might otherwise still use those fds).
// SAFETY: core clears a slot *before* it closes that fd itself, so a number listed here is open
// and this thread's: closing it cannot hit a number another thread got back after a close.
typedef struct ledger_chunk {
  int32_t *fds;
  size_t len;
  napi_ref keep; // holds the ArrayBuffer (its storage never moves once materialised) until the end
  struct ledger_chunk *next;
} ledger_chunk;

void ledger_end(env_state *s) {
  for (ledger_chunk *c = s->chunks, *next; c; c = next) {
    for (size_t i = 0; i < c->len; i++) if (c->fds[i] >= 0) close(c->fds[i]);
    next = c->next;
    free(c); // the reference dies with the environment; no JS runs to need it
  }
  s->chunks = NULL;
}

// trackFds(chunk: Int32Array): list the chunk's fds for closing at the environment's end.
static napi_value js_track_fds(napi_env env, napi_callback_info info) {
  napi_value args[1];
  size_t n = 1;
  bool is_ta = false;
  napi_typedarray_type type;
  size_t len;
  void *data;
  if (napi_get_cb_info(env, info, &n, args, NULL, NULL) != napi_ok || n < 1 || napi_is_typedarray(env, args[0], &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, args[0], &type, &len, &data, NULL, NULL) != napi_ok || type != napi_int32_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "trackFds(chunk: Int32Array)");
    return NULL;
  }
  env_state *s = env_state_of(env);
  if (!s) return NULL;
  ledger_chunk *c = calloc(1, sizeof *c);
  if (!c || napi_create_reference(env, args[0], 1, &c->keep) != napi_ok) {
    free(c);
    napi_throw_error(env, "ENOMEM", "trackFds: out of memory");
    return NULL;
  }
  c->fds = (int32_t *)data;
  c->len = len;
  c->next = s->chunks;
  s->chunks = c;
  return NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  static const struct { const char *name; napi_callback fn; } fns[] = {
    { "open", js_open }, { "ref", js_ref }, { "unref", js_unref }, { "close", js_close },
    { "closeAtTeardown", js_close_at_teardown }, { "unmapAtTeardown", js_unmap_at_teardown },
    { "trackFds", js_track_fds },
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  napi_value file = file_calls(env);
  file_pool_exports(env, file);
  napi_set_named_property(env, exports, "file", file);
  return exports;
}
