#!/usr/bin/env bash
# Builds the core: `native` (doctest suite, ASan+UBSan), `wasm` (the two modules only,
# dist/edgescope.wasm and dist/edgescope-resilience.wasm: what `npm start`, `npm pack` and the
# benchmarks load), or everything (no argument: both, plus the
# doctest suite as wasm, which `npm test` runs). Incremental: reruns cost only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
case $what in
  all | native | wasm) ;;
  *) echo "scripts/build.sh: unknown target '$what' (expected native, wasm, or nothing for all)" >&2; exit 2 ;;
esac
jobs=$(nproc 2>/dev/null || echo 2)
# emcc's optimizer needs Debian's acorn (DESIGN.md section 8).
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}

if [ "$what" = all ] || [ "$what" = native ]; then
  [ -f build/native/CMakeCache.txt ] || cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Debug -DEDGESCOPE_SANITIZE=ON >/dev/null
  cmake --build build/native -j"$jobs" >/dev/null
fi
if [ "$what" = all ] || [ "$what" = wasm ]; then
  [ -f build/wasm/CMakeCache.txt ] || emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
  # `wasm` alone builds the modules' targets only: the wasm doctest suite is for `npm test`.
  targets=()
  [ "$what" = wasm ] && targets=(--target edgescope_wasm edgescope_resilience_wasm)
  cmake --build build/wasm -j"$jobs" "${targets[@]}" >/dev/null
  # Gzipped too: what a Worker bundle is charged for (Workers size limits apply to the compressed script).
  for module in dist/edgescope.wasm dist/edgescope-resilience.wasm; do
    echo "[build] $module: $(wc -c < "$module") bytes, $(gzip -9c "$module" | wc -c) gzipped"
  done
fi
node scripts/build-dashboard.mjs
