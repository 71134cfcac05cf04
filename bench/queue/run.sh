#!/usr/bin/env bash
# The run queue's ceiling: 1, 2 and 4 `assay-evaluator run --redis` processes on one redis-server with
# the provider emulator at latency 0 (cases/s, Redis commands per case, Redis CPU), then 900 cases at
# 200 ms on three processes with one SIGKILLed (time to finish, exactly-once check).
# Needs redis-server and redis-cli (bin/setup --bench); python3's standard library only.
#   bench/queue/run.sh                                   # builds release binaries first
#   ASSAY_BIN_DIR=.build/release bench/queue/run.sh --cases 2000
set -euo pipefail
cd "$(dirname "$0")/../.."
exec python3 bench/queue/queue_bench.py "$@"
