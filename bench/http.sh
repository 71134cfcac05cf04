#!/usr/bin/env bash
# Runs bench/http_bench.py with the project's venv (bin/setup --bench installs what it needs).
# Arguments pass through: bench/http.sh --quick, bench/http.sh --duration 20, ...
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python bench/http_bench.py "$@"
