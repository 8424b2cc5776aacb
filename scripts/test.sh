#!/usr/bin/env bash
# `npm test`: installs what is missing, builds both targets, then runs every suite
#   1. the doctest suite natively (ASan + UBSan)      4. node --test: the shim (tests/js)
#   2. the same suite as wasm under Node              5. node --test: workerd via Miniflare (tests/workerd)
#   3. 10 s of each libFuzzer target (parsers and encoders, redaction)
# and ends with one summary line of passed/failed counts.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh || { echo "dependency installation failed"; echo "total: 0 passed, 1 failed"; exit 1; }
if ! bash scripts/build.sh >/tmp/edgescope-build.log 2>&1; then
  cat /tmp/edgescope-build.log
  echo "total: 0 passed, 1 failed"
  exit 1
fi
grep '^\[build\]' /tmp/edgescope-build.log

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

./build/native/edgescope_tests >/tmp/edgescope-doctest-native.log 2>&1 || tail -c 3000 /tmp/edgescope-doctest-native.log
doctest_counts /tmp/edgescope-doctest-native.log "core (native, ASan+UBSan)"
node build/wasm/edgescope_tests.cjs >/tmp/edgescope-doctest-wasm.log 2>&1 || tail -c 3000 /tmp/edgescope-doctest-wasm.log
doctest_counts /tmp/edgescope-doctest-wasm.log "core (wasm under Node)"

# A short run of each libFuzzer target (scripts/fuzz.sh SECONDS runs longer ones).
if bash scripts/fuzz.sh 10 >/tmp/edgescope-fuzz.log 2>&1; then
  passed=$((passed + 1)); echo "fuzz: 1 passed, 0 failed ($(grep -oE 'Done [0-9]+ runs' /tmp/edgescope-fuzz.log | paste -sd, -))"
else
  failed=$((failed + 1)); tail -40 /tmp/edgescope-fuzz.log; echo "fuzz: 0 passed, 1 failed"
fi

for suite in js workerd; do
  log=/tmp/edgescope-node-$suite.log
  node --test --test-reporter=spec --test-concurrency=1 "tests/$suite/" >"$log" 2>&1
  p=$(grep -E '^ℹ pass [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)
  f=$(grep -E '^ℹ fail [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)
  if [ -z "$p" ]; then p=0; f=$((${f:-0} + 1)); fi
  if [ "${f:-0}" != 0 ]; then sed -n '/^✖ failing tests/,$p' "$log"; fi
  passed=$((passed + p)); failed=$((failed + ${f:-0}))
  echo "$suite: $p passed, ${f:-0} failed"
done

echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
