#!/usr/bin/env bash
# `npm run bench`: every benchmark, one after another, each measuring workerd CPU from outside
# (/proc; workerd's clock does not advance during CPU work, so nothing is timed inside it). About
# 10-12 minutes on 2 shared cores with the defaults below. Variables are passed through:
#   1. bench/workerd-overhead.mjs  CPU per request by response kind, against a baseline commit
#                                  (BASELINE=<ref>|none, KIND=string,stream,proxy, ROUNDS, PER_ROUND;
#                                  default 6 x 400; its header describes the sides)
#   2. bench/buffer-overhead.mjs   what the offline buffer adds when the collector is down or a
#                                  backlog is replayed (ROUNDS, PER_ROUND apply to it too)
#   3. bench/formats.mjs           CPU and bytes on the wire per request for each wire format, with
#                                  and without gzip, unsampled, against uninstrumented and the POST
#                                  floor: the README's Performance table (FORMATS_ROUNDS,
#                                  FORMATS_PER_ROUND, default 6 x 300; FORMATS=a,b; COMPRESSION=a,b)
#   4. bench/cold-start.mjs        what loading edgescope and the first Telemetry add to a fresh
#                                  workerd start (TRIALS, default 20; WARM, STEADY, default 100)
#   5. scripts/size-report.mjs     the module and example-app sizes against scripts/size-budget.mjs
#   6. bench/sampling-overhead.mjs keep-rule sampling at ratio 0.1 against pure head sampling at 0.1
#                                  and uninstrumented, side by side (ROUNDS, PER_ROUND; 6 x 400)
#   7. bench/bindings-overhead.mjs a KV get, a Cache API match and a D1 query per request:
#                                  uninstrumented, bindings: false and bindings traced, side by side
# ONLY=a,b runs only the named ones (overhead, buffer, formats, cold-start, sizes, sampling, bindings).
set -euo pipefail
cd "$(dirname "$0")/.."
only=",${ONLY:-overhead,buffer,formats,cold-start,sizes,sampling,bindings},"
for name in ${only//,/ }; do
  case ",overhead,buffer,formats,cold-start,sizes,sampling,bindings," in *",$name,"*) ;; *) echo "ONLY: unknown benchmark '$name'; use overhead, buffer, formats, cold-start, sizes, sampling, bindings" >&2; exit 2 ;; esac
done
# shellcheck source=scripts/node-env.sh
source scripts/node-env.sh
bash scripts/ensure-deps.sh
bash scripts/build.sh wasm
run() { [[ $only == *",$1,"* ]]; }
if run overhead; then node bench/workerd-overhead.mjs; fi
if run buffer; then node bench/buffer-overhead.mjs; fi
# formats.mjs reads ROUNDS and PER_ROUND; its own knobs keep the other benches' settings apart.
if run formats; then ROUNDS="${FORMATS_ROUNDS:-6}" PER_ROUND="${FORMATS_PER_ROUND:-300}" node bench/formats.mjs; fi
if run cold-start; then node bench/cold-start.mjs; fi
if run sizes; then node scripts/size-report.mjs; fi
if run sampling; then node bench/sampling-overhead.mjs; fi
if run bindings; then node bench/bindings-overhead.mjs; fi
