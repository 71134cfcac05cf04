#!/usr/bin/env bash
# The provider gateway benchmark: our /v1/evaluate with a target against calling the provider
# emulator directly and against LiteLLM proxy, plus token-bucket acquisitions per second.
# Needs `bin/setup --bench` (wrk, redis-server, litellm[proxy] in .venv). Arguments pass through:
#   bench/gateway/run.sh --duration 5
set -euo pipefail
cd "$(dirname "$0")/../.."
exec .venv/bin/python bench/gateway/gateway_bench.py "$@"
