#!/usr/bin/env bash
# Packaging check: `npm pack` every published package, install the tarballs into fresh projects in
# a temp dir outside the workspace (with npm, and with pnpm whose strict node_modules only lets a
# package import what it declares), then run the README's "Ten lines" there under both drivers,
# plus an http round trip through @rentio/compat. Catches a missing file in "files", a dependency
# that only resolves inside the workspace, and core failing to find a driver it loads by name.
#
#   bash scripts/pack-check.sh            # needs the npm registry (koffi, pnpm); ~1 min warm
#   KEEP=1 bash scripts/pack-check.sh     # keep the temp dir for inspection
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
PNPM=${PNPM:-pnpm@9}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rentio-pack-check.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
echo "pack-check: in $tmp"

npm run build --silent
mkdir -p "$tmp/tgz"
for p in core driver-epoll driver-uring compat; do
  npm pack --silent -w "packages/$p" --pack-destination "$tmp/tgz" >/dev/null
done
ls "$tmp/tgz"

# The README's "Ten lines", verbatim: the block after the heading, up to its closing fence.
awk '/^## Ten lines/{f=1;next} f&&/^```js/{c=1;next} c&&/^```/{exit} c' README.md >"$tmp/ten-lines.mjs"
[ "$(grep -c . "$tmp/ten-lines.mjs")" -ge 8 ] || { echo "pack-check: could not extract the Ten lines from README.md"; exit 1; }

cat >"$tmp/compat.mjs" <<'EOF'
import http from 'node:http'
import { serve, createConnection } from '@rentio/compat'
import { defaultRuntime } from '@rentio/core'

const served = await serve(http.createServer((req, res) => res.end('hi')), { port: 0, host: '127.0.0.1' })
const body = await new Promise((resolve, reject) => {
  http.get({ host: '127.0.0.1', port: served.port, createConnection, headers: { connection: 'close' } }, (res) => {
    let s = ''
    res.setEncoding('utf8').on('data', (d) => (s += d)).on('end', () => resolve(s)).on('error', reject)
  }).on('error', reject)
})
await served.close()
const rt = await defaultRuntime()
console.log(body, rt.driver.name)
await rt.close()
EOF

fail=0
check() { # name, expected output, command...
  local name=$1 want=$2; shift 2
  local got
  if got=$("$@" 2>&1) && [ "$got" = "$want" ]; then
    echo "ok   $name: $got"
  else
    echo "FAIL $name: expected '$want', got:"; echo "$got" | sed 's/^/     /'; fail=1
  fi
}

newproject() { # dir
  mkdir -p "$1"
  printf '{ "name": "pack-check", "private": true, "type": "module" }\n' >"$1/package.json"
  cp "$tmp/ten-lines.mjs" "$tmp/compat.mjs" "$1/"
}

run_project() { # dir, label
  local d=$1 label=$2 drv
  for drv in uring epoll; do
    check "$label ten lines [$drv]" '5 hello' env -C "$d" RENTIO_DRIVER=$drv node ten-lines.mjs
    check "$label compat http [$drv]" "hi $drv" env -C "$d" RENTIO_DRIVER=$drv node compat.mjs
  done
  # One copy of core: the drivers and compat import the project's core, not one of their own.
  check "$label one core" '1' bash -c "cd '$d' && find -L node_modules -path '*/@rentio/core/package.json' -exec realpath {} + | sort -u | wc -l"
}

tgz() { ls "$tmp"/tgz/rentio-"$1"-*.tgz; }
all=("$(tgz core)" "$(tgz driver-epoll)" "$(tgz driver-uring)" "$(tgz compat)")

echo "pack-check: npm $(npm --version)"
newproject "$tmp/npm"
(cd "$tmp/npm" && npm install --silent --no-audit --no-fund "${all[@]}")
run_project "$tmp/npm" npm

echo "pack-check: $PNPM"
newproject "$tmp/pnpm"
(cd "$tmp/pnpm" && npx --yes "$PNPM" --version && npx --yes "$PNPM" add --silent "${all[@]}")
run_project "$tmp/pnpm" pnpm

# Only core and the epoll driver (strict pnpm): auto must fall back to epoll and say why.
newproject "$tmp/pnpm-epoll-only"
(cd "$tmp/pnpm-epoll-only" && npx --yes "$PNPM" add --silent "$(tgz core)" "$(tgz driver-epoll)")
check "pnpm epoll-only auto" 'epoll package @rentio/driver-uring is not installed' env -C "$tmp/pnpm-epoll-only" RENTIO_DRIVER=auto node --input-type=module \
  -e "import { createRuntime } from '@rentio/core'; const rt = await createRuntime(); console.log(rt.driver.name, rt.fallbackReason); await rt.close()"

if [ $fail = 0 ]; then echo "pack-check: all passed"; else echo "pack-check: FAILED"; fi
exit $fail
