#!/usr/bin/env bash
# One command on a fresh Debian/Ubuntu machine: system packages that are missing (liburing2
# for the io_uring driver; gcc, liburing-dev, fio and wrk for `npm run bench`), npm
# dependencies, the build, then the main demo. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

have_liburing() { ldconfig -p 2>/dev/null | grep -q 'liburing\.so\.2' || [ -e /usr/lib/x86_64-linux-gnu/liburing.so.2 ] || [ -e /usr/lib/aarch64-linux-gnu/liburing.so.2 ]; }

missing=()
have_liburing || missing+=(liburing2)
[ -e /usr/include/liburing.h ] || missing+=(liburing-dev)
command -v gcc >/dev/null || missing+=(gcc)
command -v fio >/dev/null || missing+=(fio)
command -v wrk >/dev/null || missing+=(wrk)

if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
    echo "setup: installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing system packages: ${missing[*]}"
    echo "setup: install them with: sudo apt-get install ${missing[*]}"
    echo "setup: without liburing2 the io_uring driver is unavailable and RENTIO_DRIVER=auto uses epoll"
  fi
fi

echo "setup: npm ci"
npm ci --no-audit --no-fund --loglevel=error
echo "setup: build"
npm run build --silent
echo "setup: demo (npm start)"
npm start
