"""The suite benchmark (bench/suites/run.sh runs it with the peer's venv, .venv-inspect).

Side by side in one run, same machine, same provider emulator answering (`echo: <prompt>`), same
generated 2,000-case dataset (bench/suites/make_suite.py) and a `contains`-style criterion:

1. latency 0: `assay-evaluator run suite.yaml --format json --concurrency 64` against Inspect AI
   (`inspect eval task.py --model openai/emulator --max-connections 64 -M responses_api=false`,
   scorer `includes()`), wall time of each process and cases/s, and the ratio;
2. latency 200 ms: ours at concurrency 64 against the ideal 2,000 x 0.2 s / 64 = 6.25 s;
3. latency 200 ms, three `assay-evaluator run --redis` processes sharing the run through a local
   redis-server: total wall time, cases/s, and Redis commands per second (INFO commandstats deltas).

Writes bench/suites/RESULTS.md (the tables, the targets, the command) and prints it; --quick (or
BENCH_QUICK=1) runs 64 cases at 20 ms, ours once, and writes bench/out/suites-quick.md instead.
Binaries: ASSAY_BIN_DIR, or `swift build -c release` of both products (bin dir from --show-bin-path).
The peer: `.venv-inspect/bin/inspect` (bin/setup --bench), or BENCH_VENV=/path/to/venv.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "bench" / "suites"
RESULTS = HERE / "RESULTS.md"
QUICK_RESULTS = ROOT / "bench" / "out" / "suites-quick.md"
TARGET_INSPECT_RATIO = 50.0
TARGET_IDEAL_SLACK = 0.10


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(message):
    print(message, file=sys.stderr, flush=True)


def binaries():
    given = os.environ.get("ASSAY_BIN_DIR")
    if given:
        bin_dir = (ROOT / given).resolve()  # relative to the repo root (run.sh runs there)
    else:
        for product in ("assay-evaluator", "assay-provider-emulator"):
            log(f"building {product} (swift build -c release)")
            subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True)
        bin_dir = Path(
            subprocess.run(
                ["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                capture_output=True, text=True).stdout.strip())
    evaluator, emulator = bin_dir / "assay-evaluator", bin_dir / "assay-provider-emulator"
    for path in (evaluator, emulator):
        if not os.access(path, os.X_OK):
            raise SystemExit(f"{path} is missing (set ASSAY_BIN_DIR to a directory holding both binaries)")
    return evaluator, emulator


class Emulator:
    def __init__(self, binary, latency_ms):
        self.process = subprocess.Popen(
            [str(binary), "--host", "127.0.0.1", "--port", "0", "--latency-ms", str(latency_ms)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 30
        self.port = None
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if not line and self.process.poll() is not None:
                raise SystemExit(f"the emulator exited with {self.process.returncode}")
            match = re.search(r"listening on .*:(\d+)", line)
            if match:
                self.port = int(match.group(1))
                break
        if self.port is None:
            raise SystemExit("the emulator did not say its port within 30 s")
        import threading

        threading.Thread(target=lambda: [None for _ in self.process.stdout], daemon=True).start()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def ours_env():
    env = dict(os.environ)
    env["ASSAY_SECRET_KEYS_OPENAI"] = "dummy"
    return env


def run_ours(evaluator, directory, concurrency, cases):
    started = time.perf_counter()
    done = subprocess.run(
        [str(evaluator), "run", "suite.yaml", "--format", "json", "--concurrency", str(concurrency)],
        cwd=directory, env=ours_env(), capture_output=True, text=True)
    wall = time.perf_counter() - started
    summary = parse_summary(done.stdout, done.stderr, done.returncode)
    check_all_passed("ours", summary, cases)
    return wall


def parse_summary(stdout, stderr, status):
    line = next((l for l in stdout.splitlines() if l.startswith("{")), None)
    if line is None:
        raise SystemExit(f"assay-evaluator exited {status} without a JSON summary:\n{stdout}\n{stderr}")
    return json.loads(line)


def check_all_passed(name, summary, cases):
    if summary.get("passed") != cases or summary.get("total") != cases:
        raise SystemExit(f"{name}: expected {cases} passed cases, got {json.dumps(summary)[:2000]}")


def inspect_env(directory):
    env = dict(os.environ)
    env.update({
        "OPENAI_API_KEY": "dummy",
        "OPENAI_BASE_URL": "",  # --model-base-url wins; nothing else is reached
        "INSPECT_LOG_DIR": str(directory / "logs"),
        "INSPECT_TELEMETRY": "",
        "INSPECT_DISPLAY": "plain",
        "INSPECT_NO_ANSI": "1",
        "HF_HUB_OFFLINE": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    })
    env.pop("OPENAI_BASE_URL")
    return env


def run_inspect(inspect, directory, port, connections, cases):
    # Inspect resolves the task file relative to the working directory (absolute globs fail).
    shutil.copy(HERE / "inspect_task.py", directory / "task.py")
    command = [
        str(inspect), "eval", "task.py", "--model", "openai/emulator",
        "--model-base-url", f"http://127.0.0.1:{port}/v1", "-M", "responses_api=false",
        "--max-connections", str(connections), "-T", "dataset=inspect.jsonl", "--display", "plain",
    ]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=directory, env=inspect_env(directory), capture_output=True, text=True)
    wall = time.perf_counter() - started
    output = done.stdout + done.stderr
    accuracy = re.search(r"accuracy\s+([0-9.]+)", output)
    if done.returncode != 0 or not accuracy or float(accuracy.group(1)) != 1.0:
        raise SystemExit(f"inspect eval failed ({done.returncode}):\n{output[-4000:]}")
    samples = re.search(rf"\({cases:,} samples\)|\({cases} samples\)", output)
    if not samples:
        raise SystemExit(f"inspect did not run {cases} samples:\n{output[-4000:]}")
    reported = re.search(r"total time:\s+(\d+):(\d+):(\d+)", output)
    total = None
    if reported:
        h, m, s = map(int, reported.groups())
        total = h * 3600 + m * 60 + s
    return wall, total, " ".join(command)


def redis_commandstats(port):
    text = subprocess.run(
        ["redis-cli", "-p", str(port), "INFO", "commandstats"], capture_output=True, text=True, check=True).stdout
    stats = {}
    for match in re.finditer(r"cmdstat_([a-z|_-]+):calls=(\d+)", text):
        stats[match.group(1)] = int(match.group(2))
    return stats


def run_redis(evaluator, directory, processes, concurrency, cases):
    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is missing (bin/setup --bench installs it)")
    port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(port), "PING"], capture_output=True, text=True).stdout.strip() == "PONG":
                break
            time.sleep(0.1)
        else:
            raise SystemExit("redis-server did not answer PING")
        before = redis_commandstats(port)
        started = time.perf_counter()
        children = [
            subprocess.Popen(
                [str(evaluator), "run", "suite.yaml", "--format", "json", "--concurrency", str(concurrency),
                 "--redis", f"redis://127.0.0.1:{port}", "--consumer", f"bench-{i}"],
                cwd=directory, env=ours_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for i in range(processes)
        ]
        outputs = [child.communicate() for child in children]
        wall = time.perf_counter() - started
        after = redis_commandstats(port)
    finally:
        redis.terminate()
        redis.wait(10)
    summaries = [parse_summary(out, err, child.returncode) for child, (out, err) in zip(children, outputs)]
    # Every process prints the run's summary once the run is complete; they must agree.
    check_all_passed("ours --redis", summaries[0], cases)
    deltas = {name: after.get(name, 0) - before.get(name, 0) for name in after}
    deltas.pop("info", None)
    deltas = {k: v for k, v in deltas.items() if v > 0}
    return wall, sum(deltas.values()), deltas


def main():
    parser = argparse.ArgumentParser(description="Assay's local runner against Inspect AI on one generated suite")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency-ms", type=int, default=200, help="emulator latency of the second and third parts")
    parser.add_argument("--processes", type=int, default=3, help="--redis processes in the third part")
    parser.add_argument("--skip-inspect", action="store_true")
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1",
                        help="64 cases, 20 ms latency, ours once; writes bench/out/suites-quick.md (also BENCH_QUICK=1)")
    args = parser.parse_args()
    if args.quick:
        args.cases, args.latency_ms = min(args.cases, 64), min(args.latency_ms, 20)

    venv = Path(os.environ.get("BENCH_VENV", ROOT / ".venv-inspect"))
    inspect = venv / "bin" / "inspect"
    if not args.skip_inspect and not os.access(inspect, os.X_OK):
        raise SystemExit(f"{inspect} is missing: run bin/setup --bench (bench/requirements-inspect.txt into .venv-inspect)")
    evaluator, emulator_bin = binaries()
    peer_versions = ""
    if not args.skip_inspect:
        peer_versions = subprocess.run(
            [str(venv / "bin" / "python"), "-c",
             "import importlib.metadata as m; print(f\"inspect-ai {m.version('inspect-ai')}, openai {m.version('openai')}\")"],
            capture_output=True, text=True).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="assay-suitebench-"))
    n, c = args.cases, args.concurrency
    rows = []

    def make(directory, port):
        subprocess.run(
            [sys.executable, str(HERE / "make_suite.py"), str(directory), str(port), "--cases", str(n),
             "--concurrency", str(c)], check=True)

    try:
        # 1. latency 0: ours against Inspect AI.
        emulator = Emulator(emulator_bin, 0)
        try:
            d0 = work / "latency0"
            make(d0, emulator.port)
            log(f"1/3 latency 0: ours ({n} cases, concurrency {c})")
            run_ours(evaluator, d0, c, n)  # warm-up (page cache, first connections); not counted
            ours_wall = min(run_ours(evaluator, d0, c, n) for _ in range(1 if args.quick else 3))
            inspect_wall = inspect_total = None
            if not args.skip_inspect:
                log(f"1/3 latency 0: Inspect AI ({n} samples, --max-connections {c})")
                inspect_wall, inspect_total, inspect_command = run_inspect(inspect, d0, emulator.port, c, n)
            # The queue's own ceiling: the same three --redis processes with nothing to wait for.
            dq = work / "redis0"
            make(dq, emulator.port)
            log(f"1/3 latency 0: {args.processes} processes on redis (the queue's ceiling)")
            fast_redis_wall, fast_redis_ops, _ = run_redis(evaluator, dq, args.processes, c, n)
        finally:
            emulator.stop()

        # 2. latency 200 ms: ours against the ideal.
        emulator = Emulator(emulator_bin, args.latency_ms)
        try:
            d1 = work / "latency"
            make(d1, emulator.port)
            log(f"2/3 latency {args.latency_ms} ms: ours")
            slow_wall = run_ours(evaluator, d1, c, n)
            d2 = work / "redis"
            make(d2, emulator.port)
            log(f"3/3 latency {args.latency_ms} ms: {args.processes} processes on redis")
            redis_wall, redis_ops, redis_deltas = run_redis(evaluator, d2, args.processes, c, n)
        finally:
            emulator.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    ideal = n * args.latency_ms / 1000 / c
    ideal_redis = n * args.latency_ms / 1000 / (c * args.processes)
    # With a fixed latency the cases go in waves of c: ceil(n / c) x latency is the floor.
    waves = -(-n // c) * args.latency_ms / 1000
    waves_redis = -(-n // (c * args.processes)) * args.latency_ms / 1000
    lines = [
        "# Suite benchmark: `assay-evaluator run` against Inspect AI",
        "",
        f"{n} generated cases, prompt `{{{{input}}}}`, the provider emulator answering `echo: <prompt>` on loopback, "
        f"criterion `contains` (ours) / `includes()` (Inspect). Wall time is the whole process, start-up included. "
        f"Ours: {'one run (quick)' if args.quick else 'best of 3'} after one warm-up run; Inspect: one run. Machine: {os.cpu_count()} cores."
        + (f" Peer: {peer_versions}." if peer_versions else ""),
        "",
        f"## Emulator latency 0, concurrency {c}",
        "",
        "| runner | wall s | cases/s |",
        "| --- | ---: | ---: |",
        f"| ours (`assay-evaluator run --concurrency {c}`) | {ours_wall:.3f} | {n / ours_wall:,.0f} |",
    ]
    ratio = None
    if inspect_wall:
        ratio = inspect_wall / ours_wall
        lines.append(
            f"| Inspect AI (`inspect eval --max-connections {c}`) | {inspect_wall:.3f} | {n / inspect_wall:,.1f} |")
        lines += ["", f"**Ratio ours / Inspect AI (cases/s): {ratio:.1f}x** (target ≥ {TARGET_INSPECT_RATIO:.0f}x: "
                  f"{'met' if ratio >= TARGET_INSPECT_RATIO else 'NOT met'}). Inspect's own `total time`: "
                  f"{inspect_total} s (excludes its Python start-up)."]
    slack = slow_wall / ideal - 1
    lines += [
        "",
        f"## Emulator latency {args.latency_ms} ms, concurrency {c}",
        "",
        "| run | wall s | cases/s | ideal s | over ideal | wave floor s | over floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| ours, one process | {slow_wall:.3f} | {n / slow_wall:,.0f} | {ideal:.3f} | {slack * 100:+.1f}% "
        f"| {waves:.3f} | {(slow_wall / waves - 1) * 100:+.1f}% |",
        f"| ours, {args.processes} processes `--redis` | {redis_wall:.3f} | {n / redis_wall:,.0f} | {ideal_redis:.3f} "
        f"| {(redis_wall / ideal_redis - 1) * 100:+.1f}% | {waves_redis:.3f} | {(redis_wall / waves_redis - 1) * 100:+.1f}% |",
        "",
        f"Ideal: cases x latency / in flight. Wave floor: ceil(cases / in flight) x latency, what a fixed latency "
        "allows at best (the last wave is partly empty).",
        "",
        f"One process: target within {TARGET_IDEAL_SLACK * 100:.0f}% of the ideal {n} x {args.latency_ms / 1000} s / {c} "
        f"= {ideal:.2f} s: {'met' if slack <= TARGET_IDEAL_SLACK else 'NOT met'}.",
        "",
        f"Redis: {redis_ops:,} commands in {redis_wall:.2f} s = **{redis_ops / redis_wall:,.0f} queue operations/s** "
        f"(INFO commandstats deltas, INFO itself excluded): "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(redis_deltas.items(), key=lambda kv: -kv[1])) + ". "
        f"The queue's ceiling: the same {args.processes} `--redis` processes with the emulator at latency 0 ran "
        f"{n} cases in {fast_redis_wall:.3f} s = **{n / fast_redis_wall:,.0f} cases/s** "
        f"({fast_redis_ops / fast_redis_wall:,.0f} Redis commands/s), "
        f"{(n / fast_redis_wall) / (n / redis_wall):.1f}x the cases/s at {args.latency_ms} ms. "
        f"Queue-bound or emulator-bound: the {args.processes} processes finish {(redis_wall / waves_redis - 1) * 100:+.1f}% "
        f"over the wave floor of {waves_redis:.2f} s that the emulator's latency alone imposes; the wall time includes "
        "each process's start-up and the run's setup.",
        "",
        "Command: `" + " ".join(
            [f"{k}={os.environ[k]}" for k in ("ASSAY_BIN_DIR", "BENCH_VENV") if os.environ.get(k)]
            + ["bench/suites/run.sh"] + sys.argv[1:]) + "`",
    ]
    text = "\n".join(lines) + "\n"
    if args.quick:  # a few seconds' figures are a smoke test, not a measurement: RESULTS.md stays
        QUICK_RESULTS.parent.mkdir(exist_ok=True)
        QUICK_RESULTS.write_text(text)
    else:
        RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
