#!/usr/bin/env bash
# The suite benchmark: `assay-evaluator run` against Inspect AI on one generated 2,000-case suite,
# then ours at 200 ms emulator latency against the ideal, then three processes sharing a run on Redis.
# Needs `bin/setup --bench` (redis-server, inspect-ai and openai in .venv). Arguments pass through:
#   bench/suites/run.sh --cases 500
#   ASSAY_BIN_DIR=.build-suitebench/release bench/suites/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
exec "${BENCH_VENV:-.venv-inspect}/bin/python" bench/suites/suites_bench.py "$@"
