// A pool of native threads that run blocking file calls for the epoll driver (file-pool.c).
#ifndef RENTIO_FILE_POOL_H
#define RENTIO_FILE_POOL_H
#include <node_api.h>

// The calls a job names, by number: the same numbers as FileCall in src/sys/file-calls.ts.
enum file_call {
  FILE_CALL_OPENAT = 1,
  FILE_CALL_READ = 2,
  FILE_CALL_WRITE = 3,
  FILE_CALL_WRITEV = 4,
  FILE_CALL_FSYNC = 5,
  FILE_CALL_STATX = 6,
  FILE_CALL_FTRUNCATE = 7,
  FILE_CALL_CHMOD = 8,
  FILE_CALL_UNLINK = 9,
};

// Adds the pool's functions (poolOpen, poolSubmit, ...) to the addon's `file` object.
void file_pool_exports(napi_env env, napi_value file);
#endif
