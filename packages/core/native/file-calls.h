// The blocking libc calls file worker threads make without koffi (file-calls.c).
#ifndef RENTIO_FILE_CALLS_H
#define RENTIO_FILE_CALLS_H
#include <node_api.h>
// An object of functions, one per libc call, each returning the result or -errno.
napi_value file_calls(napi_env env);
#endif
