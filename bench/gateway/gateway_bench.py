"""The provider gateway benchmark (bench/gateway/run.sh runs it with the project's venv).

Side by side in one run, with the provider emulator as the upstream answering at once:

1. the emulator called directly (POST /v1/chat/completions): the floor;
2. our evaluator, POST /v1/evaluate with a target (generation through the provider chain, then a
   `contains` criterion), without and with a Redis-shared rate limit on the provider;
3. LiteLLM proxy forwarding the same chat request to the same emulator, with one worker process and
   with two (`litellm --num_workers 2`: one per core, what ours gets from its event loops).

Each is measured with wrk (bench/post.lua) at 32 connections for requests/s, and at 1 connection
for the per-request latency; "added p50" is a target's p50 at 1 connection minus the emulator's.
Then the token-bucket throughput: the CommonTests case that drives one TokenBucket (the class the
evaluator's provider pool uses) with 64 concurrent acquirers against one local redis-server for
--bucket-seconds, in the debug test build (a release build would only be faster).

Writes bench/gateway/RESULTS.md (the table, the targets, the command) and prints the table.
--quick (or BENCH_QUICK=1): 1 s runs, LiteLLM with one worker only, no token-bucket run, and the table
goes to bench/out/gateway-quick.md instead.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POST_LUA = ROOT / "bench" / "post.lua"
RESULTS = ROOT / "bench" / "gateway" / "RESULTS.md"
QUICK_RESULTS = ROOT / "bench" / "out" / "gateway-quick.md"
LITELLM_WORKERS = (1, 2)  # one worker, and one per core of this 2-core machine
# The targets.
TARGET_ADDED_P50_MS = 1.0
TARGET_LITELLM_RATIO = 50.0
TARGET_BUCKET_PER_SECOND = 20_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except Exception:
            time.sleep(0.25)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def wait_line(process, pattern, timeout=60):
    """Reads the process's combined output until a line matches; returns the match."""
    deadline = time.time() + timeout
    regex = re.compile(pattern)
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                raise SystemExit(f"{process.args[0]} exited with {process.returncode}")
            continue
        match = regex.search(line)
        if match:
            return match
    raise SystemExit(f"{process.args[0]} did not print {pattern!r} within {timeout} s")


def drain(process):
    """Keeps reading a child's output in the background so it never blocks on a full pipe."""
    import threading

    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()


def wrk(url, body_file, connections, threads, seconds):
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(POST_LUA), url, "--", body_file],
        capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("BENCH_JSON "))
    data = json.loads(line[len("BENCH_JSON "):])
    errors = data["connect"] + data["read"] + data["write"] + data["status"] + data["timeout"]
    return {
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50_ms": data["p50_us"] / 1000, "p99_ms": data["p99_us"] / 1000, "errors": errors,
    }


def release_binaries(scratch):
    evaluator = os.environ.get("ASSAY_EVALUATOR")
    emulator = os.environ.get("ASSAY_PROVIDER_EMULATOR")
    if evaluator and emulator:
        return evaluator, emulator
    for product in ("assay-evaluator", "assay-provider-emulator"):
        subprocess.run(["swift", "build", "-c", "release", "--scratch-path", scratch, "--product", product],
                       cwd=ROOT, check=True)
    release = Path(scratch) / "release"
    return str(release / "assay-evaluator"), str(release / "assay-provider-emulator")


def bucket_throughput(scratch, seconds):
    env = dict(os.environ, ASSAY_BENCH_SECONDS=str(seconds))
    run = subprocess.run(
        ["swift", "test", "--scratch-path", scratch, "--filter",
         "GatewayTokenBucketThroughputTests"], cwd=ROOT, env=env, capture_output=True, text=True)
    for line in run.stdout.splitlines():
        if "BENCH_JSON " in line:
            return json.loads(line.split("BENCH_JSON ", 1)[1])["perSecond"]
    sys.stderr.write("token-bucket run failed (exit %d):\n%s\n" % (run.returncode, (run.stdout + run.stderr)[-3000:]))
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per throughput run (default 10)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections for throughput (default 32)")
    parser.add_argument("--bucket-seconds", type=float, default=5, help="token-bucket run length (default 5)")
    parser.add_argument("--skip-bucket", action="store_true", help="skip the token-bucket run (builds the tests)")
    parser.add_argument("--scratch-path", default=str(ROOT / ".build"), help="SwiftPM scratch path (default .build)")
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1",
                        help="1 s runs, LiteLLM with 1 worker, no token-bucket run, table to bench/out/ (also BENCH_QUICK=1)")
    args = parser.parse_args()
    warmup, single_seconds = 2, max(3, args.duration // 2)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    if args.quick:
        args.duration, args.skip_bucket, warmup, single_seconds = 1, True, 1, 1

    litellm = os.environ.get("ASSAY_LITELLM", str(ROOT / ".venv" / "bin" / "litellm"))
    if not Path(litellm).exists():
        raise SystemExit(f"{litellm} is missing: run bin/setup --bench (litellm[proxy] from bench/requirements.txt)")
    for tool in ("wrk", "redis-server"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not on PATH: run bin/setup --bench (Debian's {tool})")
    evaluator, emulator = release_binaries(args.scratch_path)
    for path in (evaluator, emulator):
        if not os.access(path, os.X_OK):
            raise SystemExit(f"{path} is missing: set ASSAY_EVALUATOR and ASSAY_PROVIDER_EMULATOR to built binaries")
    work = Path(tempfile.mkdtemp(prefix="assay-gateway-bench-"))
    children = []

    def start(argv, **kw):
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
        children.append(p)
        return p

    try:
        redis_port = free_port()
        redis = start(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                       "--appendonly", "no"])
        wait_line(redis, r"Ready to accept connections")
        drain(redis)

        emu = start([emulator, "--port", "0"])
        emu_port = int(wait_line(emu, r"listening on [0-9.]+:(\d+)").group(1))
        drain(emu)
        upstream = f"http://127.0.0.1:{emu_port}/v1"

        # Providers live in the evaluator's providers file; requests name them.
        provider = {"type": "openai", "name": "emulator", "model": "bench", "baseURL": upstream, "maxRetries": 0}
        limited = dict(provider, name="emulator-limited",
                       rateLimit={"requestsPerSecond": 1_000_000, "burst": 1_000_000})
        (work / "providers.json").write_text(json.dumps({"providers": [provider, limited]}))
        ours = start([evaluator, "serve", "--port", "0", "--redis", f"redis://127.0.0.1:{redis_port}",
                      "--providers-file", str(work / "providers.json")])
        ours_port = int(wait_line(ours, r'"address":"[0-9.]+:(\d+)"').group(1))
        drain(ours)

        (work / "litellm.yaml").write_text(
            "model_list:\n  - model_name: bench\n    litellm_params:\n      model: openai/bench\n"
            f"      api_base: {upstream}\n      api_key: unused\n")
        lite_env = dict(os.environ, LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY="true", LITELLM_LOG="ERROR")
        # Both started at once (each takes seconds to import); measured one after the other, the idle one
        # costs nothing. --num_workers N: uvicorn's worker processes sharing one listening socket.
        # Quick runs start one worker only: each LiteLLM process spends a minute of CPU importing.
        lite_workers = LITELLM_WORKERS[:1] if args.quick else LITELLM_WORKERS
        lite_ports = {workers: free_port() for workers in lite_workers}
        for workers, port in lite_ports.items():
            drain(start([litellm, "--config", str(work / "litellm.yaml"), "--host", "127.0.0.1", "--port", str(port),
                         "--num_workers", str(workers)], env=lite_env))
        for port in lite_ports.values():  # LiteLLM's imports alone take minutes on a busy machine
            wait_http(f"http://127.0.0.1:{port}/health/liveliness", timeout=600)

        chat = {"model": "bench", "messages": [{"role": "user", "content": "What is the capital of France?"}]}

        def evaluate_body(p):
            return {"target": {"providers": [p["name"]], "prompt": "What is the capital of {{input}}?"}, "input": "France",
                    "criteria": [{"type": "contains", "value": "France"}]}

        bodies = {"chat": chat, "ours": evaluate_body(provider), "ours-limited": evaluate_body(limited)}
        for name, body in bodies.items():
            (work / f"{name}.json").write_text(json.dumps(body))
        # One request each outside the timed runs, so a broken setup shows instead of fast errors.
        for name, url, body in [
            ("emulator", f"{upstream}/chat/completions", "chat"), ("ours", f"http://127.0.0.1:{ours_port}/v1/evaluate",
                                                                 "ours"),
            *[(f"litellm ({w} worker{'s' if w > 1 else ''})", f"http://127.0.0.1:{port}/v1/chat/completions", "chat")
              for w, port in lite_ports.items()]]:
            request = urllib.request.Request(url, data=(work / f"{body}.json").read_bytes(),
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as r:
                print(f"{name}: {r.status} {r.read()[:160]!r}")

        targets = [
            ("emulator direct", f"{upstream}/chat/completions", "chat"),
            ("ours: /v1/evaluate with target", f"http://127.0.0.1:{ours_port}/v1/evaluate", "ours"),
            ("ours: target + Redis rate limit", f"http://127.0.0.1:{ours_port}/v1/evaluate", "ours-limited"),
            *[(f"LiteLLM proxy ({w} worker{'s' if w > 1 else ''})", f"http://127.0.0.1:{port}/v1/chat/completions",
               "chat") for w, port in lite_ports.items()],
        ]
        rows = []
        for name, url, body in targets:
            body_file = str(work / f"{body}.json")
            wrk(url, body_file, args.connections, 2, warmup)
            load = wrk(url, body_file, args.connections, 2, args.duration)
            single = wrk(url, body_file, 1, 1, single_seconds)
            rows.append((name, load, single))
            print(f"{name}: {load['rps']:.0f} req/s, p50 {single['p50_ms']:.3f} ms at 1 connection", flush=True)
    finally:
        for p in reversed(children):
            p.terminate()
        for p in children:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)

    lite_version = subprocess.run(
        [str(Path(litellm).parent / "python"), "-c", "import importlib.metadata as m; print(m.version('litellm'))"],
        capture_output=True, text=True).stdout.strip() or "(version unknown)"
    bucket = None if args.skip_bucket else bucket_throughput(args.scratch_path, args.bucket_seconds)

    direct = rows[0]
    lites = rows[-len(lite_workers):]  # one worker, then two

    def per_second_ratio(row, lite):
        return row[1]["rps"] / lite[1]["rps"] if lite[1]["rps"] else float("inf")

    ratio_headers = "".join(f" | req/s vs {name.replace('LiteLLM proxy', 'LiteLLM')}" for name, _, _ in lites)
    lines = [
        f"| target | req/s at {args.connections} conns | p50 / p99 at {args.connections} (ms) | p50 at 1 conn (ms) "
        f"| added p50 vs direct (ms){ratio_headers} | errors |",
        "| --- | ---: | ---: | ---: | ---: |" + " ---: |" * len(lites) + " ---: |",
    ]
    for row in rows:
        name, load, single = row
        added = single["p50_ms"] - direct[2]["p50_ms"]
        ratios = "".join(f" | {per_second_ratio(row, lite):,.1f}x" for lite in lites)
        lines.append(
            f"| {name} | {load['rps']:,.0f} | {load['p50_ms']:.2f} / {load['p99_ms']:.2f} | {single['p50_ms']:.3f} "
            f"| {'—' if name == direct[0] else f'{added:+.3f}'}{ratios} | {load['errors'] + single['errors']} |")
    ours = rows[1]
    ours_added = ours[2]["p50_ms"] - direct[2]["p50_ms"]
    checks = [
        f"- added latency p50 of /v1/evaluate with a target: {ours_added:.3f} ms (target < {TARGET_ADDED_P50_MS} ms): "
        f"{'met' if ours_added < TARGET_ADDED_P50_MS else 'NOT met'}",
    ]
    for lite in lites:
        ratio = per_second_ratio(ours, lite)
        checks.append(
            f"- requests/s vs {lite[0]}: {ratio:,.1f}x (target ≥ {TARGET_LITELLM_RATIO:.0f}x): "
            f"{'met' if ratio >= TARGET_LITELLM_RATIO else 'NOT met'}")
    if bucket is None and not args.skip_bucket:
        checks.append("- token-bucket acquisitions: NOT measured (the test run failed; see the script's output)")
    if bucket is not None:
        checks.append(
            f"- token-bucket acquisitions against one local redis-server: {bucket:,.0f}/s "
            f"(target ≥ {TARGET_BUCKET_PER_SECOND:,}/s): {'met' if bucket >= TARGET_BUCKET_PER_SECOND else 'NOT met'}")
    table = "\n".join(lines + [""] + checks)
    print("\n" + table)
    command = "bench/gateway/run.sh " + " ".join(sys.argv[1:])
    for variable in ("ASSAY_PROVIDER_EMULATOR", "ASSAY_EVALUATOR"):
        if variable in os.environ:
            path = Path(os.path.abspath(os.environ[variable]))
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
            command = f"{variable}={shown} {command}"
    if args.quick:  # a few seconds' figures are a smoke test, not a measurement: RESULTS.md stays
        QUICK_RESULTS.parent.mkdir(exist_ok=True)
        QUICK_RESULTS.write_text(table + "\n")
        return
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    RESULTS.write_text(
        "# Provider gateway benchmark\n\n"
        f"Run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores shared by the "
        f"servers, wrk and the upstream emulator (all on loopback), release builds, LiteLLM {lite_version}; "
        f"load average {load_before} before the run, {load_after} after (the machine is shared). Command:\n\n"
        f"```sh\n{command.strip()}\n```\n\n{table}\n")


if __name__ == "__main__":
    main()
