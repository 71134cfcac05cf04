#!/usr/bin/env bash
# Runs every bench script in quick mode (BENCH_QUICK=1): a few seconds each, ours beside its peer as
# in a full run, ratios printed, nothing written under bench/ but bench/out/. Exits non-zero when any
# script fails, so ./bin/check keeps them from rotting. Quick figures test the scripts, not our speed.
#   bench/quick.sh                    needs `bin/setup --bench` and a debug build (`swift build`)
#   bench/quick.sh --skip-if-missing  says so and exits 0 when the bench peers are not installed
#   ASSAY_BIN_DIR=.build/release bench/quick.sh   these binaries (default: `swift build --show-bin-path`)
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for file in .venv/bin/uvicorn .venv/bin/litellm .venv/bin/kopf .venv-inspect/bin/inspect; do
  [ -x "$file" ] || missing+=("$file")
done
for tool in wrk nginx redis-server redis-cli perf curl; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench quick: not installed: ${missing[*]} (bin/setup --bench installs them)"
  [ "${1:-}" = "--skip-if-missing" ] && { echo "bench quick: skipped"; exit 0; }
  exit 3
fi

bin_dir=${ASSAY_BIN_DIR:-$(swift build --show-bin-path)}
for product in assay-evaluator assay-provider-emulator assay-kube-emulator assay-operator; do
  if [ ! -x "$bin_dir/$product" ]; then
    echo "bench quick: $bin_dir/$product is missing: run swift build (or set ASSAY_BIN_DIR)" >&2
    exit 3
  fi
done
bin_dir=$(cd "$bin_dir" && pwd)
work=$(mktemp -d)
# A server a script stopped may still be writing its last profile file: a second try, never a failure.
trap 'rm -rf "$work" 2>/dev/null || { sleep 1; rm -rf "$work" 2>/dev/null; } || true' EXIT
export BENCH_QUICK=1 ASSAY_BIN_DIR=$bin_dir
export ASSAY_EVALUATOR=$bin_dir/assay-evaluator ASSAY_PROVIDER_EMULATOR=$bin_dir/assay-provider-emulator
# A build with --enable-code-coverage writes a profile per process; keep those out of the tree.
export LLVM_PROFILE_FILE=$work/%p.profraw

scripts=(
  "http: bench/http.sh"
  "gateway: bench/gateway/run.sh"
  "suites: bench/suites/run.sh"
  "operator: bench/operator/run.sh"
  "queue: bench/queue/run.sh"
  "hostile: .venv/bin/python bench/hostile/hostile.py --evaluator $ASSAY_EVALUATOR --emulator $ASSAY_PROVIDER_EMULATOR"
  "profile: bench/profile/perf.sh"
  "json: bench/json/run.sh"
)
summary=()
status=0
started=$SECONDS
for entry in "${scripts[@]}"; do
  name=${entry%%: *}
  read -r -a command <<<"${entry#*: }"
  echo "--- bench quick: $name (${command[*]})"
  begun=$SECONDS
  if "${command[@]}" </dev/null; then
    summary+=("$name ok in $((SECONDS - begun)) s")
  else
    summary+=("$name FAILED (exit $?) in $((SECONDS - begun)) s")
    status=1
  fi
done
echo "bench quick: ${summary[*]/%/;} $((SECONDS - started)) s in all"
exit "$status"
