# Sourced by the bench scripts: each check names what is missing and the command that installs it,
# and exits 3 (nothing was measured).
bench_need_file() {  # path what-installs-it
  if [ ! -x "$1" ]; then
    echo "$0: $1 is missing: $2" >&2
    exit 3
  fi
}
bench_need_tool() {  # command what-installs-it
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "$0: $1 is not on PATH: $2" >&2
    exit 3
  fi
}
# BENCH_QUICK=1 (or --quick): every script runs for a few seconds, still side by side with its
# peer, prints its ratios and writes nothing under bench/ but bench/out/.
bench_quick() { [ "${BENCH_QUICK:-0}" = "1" ]; }
