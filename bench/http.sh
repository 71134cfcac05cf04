#!/usr/bin/env bash
# Runs bench/http_bench.py with the project's venv (bin/setup --bench installs what it needs).
# Arguments pass through: bench/http.sh --quick (or BENCH_QUICK=1), bench/http.sh --duration 20, ...
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_need_file .venv/bin/python "run bin/setup --bench"
exec .venv/bin/python bench/http_bench.py "$@"
