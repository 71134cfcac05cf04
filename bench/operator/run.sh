#!/usr/bin/env bash
# The operator benchmark: `assay-operator run` against a kopf operator doing the same job, each on a
# fresh assay-kube-emulator: apply → Deployment latency over SUITES suites, API requests per suite
# and per reconcile, then an idle window (API requests and writes per minute, CPU, RSS).
# Needs `bin/setup --bench` (redis-server; kopf and kubernetes in .venv). Options by environment:
#   SUITES=500 IDLE_SECONDS=60 bench/operator/run.sh        (the defaults)
#   SUITES=50 IDLE_SECONDS=10 OPERATORS=peer bench/operator/run.sh
#   ASSAY_BIN_DIR=.build-bench/release bench/operator/run.sh   (these binaries; no build)
#   BENCH_QUICK=1 bench/operator/run.sh   (20 suites, 2 s idle window, 1 s quiet: a few seconds a side)
#   EMULATOR_ARGS="--max-mutating-requests-inflight 4 --request-latency-ms 5" bench/operator/run.sh
#                                          (an API server that sheds load: 429 with Retry-After)
# Exits 1 when ours writes to the API during the idle window.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib.sh

if bench_quick; then
  SUITES=${SUITES:-20} IDLE_SECONDS=${IDLE_SECONDS:-2} QUIET_SECONDS=${QUIET_SECONDS:-1}
fi
SUITES=${SUITES:-500}
IDLE_SECONDS=${IDLE_SECONDS:-60}
CREATE_RATE=${CREATE_RATE:-0}          # suites created per second; 0: as fast as one connection goes
QUIET_SECONDS=${QUIET_SECONDS:-5}      # no write for this long after the last Deployment means settled
SETTLE_TIMEOUT=${SETTLE_TIMEOUT:-900}  # seconds an operator gets to give every suite its Deployment
OPERATORS=${OPERATORS:-ours,peer}
EMULATOR_ARGS=${EMULATOR_ARGS:-}         # extra assay-kube-emulator flags, e.g. an in-flight limit
NAMESPACE=${NAMESPACE:-bench}
VENV=${BENCH_VENV:-.venv}
PYTHON="$VENV/bin/python"
bench_need_file "$PYTHON" "run bin/setup --bench"
[[ ",$OPERATORS," != *,peer,* ]] ||
  bench_need_file "$VENV/bin/kopf" "run bin/setup --bench (installs kopf and kubernetes from bench/requirements.txt)"
for tool in redis-server redis-cli; do bench_need_tool "$tool" "run bin/setup --bench (Debian's redis-server)"; done

if [ -z "${ASSAY_BIN_DIR:-}" ]; then
  swift build -c release --product assay-kube-emulator >&2
  swift build -c release --product assay-operator >&2
  ASSAY_BIN_DIR=$(swift build -c release --show-bin-path)
fi
EMULATOR="$ASSAY_BIN_DIR/assay-kube-emulator"
OPERATOR="$ASSAY_BIN_DIR/assay-operator"
bench_need_file "$EMULATOR" "build it (swift build -c release --product assay-kube-emulator) or set ASSAY_BIN_DIR"
bench_need_file "$OPERATOR" "build it (swift build -c release --product assay-operator) or set ASSAY_BIN_DIR"

WORK=$(mktemp -d)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "${KEEP_WORK:-}" ]; then echo "run.sh: logs and results kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop() {  # pid
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

wait_for() {  # seconds description command...
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "run.sh: $what did not come up in ${seconds} s" >&2
      return 1
    fi
    sleep 0.1
  done
}

REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$WORK/redis.log" 2>&1 &
pids+=($!)
wait_for 10 redis-server redis-cli -p "$REDIS_PORT" ping

echo "# operator benchmark: $SUITES suites, idle window ${IDLE_SECONDS} s, $(nproc) cores," \
  "$(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
results=()
IFS=, read -r -a operators <<<"$OPERATORS"
for name in "${operators[@]}"; do
  echo "## $name" >&2
  # shellcheck disable=SC2086  # EMULATOR_ARGS is a list of flags
  "$EMULATOR" --port 0 --kubeconfig-out "$WORK/kubeconfig-$name" $EMULATOR_ARGS >"$WORK/emulator-$name.log" 2>&1 &
  emulator_pid=$!
  pids+=("$emulator_pid")
  wait_for 10 "assay-kube-emulator" grep -q '^listening on ' "$WORK/emulator-$name.log"
  server="http://$(sed -n 's/^listening on //p' "$WORK/emulator-$name.log" | head -n 1)"
  "$PYTHON" bench/operator/driver.py setup --server "$server" --namespace "$NAMESPACE" \
    --crd config/crd/evaluationsuites.yaml

  metrics=()
  case $name in
    ours)
      redis-cli -p "$REDIS_PORT" flushall >/dev/null
      health_port=$(free_port)
      "$OPERATOR" run --kubeconfig "$WORK/kubeconfig-$name" --redis "redis://127.0.0.1:$REDIS_PORT" \
        --health-host 127.0.0.1 --health-port "$health_port" >"$WORK/operator-$name.log" 2>&1 &
      operator_pid=$!
      metrics=(--metrics "http://127.0.0.1:$health_port/metrics")
      ;;
    peer)
      KUBECONFIG="$WORK/kubeconfig-$name" "$VENV/bin/kopf" run --standalone --all-namespaces \
        bench/operator/peer_operator.py >"$WORK/operator-$name.log" 2>&1 &
      operator_pid=$!
      ;;
    *)
      echo "run.sh: unknown operator $name (ours, peer)" >&2
      exit 2
      ;;
  esac
  pids+=("$operator_pid")
  if ! "$PYTHON" bench/operator/driver.py measure --server "$server" --namespace "$NAMESPACE" --name "$name" \
    --pid "$operator_pid" --suites "$SUITES" --idle "$IDLE_SECONDS" --rate "$CREATE_RATE" \
    --quiet "$QUIET_SECONDS" --settle-timeout "$SETTLE_TIMEOUT" "${metrics[@]}" --out "$WORK/$name.json"; then
    echo "run.sh: $name failed; the last lines of its log:" >&2
    tail -n 20 "$WORK/operator-$name.log" >&2
    exit 1
  fi
  results+=("$WORK/$name.json")
  stop "$operator_pid"
  stop "$emulator_pid"
done

mkdir -p bench/out
bench_quick && echo "run.sh: quick run ($SUITES suites): a smoke test of the script, not a measurement" >&2
for result in "${results[@]}"; do cp "$result" "bench/out/operator-$(basename "$result")"; done
status=0
"$PYTHON" bench/operator/driver.py report --suites "$SUITES" --idle "$IDLE_SECONDS" "${results[@]}" \
  | tee bench/out/operator.md || status=$?
exit "$status"
