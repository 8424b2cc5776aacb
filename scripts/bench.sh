#!/usr/bin/env bash
# `npm run bench`: workerd CPU per request and package sizes (bench/workerd-overhead.mjs, whose
# header describes the sides and the BASELINE, KIND, ROUNDS and PER_ROUND variables, passed through).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/build.sh wasm
node bench/workerd-overhead.mjs
