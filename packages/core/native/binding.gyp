{
  "targets": [{
    "target_name": "rentio_parker",
    "sources": ["parker.c", "file-calls.c", "file-pool.c", "env-state.c"],
    "cflags": ["-O2", "-Wall", "-Wextra"],
    "defines": ["NAPI_VERSION=8"]
  }]
}
