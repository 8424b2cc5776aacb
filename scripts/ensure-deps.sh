#!/usr/bin/env bash
# Installs what the build and the tests need, only when missing (safe to run every time):
# Debian packages for the C++/wasm toolchain, then the npm dev dependencies (npm ci).
#   --tests: also what only the tests need (chromium for the dashboard's page tests).
set -euo pipefail
for_tests=0
[ "${1:-}" = --tests ] && for_tests=1
cd "$(dirname "$0")/.."

need_apt=()
command -v cmake >/dev/null || need_apt+=(cmake)
command -v g++ >/dev/null || need_apt+=(g++)
command -v emcc >/dev/null || need_apt+=(emscripten)
{ command -v clang++ || command -v clang++-14; } >/dev/null || need_apt+=(clang)  # libFuzzer
command -v wasm-opt >/dev/null || need_apt+=(binaryen)
command -v wasm-objdump >/dev/null || need_apt+=(wabt)
[ -f /usr/include/nlohmann/json.hpp ] || need_apt+=(nlohmann-json3-dev)
[ -f /usr/include/doctest/doctest.h ] || need_apt+=(doctest-dev)
if [ $for_tests = 1 ]; then
  command -v chromium >/dev/null || need_apt+=(chromium)  # the dashboard's page tests (puppeteer-core drives it)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "[deps] installing Debian packages: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# npm ci only when node_modules does not match the lock file.
stamp=node_modules/.edgescope-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -L node_modules ]; then
  # A git worktree that borrows another checkout's install: `npm ci` here would empty that
  # checkout's node_modules under everyone using it. Say so instead of reinstalling.
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "[deps] node_modules links to $(readlink -f node_modules), installed from a different package-lock.json; run npm ci there" >&2
  fi
elif [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[deps] npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
