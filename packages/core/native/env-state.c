// One environment cleanup hook for every per-environment resource, so their order is fixed.
//
// Why one hook: Node runs cleanup hooks newest first, and the fd ledger and the file pools are
// made in either order (a runtime's first file op may come before its first handle). A pool's
// threads must be stopped before the ledger closes the fds they may still be about to use: a
// queued job run on a closed fd number that another thread of the process got back would read or
// write someone else's file. So the hook stops (and joins) the pools first, then closes the fds.
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <stdlib.h>
#include "env-state.h"

static void on_env_cleanup(void *arg) {
  env_state *s = (env_state *)arg;
  file_pools_end(s);
  ledger_end(s);
  free(s); // no JS runs in this environment any more to ask for it
}

env_state *env_state_of(napi_env env) {
  env_state *s = NULL;
  napi_get_instance_data(env, (void **)&s);
  if (s) return s;
  s = calloc(1, sizeof *s);
  if (!s || napi_set_instance_data(env, s, NULL, NULL) != napi_ok || napi_add_env_cleanup_hook(env, on_env_cleanup, s) != napi_ok) {
    free(s);
    napi_throw_error(env, "ENOMEM", "rentio addon: no environment cleanup hook");
    return NULL;
  }
  return s;
}
