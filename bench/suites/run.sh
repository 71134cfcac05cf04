#!/usr/bin/env bash
# The suite benchmark: `assay-evaluator run` against Inspect AI on one generated 2,000-case suite,
# then ours at 200 ms emulator latency against the ideal, then three processes sharing a run on Redis.
# Needs `bin/setup --bench` (redis-server; inspect-ai and openai in .venv-inspect, a venv of their own
# because litellm[proxy] in .venv refuses Inspect's openai). Arguments pass through:
#   bench/suites/run.sh --cases 500
#   bench/suites/run.sh --quick            (or BENCH_QUICK=1: 64 cases, a few seconds, no RESULTS.md)
#   ASSAY_BIN_DIR=.build-suitebench/release bench/suites/run.sh
#   BENCH_VENV=/path/to/venv bench/suites/run.sh   (a venv holding inspect-ai and openai)
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib.sh
venv=${BENCH_VENV:-.venv-inspect}
bench_need_file "$venv/bin/python" "run bin/setup --bench (installs bench/requirements-inspect.txt into .venv-inspect)"
for tool in redis-server redis-cli; do bench_need_tool "$tool" "run bin/setup --bench (Debian's redis-server)"; done
exec "$venv/bin/python" bench/suites/suites_bench.py "$@"
