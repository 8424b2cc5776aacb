#!/usr/bin/env bash
# `npm run bench`: workerd CPU per request and package sizes (bench/workerd-overhead.mjs, whose
# header describes the sides and the BASELINE, KIND, ROUNDS and PER_ROUND variables), then what the
# offline buffer adds per request when the collector is down or a backlog is replayed
# (bench/buffer-overhead.mjs; ROUNDS and PER_ROUND apply to it too). Variables are passed through.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node-env.sh
source scripts/node-env.sh
bash scripts/ensure-deps.sh
bash scripts/build.sh wasm
node bench/workerd-overhead.mjs
node bench/buffer-overhead.mjs
