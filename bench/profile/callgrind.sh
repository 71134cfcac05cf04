#!/usr/bin/env bash
# Instruction-level profile of POST /v1/evaluate: runs the release evaluator under callgrind,
# sends a few requests of one body, and prints the top functions (inclusive and self) per request.
# Instruction counts are repeatable on a busy machine, unlike wall-clock timings.
#
# Usage: bench/profile/callgrind.sh [BODY] [REQUESTS]
#   BODY      request body file (default: body-1m.json from bench/payloads.py, generated on demand)
#   REQUESTS  requests to profile after one warm-up request (default 5)
# Environment: ASSAY_EVALUATOR=path (default .build-perf/release/assay-evaluator), PORT (default 18555).
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${ASSAY_EVALUATOR:-.build-perf/release/assay-evaluator}
port=${PORT:-18555}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
body=${1:-}
if [[ -z "$body" ]]; then
    .venv/bin/python bench/payloads.py "$work" >/dev/null
    body=$work/body-1m.json
fi
requests=${2:-5}
url=http://127.0.0.1:$port/v1/evaluate
post() { curl -s -o /dev/null -w '%{http_code}\n' -H 'content-type: application/json' --data-binary @"$body" "$url"; }

valgrind --tool=callgrind --callgrind-out-file="$work/out" --instr-atstart=no \
    "$binary" serve --host 127.0.0.1 --port "$port" --event-loops 1 >"$work/log" 2>&1 &
server=$!
for _ in $(seq 1 600); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
post >/dev/null  # warm-up: criteria compiled and cached, buffers grown
callgrind_control -i on "$server" >/dev/null
for _ in $(seq 1 "$requests"); do post >/dev/null; done
callgrind_control -i off "$server" >/dev/null
kill -TERM "$server"
wait "$server" || true
file=$work/out
total=$(callgrind_annotate "$file" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "instructions per request: $((total / requests)) ($requests requests)"
callgrind_annotate --inclusive=yes "$file" 2>/dev/null | sed -n '/Ir/,$p' | head -45 | cut -c1-220
echo "--- self"
callgrind_annotate "$file" 2>/dev/null | sed -n '/Ir/,$p' | head -35 | cut -c1-220
