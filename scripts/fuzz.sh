#!/usr/bin/env bash
# Builds and runs each libFuzzer target for SECONDS (default 20) from its seed corpus:
#   inputs     traceparent, tracestate, names, values, messages through both encoders
#   redaction  the redaction scanners (wasm/src/privacy)
#   buffer_entry  offline buffer entry headers (wasm/src/buffering/buffer_entry.cpp)
#   resilience_snapshot  breaker, registry and ledger snapshots: deserialize and merge (wasm/src/resilience),
#                        the object picked by the first byte; {breaker,registry,ledger}_snapshot: one each
#   otlp_proto    hostile records through the OTLP protobuf encoder, every payload walked strictly
#   error_rules   packed classification rules and hostile errors through the classifier (wasm/src/monitoring)
#   exp_histogram exponential histogram native JSON: decode, merge, round trip (wasm/src/monitoring)
#   tier_rules    cache-tier patterns and packed entries against an oracle (wasm/src/tiers)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
cxx=$(command -v clang++ || command -v clang++-14)
[ -f build/fuzz/CMakeCache.txt ] || cmake -S . -B build/fuzz -DCMAKE_CXX_COMPILER="$cxx" -DEDGESCOPE_FUZZ=ON -DEDGESCOPE_TESTS=OFF >/dev/null
for target in inputs redaction buffer_entry otlp_proto resilience_snapshot breaker_snapshot registry_snapshot ledger_snapshot error_rules exp_histogram tier_rules; do
  cmake --build build/fuzz --target "edgescope_fuzz_$target" -j"$(nproc)" >/dev/null
  mkdir -p "build/fuzz/corpus-$target"
  seeds=()
  [ "$target" = inputs ] && seeds+=(tests/fuzz/corpus)
  [ "$target" = buffer_entry ] && seeds+=(tests/fuzz/corpus-buffer-entry)
  [ "$target" = redaction ] && seeds+=(tests/fuzz/corpus-redaction)
  case $target in *_snapshot) seeds+=(tests/fuzz/corpus-resilience) ;; esac
  [ "$target" = otlp_proto ] && seeds+=(tests/fuzz/corpus-otlp-proto)
  [ "$target" = error_rules ] && seeds+=(tests/fuzz/corpus-error-rules)
  [ "$target" = exp_histogram ] && seeds+=(tests/fuzz/corpus-exp-histogram)
  [ "$target" = tier_rules ] && seeds+=(tests/fuzz/corpus-tier-rules)
  echo "[fuzz] $target"
  "./build/fuzz/edgescope_fuzz_$target" -max_total_time="$seconds" -max_len=4096 "build/fuzz/corpus-$target" "${seeds[@]}"
done
