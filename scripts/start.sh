#!/usr/bin/env bash
# `npm start`: installs what is missing, builds the wasm module (only the module: the wasm doctest
# suite is for `npm test`), then runs the example app and the collector together under
# `wrangler dev` on local D1, with generated traffic, and prints the dashboard's URL
# (scripts/start.mjs).
#   npm start -- --port 8787 --collector-port 8788 --no-traffic
#   EDGESCOPE_PORT=8787 EDGESCOPE_COLLECTOR_PORT=8788 EDGESCOPE_TRAFFIC=0 npm start
# --port / EDGESCOPE_PORT: the app (default 8787). --collector-port / EDGESCOPE_COLLECTOR_PORT: the
# collector and its dashboard (default 8788; 0 any free port). --persist-to DIR: the local D1 state
# (default .wrangler/edgescope-start). --no-traffic, --verbose, --console: `npm start -- --help`
# lists them all; scripts/start.mjs says more.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node-env.sh
source scripts/node-env.sh
bash scripts/ensure-deps.sh
bash scripts/build.sh wasm
exec node scripts/start.mjs "$@"
