#!/usr/bin/env bash
# `npm start`: installs what is missing, builds the wasm module (only the module: the wasm doctest
# suite is for `npm test`), then runs the example app under `wrangler dev` together with the local
# capture collector it reports to (scripts/start.mjs).
#   npm start -- --port 8788 --collector-port 4400 --console
#   EDGESCOPE_PORT=8788 EDGESCOPE_COLLECTOR_PORT=4400 EDGESCOPE_CONSOLE=1 npm start
# --port / EDGESCOPE_PORT: the app (default 8787). --collector-port / EDGESCOPE_COLLECTOR_PORT: the
# collector (default 0, any free port, printed; never 4318, the OTLP port a local OpenTelemetry
# Collector uses). --console / EDGESCOPE_CONSOLE=1: the Worker also prints each record itself
# through exporters.console(). `npm start -- --help` lists them; scripts/start.mjs says more.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node-env.sh
source scripts/node-env.sh
bash scripts/ensure-deps.sh
bash scripts/build.sh wasm
exec node scripts/start.mjs "$@"
