#!/usr/bin/env bash
# Builds and runs the libFuzzer target for SECONDS (default 20) from the seed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
cxx=$(command -v clang++ || command -v clang++-14)
[ -f build/fuzz/CMakeCache.txt ] || cmake -S . -B build/fuzz -DCMAKE_CXX_COMPILER="$cxx" -DEDGESCOPE_FUZZ=ON -DEDGESCOPE_TESTS=OFF >/dev/null
cmake --build build/fuzz --target edgescope_fuzz_inputs -j"$(nproc)" >/dev/null
mkdir -p build/fuzz/corpus
./build/fuzz/edgescope_fuzz_inputs -max_total_time="$seconds" -max_len=4096 build/fuzz/corpus tests/fuzz/corpus
