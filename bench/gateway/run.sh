#!/usr/bin/env bash
# The provider gateway benchmark: our /v1/evaluate with a target against calling the provider
# emulator directly and against LiteLLM proxy (one worker and two), plus token-bucket acquisitions
# per second. Needs `bin/setup --bench` (wrk, redis-server, litellm[proxy] in .venv). Arguments pass
# through:
#   bench/gateway/run.sh --duration 5
#   bench/gateway/run.sh --quick      (or BENCH_QUICK=1: 1 s runs, no RESULTS.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib.sh
bench_need_file .venv/bin/python "run bin/setup --bench"
exec .venv/bin/python bench/gateway/gateway_bench.py "$@"
