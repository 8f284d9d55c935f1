// What the addon keeps per Node environment (the main thread, or one worker_threads worker), and
// the one cleanup hook that releases it when that environment ends (env-state.c).
#ifndef RENTIO_ENV_STATE_H
#define RENTIO_ENV_STATE_H
#include <node_api.h>

struct ledger_chunk;
struct file_pool;

typedef struct env_state {
  struct ledger_chunk *chunks; // the fd ledger (parker.c)
  struct file_pool *pools;     // file thread pools still open (file-pool.c)
} env_state;

// This environment's state, made (with its cleanup hook) on first use; NULL with a JS error
// pending if that failed.
env_state *env_state_of(napi_env env);

// Called by the cleanup hook, in this order (file-pool.c, parker.c).
void file_pools_end(env_state *s);
void ledger_end(env_state *s);
#endif
