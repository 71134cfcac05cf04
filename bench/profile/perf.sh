#!/usr/bin/env bash
# Where the evaluator's time goes on POST /v1/evaluate: starts the release binary with one event
# loop, sends REQUESTS requests of BODY one after another, and prints the server's CPU time per
# request (from /proc, so it holds on a busy machine) and perf's top functions, self and inclusive.
#
# Usage: bench/profile/perf.sh [BODY] [REQUESTS]
#   BODY      request body file (default: body-1m.json from bench/payloads.py, made on demand, as is
#             a BODY of body-1k.json or body-1m.json that is not a file here)
#   REQUESTS  requests to time and sample (default 200; 10 with BENCH_QUICK=1, the 1 KB body)
# Environment: ASSAY_EVALUATOR=path (default: `swift build -c release --product assay-evaluator`),
#   PERF_OUT=file to keep the samples for `perf report -i file` / `perf annotate -i file`,
#   PERF_WRK_SECONDS=S to load the server as bench/http.sh does (wrk, 64 keep-alive connections, the
#   server's default event loops) for S seconds instead of REQUESTS one at a time: the CPU per request
#   then leaves out connection setup, and the profile is that of the benchmark.
#   PERF_CHUNKED=1 sends the body with Transfer-Encoding: chunked (curl's chunks) instead of Content-Length.
# Needs perf (Debian's linux-perf), curl and .venv: bin/setup --bench. The server listens on a free port.
# callgrind would give exact instruction counts, but valgrind cannot read the toolchain's DWARF 5
# and stops in libdispatch; perf's cpu-clock sampling works without hardware counters.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib.sh
bench_need_tool perf "run bin/setup --bench (Debian's linux-perf)"
bench_need_tool curl "run bin/setup (Debian's curl)"
bench_need_file .venv/bin/python "run bin/setup --bench"
if [[ -z "${ASSAY_EVALUATOR:-}" ]]; then
    swift build -c release --product assay-evaluator >&2
    ASSAY_EVALUATOR=$(swift build -c release --show-bin-path)/assay-evaluator
fi
binary=$ASSAY_EVALUATOR
bench_need_file "$binary" "build it (swift build -c release --product assay-evaluator) or set ASSAY_EVALUATOR"
work=$(mktemp -d)
server=
trap '[[ -n "$server" ]] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
body=${1:-}
if [[ -z "$body" ]]; then
    .venv/bin/python bench/payloads.py "$work" >/dev/null
    body=$work/body-1m.json
    bench_quick && body=$work/body-1k.json
fi
# A bare body-1k.json or body-1m.json (as bench/RESULTS.md writes them) is made on demand too.
if [[ ! -f "$body" && ( "$body" == body-1k.json || "$body" == body-1m.json ) ]]; then
    .venv/bin/python bench/payloads.py "$work" >/dev/null
    body=$work/$body
fi
[[ -f "$body" ]] || { echo "perf.sh: $body is not a file (bench/payloads.py DIR writes body-1k.json and body-1m.json)" >&2; exit 2; }
requests=${2:-200}
bench_quick && requests=${2:-10}
samples=${PERF_OUT:-$work/perf.data}
framing=()
[[ -n "${PERF_CHUNKED:-}" ]] && framing=(-H 'transfer-encoding: chunked')
post() { curl -s -o /dev/null -H 'content-type: application/json' "${framing[@]}" --data-binary @"$body" "$url"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }

wrk_seconds=${PERF_WRK_SECONDS:-}
loops=(--event-loops 1)
if [[ -n "$wrk_seconds" ]]; then
    bench_need_tool wrk "run bin/setup --bench (Debian's wrk)"
    loops=()
fi
"$binary" serve --host 127.0.0.1 --port 0 "${loops[@]}" >"$work/log" 2>&1 &
server=$!
port=
for _ in $(seq 1 100); do
    port=$(sed -n 's/.*"address":"[0-9.]*:\([0-9]*\)".*/\1/p' "$work/log" | head -n 1)
    [[ -n "$port" ]] && curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
    sleep 0.1
done
if [[ -z "$port" ]]; then
    echo "perf.sh: the evaluator did not start; its log:" >&2
    cat "$work/log" >&2
    exit 1
fi
url=http://127.0.0.1:$port/v1/evaluate
post  # warm-up: criteria compiled and cached, buffers grown

# wrk's request count over a run of $wrk_seconds (the script prints it as BENCH_JSON).
load() {
    wrk -t2 -c64 -d"${1}s" --timeout 10s -s bench/post.lua "$url" -- "$body" |
        sed -n 's/^BENCH_JSON .*"requests":\([0-9]*\).*/\1/p'
}
send() {
    if [[ -n "$wrk_seconds" ]]; then
        load "$wrk_seconds"
    else
        for _ in $(seq 1 "$requests"); do post; done
        echo "$requests"
    fi
}
[[ -n "$wrk_seconds" ]] && load 2 >/dev/null  # warm-up at full load

before=$(cpu_ticks)
sent=$(send)
after=$(cpu_ticks)
ticks=$(getconf CLK_TCK)
echo "server CPU per request: $(awk -v d=$((after - before)) -v n="$sent" -v t="$ticks" \
    'BEGIN { printf "%.3f ms", d * 1000 / t / n }') ($sent requests of $(stat -c %s "$body") bytes${wrk_seconds:+, wrk -c64 for $wrk_seconds s})"

perf record -F 4000 -e cpu-clock -g -p "$server" -o "$samples" >/dev/null 2>&1 &
recorder=$!
sleep 0.5
send >/dev/null
kill -INT "$recorder"
wait "$recorder" || true
if [[ ! -s "$samples" ]]; then
    echo "perf.sh: perf record wrote no samples (see /proc/sys/kernel/perf_event_paranoid)" >&2
    exit 1
fi
# The symbol lines of a report. A quick run of ten small requests can leave perf no sample of the
# server at all; that is said, not failed on (grep finding no line would fail the pipeline).
report() {
    local lines
    lines=$(perf report -i "$samples" "$1" --sort symbol --stdio -g none 2>/dev/null | grep '%' | grep -v '^#' || true)
    if [[ -z "$lines" ]]; then
        echo "(no samples of the server in this run: too few requests for perf's sampling rate)"
    else
        sed -n "1,${2}p" <<<"$lines" | cut -c1-160
    fi
}
echo "--- self"
report --no-children 25
echo "--- inclusive"
report --children 40
