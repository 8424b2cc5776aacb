#!/usr/bin/env bash
# `npm run bench`: workerd CPU overhead per request and package sizes (bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/build.sh wasm
node bench/workerd-overhead.mjs
