#!/usr/bin/env bash
# `npm test`: installs what is missing, builds both targets, then runs every suite
#   1. the doctest suite natively (ASan + UBSan)      4. node --test: the shim (tests/js)
#   2. the same suite as wasm under Node              5. node --test: workerd via Miniflare (tests/workerd)
#   3. 10 s of each libFuzzer target (parsers and encoders, redaction)
# and ends with one summary line of passed/failed counts.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node-env.sh
source scripts/node-env.sh || { echo "Node.js installation failed"; echo "total: 0 passed, 1 failed"; exit 1; }
echo "[deps] node $(node --version)"
# Logs of this run, apart from any other checkout's run on the machine.
logs=$(mktemp -d /tmp/edgescope-test-XXXXXX)
bash scripts/ensure-deps.sh --tests || { echo "dependency installation failed"; echo "total: 0 passed, 1 failed"; exit 1; }
if ! bash scripts/build.sh >"$logs/build.log" 2>&1; then
  cat "$logs/build.log"
  echo "total: 0 passed, 1 failed"
  exit 1
fi
grep '^\[build\]' "$logs/build.log"

passed=0
failed=0
doctest_counts() { # parses "[doctest] test cases: 26 | 26 passed | 0 failed"
  local line
  line=$(sed 's/\x1b\[[0-9;]*m//g' "$1" | grep 'test cases:' | tail -1)
  local p f
  p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
  f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
  if [ -z "$p" ]; then p=0; f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  echo "$2: $p passed, $f failed"
}

./build/native/edgescope_tests >"$logs/doctest-native.log" 2>&1 || tail -c 3000 "$logs/doctest-native.log"
doctest_counts "$logs/doctest-native.log" "core (native, ASan+UBSan)"
node build/wasm/edgescope_tests.cjs >"$logs/doctest-wasm.log" 2>&1 || tail -c 3000 "$logs/doctest-wasm.log"
doctest_counts "$logs/doctest-wasm.log" "core (wasm under Node)"

# A short run of each libFuzzer target (scripts/fuzz.sh SECONDS runs longer ones).
if bash scripts/fuzz.sh 10 >"$logs/fuzz.log" 2>&1; then
  passed=$((passed + 1)); echo "fuzz: 1 passed, 0 failed ($(grep -oE 'Done [0-9]+ runs' "$logs/fuzz.log" | paste -sd, -))"
else
  failed=$((failed + 1)); tail -40 "$logs/fuzz.log"; echo "fuzz: 0 passed, 1 failed"
fi

for suite in js workerd; do
  log="$logs/node-$suite.log"
  # File globs, expanded by the shell: Node 22 reads a bare directory as a module path.
  node --test --test-reporter=spec --test-concurrency=1 tests/"$suite"/*.test.js >"$log" 2>&1
  p=$(grep -E '^ℹ pass [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)
  f=$(grep -E '^ℹ fail [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)
  if [ -z "$p" ]; then p=0; f=$((${f:-0} + 1)); fi
  if [ "${f:-0}" != 0 ]; then sed -n '/^✖ failing tests/,$p' "$log"; fi
  passed=$((passed + p)); failed=$((failed + ${f:-0}))
  echo "$suite: $p passed, ${f:-0} failed"
done

echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
