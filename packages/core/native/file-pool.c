// The epoll driver's file threads, as native threads: regular files cannot be polled (epoll_ctl
// says EPERM), so their ops run as blocking calls on threads, the trade libuv and tokio make.
//
// Why native threads and not worker_threads workers: each Node worker is a whole isolate — about
// 10 MiB and 8 fds while it lives, and every start and end of one leaves some RSS behind for good
// (measured: a soak that makes and closes runtimes grew 109 -> 180 MiB over 40 minutes). These
// threads run no JS: they take a job (call number and arguments, all plain integers), make the
// call, post the result and wake the driver through the pool's eventfd, which the driver watches
// in its epoll set like any socket.
//
// Memory: a job's addresses point into buffers the driver's op holds until the job is reaped; the
// pool never touches JS objects. At an environment's end (a worker stopped from outside) the env
// cleanup hook stops and joins every pool before the isolate, and with it those buffers, goes
// (env-state.c). Jobs on regular files end in bounded time. One call can block without bound:
// openat() of a FIFO that no one opens for the other end. So the join waits JOIN_LIMIT at most; a
// thread still blocked then is detached, and the pool's memory and eventfd are left to it (never
// freed or closed: it writes them when its call returns). Its call writes into no JS buffer.
#define _GNU_SOURCE
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "env-state.h"
#include "file-pool.h"

// Jobs in flight at most: ids are 0..JOB_CAP-1, given by the driver (file-pool.ts), so a queue of
// JOB_CAP entries can never overflow.
#define JOB_CAP 1024
#define MAX_THREADS 64
// libc's file calls need little stack; the default 8 MiB would be reserved per thread.
#define THREAD_STACK (256 * 1024)
// How long closing a pool waits for a thread's current call to return (see the header).
#define JOIN_LIMIT_S 2

enum { S_FREE, S_QUEUED, S_RUNNING, S_CANCELLED, S_DONE };

typedef struct job {
  int32_t call, fd, state;
  uint64_t addr, len, addr2;
  int64_t pos, flags, mode, res;
} job;

typedef struct file_pool {
  pthread_mutex_t mu;           // guards everything below but the counters
  pthread_cond_t work;          // a job was queued, or stop
  job jobs[JOB_CAP];
  uint32_t queue[JOB_CAP];      // ids waiting for a thread
  uint32_t done[JOB_CAP];       // ids completed, not yet reaped
  uint32_t q_head, q_tail, d_head, d_tail;
  pthread_t threads[MAX_THREADS];
  int nthreads, max_threads, idle;
  int stop;
  int notified;                 // an eventfd wake is pending: one write per reap, not per job
  int eventfd;
  int open;                     // 0 once closed (the memory lives on until the JS handle is collected)
  int stuck;                    // threads left blocked at close: the memory and eventfd are theirs
  uint64_t syscalls;            // made by the threads (atomic adds)
  env_state *env;
  struct file_pool *next;       // in env->pools while open
} file_pool;

// The call, as the job names it: its result, or -errno. A position below 0 means "at the file's
// offset" (read/write rather than pread/pwrite), as file-jobs.ts's FILE_JOBS does in JS.
static int64_t run(const job *j) {
  void *a = (void *)(uintptr_t)j->addr, *a2 = (void *)(uintptr_t)j->addr2;
  int64_t r;
  switch (j->call) {
    case FILE_CALL_OPENAT: r = openat(AT_FDCWD, a2, (int)j->flags, (mode_t)j->mode); break;
    case FILE_CALL_READ: r = j->pos < 0 ? read(j->fd, a, j->len) : pread(j->fd, a, j->len, j->pos); break;
    case FILE_CALL_WRITE: r = j->pos < 0 ? write(j->fd, a, j->len) : pwrite(j->fd, a, j->len, j->pos); break;
    // addr: an iovec array the driver built; len: their count.
    case FILE_CALL_WRITEV: r = j->pos < 0 ? writev(j->fd, a, (int)j->len) : pwritev(j->fd, a, (int)j->len, j->pos); break;
    case FILE_CALL_FSYNC: r = j->flags ? fdatasync(j->fd) : fsync(j->fd); break;
    // statx(fd, path, flags, mask, buf): addr2 = path ("" with AT_EMPTY_PATH), addr = the buffer.
    case FILE_CALL_STATX: r = statx(j->fd, a2, (int)j->flags, (unsigned)j->mode, a); break;
    case FILE_CALL_FTRUNCATE: r = ftruncate(j->fd, j->pos); break;
    case FILE_CALL_CHMOD: r = fchmodat(AT_FDCWD, a2, (mode_t)j->mode, 0); break;
    case FILE_CALL_UNLINK: r = unlinkat(AT_FDCWD, a2, 0); break;
    default: return -EINVAL; // not a file call: a driver bug, reported rather than run
  }
  return r < 0 ? -(int64_t)errno : r;
}

static void *thread_main(void *arg) {
  file_pool *p = arg;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->stop && p->q_head == p->q_tail) {
      p->idle++;
      pthread_cond_wait(&p->work, &p->mu);
      p->idle--;
    }
    if (p->stop) break;
    uint32_t id = p->queue[p->q_head++ % JOB_CAP];
    job *j = &p->jobs[id];
    // A cancel wins only while the job is still queued; once running, the result wins.
    if (j->state == S_CANCELLED) {
      j->res = -ECANCELED;
    } else {
      j->state = S_RUNNING;
      job copy = *j;
      pthread_mutex_unlock(&p->mu);
      int64_t res = run(&copy);
      __atomic_add_fetch(&p->syscalls, 1, __ATOMIC_RELAXED);
      pthread_mutex_lock(&p->mu);
      j->res = res;
    }
    j->state = S_DONE;
    p->done[p->d_tail++ % JOB_CAP] = id;
    if (!p->notified) {
      p->notified = 1;
      // SAFETY: the eventfd is closed only after every thread is joined, so this fd is the pool's.
      pthread_mutex_unlock(&p->mu);
      eventfd_write(p->eventfd, 1);
      __atomic_add_fetch(&p->syscalls, 1, __ATOMIC_RELAXED);
      pthread_mutex_lock(&p->mu);
    }
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

// Stop and join the threads, close the eventfd. The struct stays (freed with its JS handle).
static void pool_end(file_pool *p) {
  if (!p->open) return;
  p->open = 0;
  pthread_mutex_lock(&p->mu);
  p->stop = 1;
  pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->mu);
  struct timespec limit;
  clock_gettime(CLOCK_REALTIME, &limit);
  limit.tv_sec += JOIN_LIMIT_S;
  for (int i = 0; i < p->nthreads; i++) {
    if (pthread_timedjoin_np(p->threads[i], NULL, &limit) == 0) continue;
    pthread_detach(p->threads[i]);
    p->stuck++;
  }
  p->nthreads = 0;
  if (!p->stuck) close(p->eventfd);
  for (file_pool **at = &p->env->pools; *at; at = &(*at)->next)
    if (*at == p) { *at = p->next; break; }
}

void file_pools_end(env_state *s) {
  while (s->pools) pool_end(s->pools);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env; (void)hint;
  file_pool *p = data;
  pool_end(p); // a driver always closes its pool; this is the net for one dropped unclosed
  if (p->stuck) return; // SAFETY: a detached thread still uses this memory (see the header)
  pthread_cond_destroy(&p->work);
  pthread_mutex_destroy(&p->mu);
  free(p);
}

// Each pool thread's name (/proc/self/task/N/comm, at most 15 bytes): what `top -H` shows, and
// what tests count, since every thread Node starts is named "node" and may start at any time.
#define THREAD_NAME "rentio-file"

// Start one more thread (called with the lock held). Signals are blocked in it, as in libuv's
// pool: process signals belong to Node's own handling on its threads.
static int spawn(file_pool *p) {
  pthread_attr_t attr;
  sigset_t all, old;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, THREAD_STACK);
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int err = pthread_create(&p->threads[p->nthreads], &attr, thread_main, p);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  if (err != 0) return err;
  // Named here, not by the thread itself: the name is set when spawn returns.
  pthread_setname_np(p->threads[p->nthreads], THREAD_NAME);
  p->nthreads++;
  return 0;
}

// --- JS ---

#define ARGS(n)                                                                                    \
  size_t argc = n;                                                                                 \
  napi_value a[n];                                                                                 \
  if (napi_get_cb_info(env, info, &argc, a, NULL, NULL) != napi_ok || argc < n) {                  \
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "too few arguments");                       \
    return NULL;                                                                                   \
  }

static int64_t int_arg(napi_env env, napi_value v) {
  int64_t x = 0;
  napi_get_value_int64(env, v, &x); // a double (as JS passes it) is truncated: the values are integers
  return x;
}

static napi_value num(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

// The open pool a handle names, or NULL with a JS error thrown.
static file_pool *pool_of(napi_env env, napi_value v) {
  void *data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || !data) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "not a file pool");
    return NULL;
  }
  file_pool *p = data;
  if (!p->open) {
    napi_throw_error(env, "ERR_RENTIO_CLOSED", "the file pool is closed");
    return NULL;
  }
  return p;
}

// poolOpen(maxThreads) -> handle. Threads start on demand, the first with the first job.
static napi_value js_open(napi_env env, napi_callback_info info) {
  ARGS(1)
  int64_t max = int_arg(env, a[0]);
  env_state *s = env_state_of(env);
  if (!s) return NULL;
  file_pool *p = calloc(1, sizeof *p);
  if (!p) { napi_throw_error(env, "ENOMEM", "file pool: out of memory"); return NULL; }
  p->max_threads = max < 1 ? 1 : max > MAX_THREADS ? MAX_THREADS : (int)max;
  p->eventfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (p->eventfd < 0) {
    int err = errno;
    free(p);
    napi_throw_error(env, err == EMFILE ? "EMFILE" : err == ENFILE ? "ENFILE" : "ENOMEM", "eventfd failed");
    return NULL;
  }
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->work, NULL);
  p->open = 1;
  p->env = s;
  p->next = s->pools;
  s->pools = p;
  napi_value ext;
  if (napi_create_external(env, p, finalize, NULL, &ext) != napi_ok) {
    pool_end(p);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
    free(p);
    return NULL;
  }
  return ext;
}

// poolEventfd(pool) -> the fd that turns readable when completions wait to be reaped.
static napi_value js_eventfd(napi_env env, napi_callback_info info) {
  ARGS(1)
  file_pool *p = pool_of(env, a[0]);
  return p ? num(env, p->eventfd) : NULL;
}

// poolSubmit(pool, id, call, fd, addr, len, pos, flags, mode, addr2) -> 0, or -errno when no
// thread could be started to run it (the job is then not queued).
static napi_value js_submit(napi_env env, napi_callback_info info) {
  ARGS(10)
  file_pool *p = pool_of(env, a[0]);
  if (!p) return NULL;
  int64_t id = int_arg(env, a[1]);
  if (id < 0 || id >= JOB_CAP) { napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "file job id out of range"); return NULL; }
  pthread_mutex_lock(&p->mu);
  job *j = &p->jobs[id];
  if (j->state != S_FREE) {
    pthread_mutex_unlock(&p->mu);
    napi_throw_error(env, "ERR_RENTIO_INTERNAL", "file job id still in use");
    return NULL;
  }
  j->call = (int32_t)int_arg(env, a[2]);
  j->fd = (int32_t)int_arg(env, a[3]);
  j->addr = (uint64_t)int_arg(env, a[4]);
  j->len = (uint64_t)int_arg(env, a[5]);
  j->pos = int_arg(env, a[6]);
  j->flags = int_arg(env, a[7]);
  j->mode = int_arg(env, a[8]);
  j->addr2 = (uint64_t)int_arg(env, a[9]);
  int err = 0;
  // A new thread starts while every thread is busy and the pool is not full.
  if (p->idle == 0 && p->nthreads < p->max_threads) err = spawn(p);
  if (err && p->nthreads == 0) {
    pthread_mutex_unlock(&p->mu);
    return num(env, -err);
  }
  j->state = S_QUEUED;
  p->queue[p->q_tail++ % JOB_CAP] = (uint32_t)id;
  if (p->idle) pthread_cond_signal(&p->work);
  pthread_mutex_unlock(&p->mu);
  return num(env, 0);
}

// poolCancel(pool, id) -> true if the job was still queued: it will complete with -ECANCELED.
static napi_value js_cancel(napi_env env, napi_callback_info info) {
  ARGS(2)
  file_pool *p = pool_of(env, a[0]);
  if (!p) return NULL;
  int64_t id = int_arg(env, a[1]);
  bool hit = false;
  if (id >= 0 && id < JOB_CAP) {
    pthread_mutex_lock(&p->mu);
    if ((hit = p->jobs[id].state == S_QUEUED)) p->jobs[id].state = S_CANCELLED;
    pthread_mutex_unlock(&p->mu);
  }
  napi_value out;
  napi_get_boolean(env, hit, &out);
  return out;
}

// poolReap(pool, out: Float64Array) -> n: the first 2n entries of out are (id, result) pairs of
// completed jobs, whose ids are free again.
static napi_value js_reap(napi_env env, napi_callback_info info) {
  ARGS(2)
  file_pool *p = pool_of(env, a[0]);
  if (!p) return NULL;
  napi_typedarray_type type;
  size_t len = 0;
  void *data = NULL;
  bool is_ta = false;
  if (napi_is_typedarray(env, a[1], &is_ta) != napi_ok || !is_ta || napi_get_typedarray_info(env, a[1], &type, &len, &data, NULL, NULL) != napi_ok ||
      type != napi_float64_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "poolReap(pool, out: Float64Array)");
    return NULL;
  }
  double *out = data;
  eventfd_t drained;
  eventfd_read(p->eventfd, &drained); // EAGAIN when nothing was written: fine, the queue tells
  size_t n = 0;
  pthread_mutex_lock(&p->mu);
  // Reset before draining: a thread finishing after this unlock writes the eventfd again.
  p->notified = 0;
  while (p->d_head != p->d_tail && 2 * n + 1 < len) {
    uint32_t id = p->done[p->d_head++ % JOB_CAP];
    out[2 * n] = id;
    out[2 * n + 1] = (double)p->jobs[id].res;
    p->jobs[id].state = S_FREE;
    n++;
  }
  // Left over (out was too small): keep the wake pending so the driver reaps again.
  if (p->d_head != p->d_tail) { p->notified = 1; eventfd_write(p->eventfd, 1); }
  pthread_mutex_unlock(&p->mu);
  return num(env, (double)n);
}

// poolThreads(pool) -> threads started; poolSyscalls(pool) -> syscalls the threads made.
static napi_value js_threads(napi_env env, napi_callback_info info) {
  ARGS(1)
  file_pool *p = pool_of(env, a[0]);
  if (!p) return NULL;
  pthread_mutex_lock(&p->mu);
  int n = p->nthreads;
  pthread_mutex_unlock(&p->mu);
  return num(env, n);
}

static napi_value js_syscalls(napi_env env, napi_callback_info info) {
  ARGS(1)
  file_pool *p = pool_of(env, a[0]);
  return p ? num(env, (double)__atomic_load_n(&p->syscalls, __ATOMIC_RELAXED)) : NULL;
}

// poolClose(pool): stop and join the threads (call once no job is in flight), close the eventfd.
static napi_value js_close(napi_env env, napi_callback_info info) {
  ARGS(1)
  void *data = NULL;
  if (napi_get_value_external(env, a[0], &data) == napi_ok && data) pool_end(data);
  return NULL;
}

void file_pool_exports(napi_env env, napi_value file) {
  static const struct { const char *name; napi_callback fn; } fns[] = {
    { "poolOpen", js_open }, { "poolEventfd", js_eventfd }, { "poolSubmit", js_submit }, { "poolCancel", js_cancel },
    { "poolReap", js_reap }, { "poolThreads", js_threads }, { "poolSyscalls", js_syscalls }, { "poolClose", js_close },
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, file, fns[i].name, f);
  }
}
