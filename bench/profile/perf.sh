#!/usr/bin/env bash
# Where the evaluator's time goes on POST /v1/evaluate: starts the release binary with one event
# loop, sends REQUESTS requests of BODY one after another, and prints the server's CPU time per
# request (from /proc, so it holds on a busy machine) and perf's top functions, self and inclusive.
#
# Usage: bench/profile/perf.sh [BODY] [REQUESTS]
#   BODY      request body file (default: body-1m.json from bench/payloads.py, made on demand)
#   REQUESTS  requests to time and sample (default 200)
# Environment: ASSAY_EVALUATOR=path (default .build-perf/release/assay-evaluator), PORT (default 18555),
#   PERF_OUT=file to keep the samples for `perf report -i file` / `perf annotate -i file`.
# callgrind would give exact instruction counts, but valgrind cannot read the toolchain's DWARF 5
# and stops in libdispatch; perf's cpu-clock sampling works without hardware counters.
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${ASSAY_EVALUATOR:-.build-perf/release/assay-evaluator}
port=${PORT:-18555}
work=$(mktemp -d)
server=
trap '[[ -n "$server" ]] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
body=${1:-}
if [[ -z "$body" ]]; then
    .venv/bin/python bench/payloads.py "$work" >/dev/null
    body=$work/body-1m.json
fi
requests=${2:-200}
samples=${PERF_OUT:-$work/perf.data}
url=http://127.0.0.1:$port/v1/evaluate
post() { curl -s -o /dev/null -H 'content-type: application/json' --data-binary @"$body" "$url"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }

"$binary" serve --host 127.0.0.1 --port "$port" --event-loops 1 >"$work/log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
post  # warm-up: criteria compiled and cached, buffers grown

before=$(cpu_ticks)
for _ in $(seq 1 "$requests"); do post; done
after=$(cpu_ticks)
ticks=$(getconf CLK_TCK)
echo "server CPU per request: $(awk -v d=$((after - before)) -v n="$requests" -v t="$ticks" \
    'BEGIN { printf "%.3f ms", d * 1000 / t / n }') ($requests requests of $(stat -c %s "$body") bytes)"

perf record -F 4000 -e cpu-clock -g -p "$server" -o "$samples" >/dev/null 2>&1 &
recorder=$!
sleep 0.5
for _ in $(seq 1 "$requests"); do post; done
kill -INT "$recorder"
wait "$recorder" || true
echo "--- self"
perf report -i "$samples" --no-children --sort symbol --stdio -g none 2>/dev/null | grep '%' | grep -v '^#' | head -25 | cut -c1-160
echo "--- inclusive"
perf report -i "$samples" --children --sort symbol --stdio -g none 2>/dev/null | grep '%' | grep -v '^#' | head -40 | cut -c1-160
