#!/usr/bin/env bash
# `npm start`: installs what is missing, builds the wasm core, then runs the example app under
# `wrangler dev` together with the local capture collector it reports to.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node-env.sh
source scripts/node-env.sh
bash scripts/ensure-deps.sh
bash scripts/build.sh wasm
exec node scripts/start.mjs "$@"
