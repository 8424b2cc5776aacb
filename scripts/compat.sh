#!/usr/bin/env bash
# The compatibility check (CI runs it after `npm test`): the shim and workerd suites on both
# supported Node.js lines, and the workerd suite against both ends of the supported Miniflare
# range (js/testing/compatibility.js: MINIFLARE_OLDEST, and the newest, which is the dev
# dependency). Node lines come from the npm registry's `node` package (scripts/node-env.sh); the
# oldest Miniflare is installed into .toolchain/ and used through EDGESCOPE_MINIFLARE.
# Prints one line per combination and a closing `compat: N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node-env.sh
source scripts/node-env.sh
bash scripts/ensure-deps.sh --tests || exit 1
bash scripts/build.sh wasm >/dev/null || exit 1

oldest=$(node --input-type=module -e "import { MINIFLARE_OLDEST } from './js/testing/compatibility.js'; console.log(MINIFLARE_OLDEST)")
newest=$(node -p "require('miniflare/package.json').version")
oldest_dir=".toolchain/miniflare-$oldest"
if [ ! -f "$oldest_dir/node_modules/miniflare/package.json" ]; then
  echo "[compat] installing miniflare $oldest into $oldest_dir"
  mkdir -p "$oldest_dir"
  npm install --prefix "$oldest_dir" --no-save --no-audit --no-fund --loglevel=error "miniflare@$oldest" >/dev/null || exit 1
fi

# The Miniflare 5 beta whose workerd (1.20261123.1) has tracing.getActiveSpan()/spanContext():
# only tests/workerd/native-tracing.test.js runs on it, so the join with the platform's trace is
# exercised for real (miniflare@5.20261201.0-beta is not installable: its workerd 1.20261201.1 is
# not published as a version of the `workerd` package).
beta=5.20261123.1-beta
beta_dir=".toolchain/miniflare-$beta"
if [ ! -f "$beta_dir/node_modules/miniflare/package.json" ]; then
  echo "[compat] installing miniflare $beta into $beta_dir"
  mkdir -p "$beta_dir"
  npm install --prefix "$beta_dir" --no-save --no-audit --no-fund --loglevel=error "miniflare@$beta" >/dev/null || exit 1
fi

logs=$(mktemp -d)
passed=0
failed=0
# run <node major> <miniflare: newest|oldest> <suite>
run() {
  local node_line=$1 which=$2 suite=$3
  local log="$logs/node$node_line-$which-$suite.log"
  local override=""
  [ "$which" = oldest ] && override="$PWD/$oldest_dir/node_modules/miniflare"
  [ "$which" = beta ] && override="$PWD/$beta_dir/node_modules/miniflare"
  local files=tests/"$suite"/*.test.js
  [ "$which" = beta ] && files=tests/workerd/native-tracing.test.js
  (
    export EDGESCOPE_NODE=$node_line
    # shellcheck source=scripts/node-env.sh
    source scripts/node-env.sh
    export EDGESCOPE_MINIFLARE=$override
    echo "node-version $(node --version)"
    # shellcheck disable=SC2086 # $files is a glob or one path
    node --test --test-reporter=spec --test-concurrency=1 $files
  ) >"$log" 2>&1
  local p f version
  p=$(grep -E '^ℹ pass [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)
  f=$(grep -E '^ℹ fail [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)
  if [ -z "$p" ]; then p=0; f=$((${f:-0} + 1)); fi
  case $which in oldest) version=$oldest ;; beta) version=$beta ;; *) version=$newest ;; esac
  echo "compat: node $(grep -m1 '^node-version ' "$log" | cut -d' ' -f2) + miniflare $version, $suite: $p passed, ${f:-0} failed"
  if [ "${f:-0}" != 0 ]; then sed -n '/^✖ failing tests/,$p' "$log" | head -60; fi
  if [ "${f:-0}" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

run 22 newest js
run 22 newest workerd
run 24 newest js
run 24 newest workerd
run 22 oldest workerd
run 24 oldest workerd
run 22 beta native-tracing
rm -rf "$logs"
echo "compat: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
