#!/usr/bin/env bash
# The JSON parser against simdjson (Debian's libsimdjson-dev) on the same bodies: the 1 MB request
# bodies of bench/payloads.py (json and markdown kinds) and the json kind's output alone (what
# jsonSchema parses). Prints MB per CPU second for each (CPU time of the parsing thread, so the
# figures hold on a busy machine) and the ratio of simdjson (parse and copy out the strings, the
# least a shim handing a tree to Swift would cost) to ours.
#
# Usage: bench/json/run.sh [SECONDS]   (seconds of CPU per measurement; default 3, 0.3 with BENCH_QUICK=1)
# The Swift side is compiled by swiftc -O from the parser's own sources (Sources/AssayCore/JSON), so
# it measures the code the evaluator runs; simdjson's side by g++ -O3. Needs python3, g++ and
# libsimdjson-dev (bin/setup --bench).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib.sh
bench_need_tool g++ "run bin/setup (Debian's g++)"
bench_need_tool python3 "run bin/setup"
if [[ ! -f /usr/include/simdjson.h ]]; then
    echo "$0: simdjson.h is missing: run bin/setup --bench (Debian's libsimdjson-dev)" >&2
    exit 3
fi
seconds=${1:-3}
bench_quick && seconds=${1:-0.3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 bench/payloads.py "$work/json" >/dev/null
python3 bench/payloads.py "$work/markdown" --kind markdown >/dev/null
cp "$work/json/body-1m.json" "$work/body-1m-json.json"
cp "$work/markdown/body-1m.json" "$work/body-1m-markdown.json"
python3 -c 'import json, sys; open(sys.argv[2], "w").write(json.load(open(sys.argv[1]))["output"])' \
    "$work/body-1m-json.json" "$work/output-1m-json.json"
files=("$work/body-1m-json.json" "$work/output-1m-json.json" "$work/body-1m-markdown.json")

# The parser's C dependency as the package builds it: the shim's object and a module map for swiftc.
mkdir -p "$work/module"
g++ -O3 -std=c++17 -c Sources/CSimdJSON/CSimdJSON.cpp -I Sources/CSimdJSON/include -o "$work/CSimdJSON.o"
printf 'module CSimdJSON {\n  header "%s"\n  export *\n}\n' "$PWD/Sources/CSimdJSON/include/CSimdJSON.h" \
    >"$work/module/module.modulemap"
swiftc -O -wmo -parse-as-library -I "$work/module" Sources/AssayCore/JSON/*.swift bench/json/SwiftParser.swift \
    "$work/CSimdJSON.o" -lsimdjson -lstdc++ -o "$work/swift-parser"
g++ -O3 -std=c++17 bench/json/simdjson_parser.cpp -lsimdjson -o "$work/simdjson-parser"
"$work/swift-parser" "$seconds" "${files[@]}" >"$work/swift.txt"
"$work/simdjson-parser" "$seconds" "${files[@]}" >"$work/simdjson.txt"

echo "MB per CPU second, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $seconds s per measurement"
echo
echo "| input | bytes | ours, each string checked | ours (SIMD check, then parse) | simdjson parse | simdjson parse + copy strings | simdjson validate_utf8 | simdjson+copy / ours |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
join <(sort "$work/swift.txt") <(sort "$work/simdjson.txt") |
    while read -r name bytes checked ours _ parse copy validate implementation; do
        awk -v n="$name" -v b="$bytes" -v k="$checked" -v s="$ours" -v p="$parse" -v c="$copy" -v v="$validate" \
            'BEGIN { printf "| %s | %d | %d | %d | %d | %d | %d | %.2f |\n", n, b, k, s, p, c, v, c / s }'
        echo "$implementation" >"$work/implementation"
    done
echo
echo "simdjson implementation: $(cat "$work/implementation" 2>/dev/null || echo unknown)"
