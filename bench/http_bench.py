"""Side-by-side HTTP benchmark: our evaluator, the FastAPI peer (bench/reference) in three launch
modes, and nginx answering a static 200, under the same wrk load on this machine.

For each server, one at a time: start it on a free loopback port, wait for it, record idle RSS,
warm up, then run wrk (64 connections, D seconds) POSTing the 1 KB and the 1 MB body while sampling
the peak RSS of the server's whole process tree (summed over workers). Ours and the best peer also
get a constant-rate run (100 req/s of 1 MB, latency from the scheduled send time: rate.py).
Prints a markdown report and writes it to bench/out/http.md (and the raw numbers to http.json);
exits 1 when any server failed. --quick (or BENCH_QUICK=1): 2 s runs after a 1 s warm-up, a 1 s
constant-rate run, and ours, peer-best and nginx unless --targets says otherwise.

Usage: bench/http.sh (or .venv/bin/python bench/http_bench.py) [--quick] [--duration S] [--targets ours,peer-best,...]
       [--sizes 1k] (only the 1 KB body) [--kind markdown] [--no-rate]
Environment: ASSAY_EVALUATOR=path  use that binary instead of building .build/release/assay-evaluator.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
REFERENCE = os.path.join(BENCH, "reference")
VENV_BIN = os.path.join(ROOT, ".venv", "bin")
sys.path.insert(0, BENCH)
import payloads  # noqa: E402

ALL_TARGETS = ["ours", "peer-best", "peer-deployed", "peer-plain", "nginx"]
CONNECTIONS = 64  # the load: 64 keep-alive connections
WRK_THREADS = 2  # one per core
RATE = 100.0  # the steady load for the p99 target, requests/s of 1 MB
CORES = os.cpu_count() or 1
MIB = 1024 * 1024

# The targets, checked at the end of the report.
GOAL_RATIO_PEER = 3.0
GOAL_RPS_1M = {"json": 1500.0, "markdown": 2000.0}  # issue 15: by payload kind (--kind)
GOAL_P99_RATE_MS = 20.0
GOAL_RATIO_NGINX = 0.50  # issue 15
GOAL_IDLE_RSS = 64 * MIB
GOAL_LOAD_RSS = 256 * MIB


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    """pid and every descendant, from the parent field of /proc/*/stat."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as file:
                fields = file.read().rsplit(")", 1)[1].split()
            parents.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError):
            continue
    tree, queue = [], [pid]
    while queue:
        current = queue.pop()
        tree.append(current)
        queue.extend(parents.get(current, []))
    return tree


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of these processes (fields 14 and 15 of /proc/PID/stat)."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as file:
                fields = file.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as file:
                for line in file:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


class PeakRSS:
    """Samples the RSS of a process tree every 100 ms (tree re-read every 2 s) and keeps the peak."""

    def __init__(self, pid: int):
        self.pid, self.peak = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        pids, refreshed = children_of(self.pid), time.monotonic()
        while not self._stop.is_set():
            if time.monotonic() - refreshed > 2:
                pids, refreshed = children_of(self.pid), time.monotonic()
            self.peak = max(self.peak, rss_bytes(pids))
            self._stop.wait(0.1)

    def __enter__(self) -> "PeakRSS":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


class Server:
    """One server under test, started in its own process group and stopped with it."""

    def __init__(self, name: str, command: list[str], port: int, cwd: str, ready_path: str, log_dir: str):
        self.name, self.command, self.port, self.ready_path = name, command, port, ready_path
        self.log_path = os.path.join(log_dir, f"{name}.log")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            command, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url(self.ready_path), timeout=1) as response:
                    if response.status == 200:
                        return response.read().decode(errors="replace")
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def nginx_config(directory: str, port: int) -> str:
    path = os.path.join(directory, "nginx.conf")
    with open(path, "w") as file:
        file.write(
            f"""daemon off;
worker_processes {CORES};
pid {directory}/nginx.pid;
error_log {directory}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {directory}/body;
    client_max_body_size 16m;
    server {{
        listen 127.0.0.1:{port};
        location / {{ return 200 "ok"; }}
    }}
}}
"""
        )
    return path


def evaluator_binary() -> str:
    explicit = os.environ.get("ASSAY_EVALUATOR")
    if explicit:
        return explicit
    print("building: swift build -c release --product assay-evaluator", flush=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "assay-evaluator"], cwd=ROOT, check=True)
    bin_path = subprocess.run(
        ["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    return os.path.join(bin_path, "assay-evaluator")


def start(name: str, work: str) -> Server:
    port = free_port()
    python = os.path.join(VENV_BIN, "python")
    uvicorn = os.path.join(VENV_BIN, "uvicorn")
    listen = ["--host", "127.0.0.1", "--port", str(port)]
    if name == "ours":
        command = [evaluator_binary(), "serve", *listen]
        return Server(name, command, port, ROOT, "/healthz", work)
    if name == "peer-best":
        command = [python, "serve_best.py", *listen, "--workers", str(CORES)]
        return Server(name, command, port, REFERENCE, "/healthz", work)
    if name == "peer-deployed":
        # Literally the usual command. With uvicorn[standard] installed its defaults pick uvloop and
        # httptools; it keeps the access log (one line per request) on.
        command = [uvicorn, "app:app", "--workers", "2", *listen]
        return Server(name, command, port, REFERENCE, "/healthz", work)
    if name == "peer-plain":
        # What a bare `pip install uvicorn` runs: asyncio's loop and the h11 parser.
        command = [uvicorn, "app:app", "--workers", "2", "--loop", "asyncio", "--http", "h11", *listen]
        return Server(name, command, port, REFERENCE, "/healthz", work)
    if name == "nginx":
        config = nginx_config(work, port)
        return Server(name, ["nginx", "-p", work, "-c", config, "-e", "stderr"], port, work, "/", work)
    raise ValueError(name)


def display_command(server: Server, work: str) -> str:
    """The command as a reader can repeat it from the repository root: paths relative, the scratch
    directory and the port as placeholders."""
    cwd = REFERENCE if server.name.startswith("peer") else ROOT
    words = []
    for word in server.command:
        if word.startswith(ROOT):
            word = os.path.relpath(word, cwd)
        words.append(word.replace(work, "$WORK").replace(str(server.port), "$PORT"))
    prefix = f"cd {os.path.relpath(cwd, ROOT)} && " if cwd != ROOT else ""
    return prefix + " ".join(words)


def wrk(url: str, body_file: str, seconds: float) -> dict:
    command = [
        "wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
        "-s", os.path.join(BENCH, "post.lua"), url, "--", body_file,
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    raw = json.loads(line[len("BENCH_JSON "):])
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": errors,
        "requests": raw["requests"],
    }


def check_answer(server: Server, body_file: str) -> str:
    """One request outside the timed runs, so that a body the server rejects is reported, not timed."""
    with open(body_file, "rb") as file:
        request = urllib.request.Request(
            server.url("/v1/evaluate"), data=file.read(), headers={"Content-Type": "application/json"}
        )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}: {error.read()[:300]!r}"
    verdicts = [(r.get("type"), r.get("passed")) for r in answer.get("results", [])]
    return f"passed={answer.get('passed')} {verdicts}"


def run_target(name: str, bodies: dict[str, str], args: argparse.Namespace, work: str) -> dict:
    result: dict = {"target": name, "runs": {}}
    server = start(name, work)
    result["command"] = display_command(server, work)
    try:
        ready = server.wait_ready()
        if name.startswith("peer"):
            result["loop"] = json.loads(ready).get("loop")
        time.sleep(1)
        result["idle_rss"] = rss_bytes(children_of(server.process.pid))
        sizes = [size for size in args.sizes if name != "nginx" or size == "1k"]
        for size in sizes:
            url = server.url("/v1/evaluate")
            if name != "nginx":
                result.setdefault("answers", {})[size] = check_answer(server, bodies[size])
            wrk(url, bodies[size], args.warmup)
            tree = children_of(server.process.pid)
            cpu_before = cpu_seconds(tree)
            with PeakRSS(server.process.pid) as rss:
                run = wrk(url, bodies[size], args.duration)
            run["peak_rss"] = rss.peak
            # The server's CPU per answered request: much steadier than req/s on a loaded machine.
            run["cpu_us"] = (cpu_seconds(tree) - cpu_before) * 1e6 / max(1, run["requests"])
            result["runs"][size] = run
            print(f"  {name} {size}: {run['rps']:.0f} req/s, {run['cpu_us']:.1f} µs CPU/request, "
                  f"p50 {run['p50_ms']:.2f} ms, "
                  f"p99 {run['p99_ms']:.2f} ms, peak RSS {rss.peak / MIB:.1f} MiB, errors {run['errors']}", flush=True)
        if name in ("ours", "peer-best") and not args.no_rate:
            command = [
                os.path.join(VENV_BIN, "python"), os.path.join(BENCH, "rate.py"), server.url("/v1/evaluate"),
                bodies["1m"], "--rate", str(RATE), "--duration", str(args.rate_duration),
            ]
            with PeakRSS(server.process.pid) as rss:
                output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            steady = json.loads(output)
            steady["peak_rss"] = rss.peak
            result["steady"] = steady
            print(f"  {name} steady {RATE:.0f}/s 1m: p50 {steady['p50_ms']} ms, p99 {steady['p99_ms']} ms, "
                  f"unanswered {steady['unanswered']}", flush=True)
    except (RuntimeError, subprocess.CalledProcessError, StopIteration, OSError) as error:
        result["error"] = str(error)
        print(f"  {name}: FAILED: {error}", flush=True)
    finally:
        server.stop()
    return result


def fmt(value: float | None, digits: int = 2, infinite: bool = False) -> str:
    if value is None:
        return "∞ (unanswered)" if infinite else "—"
    return "∞" if value == float("inf") else f"{value:.{digits}f}"


def report(results: dict[str, dict], args: argparse.Namespace, body_sizes: dict[str, int], header: str) -> str:
    lines = [header, ""]
    lines += [
        "| server | body | req/s | server CPU µs/request | p50 ms | p99 ms | peak RSS MiB | idle RSS MiB | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, result in results.items():
        if "error" in result and not result["runs"]:
            lines.append(f"| {name} | — | failed: {result['error'][:80]} | | | | | | |")
            continue
        for size, run in result["runs"].items():
            lines.append(
                f"| {name} | {size} | {run['rps']:.0f} | {run['cpu_us']:.1f} | {fmt(run['p50_ms'])} | {fmt(run['p99_ms'])} | "
                f"{run['peak_rss'] / MIB:.1f} | {result['idle_rss'] / MIB:.1f} | {run['errors']} |"
            )
    steady = {name: r["steady"] for name, r in results.items() if "steady" in r}
    if steady:
        lines += [
            "",
            f"Constant {RATE:.0f} req/s of the 1 MB body for {args.rate_duration:.0f} s (latency from the scheduled "
            "send time; unanswered requests count as infinite):",
            "",
            "| server | sent | answered | non-2xx | p50 ms | p99 ms | max ms | peak RSS MiB |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, s in steady.items():
            lines.append(
                f"| {name} | {s['sent']} | {s['answered']} | {s['non2xx'] + s['errors']} | {fmt(s['p50_ms'])} | "
                f"{fmt(s['p99_ms'], infinite=s['unanswered'] > 0)} | {fmt(s['max_ms'], infinite=s['unanswered'] > 0)} | "
                f"{s['peak_rss'] / MIB:.1f} |"
            )

    def rps(name: str, size: str) -> float | None:
        run = results.get(name, {}).get("runs", {}).get(size)
        return run["rps"] if run else None

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a and b else None

    def steady_p99(result: dict) -> float | None:
        s = result.get("steady")
        if s is None:
            return None
        return float("inf") if s["p99_ms"] is None else s["p99_ms"]

    def load_peak(result: dict) -> float | None:
        peaks = [r["peak_rss"] for size, r in result.get("runs", {}).items() if size == "1m"]
        peaks += [result["steady"]["peak_rss"]] if "steady" in result else []
        return max(peaks) / MIB if peaks else None

    ours = results.get("ours", {})
    checks = [
        ("ours / peer-best req/s, 1 KB", ratio(rps("ours", "1k"), rps("peer-best", "1k")), GOAL_RATIO_PEER, "≥"),
        ("ours / peer-best req/s, 1 MB", ratio(rps("ours", "1m"), rps("peer-best", "1m")), GOAL_RATIO_PEER, "≥"),
        ("ours / peer-deployed req/s, 1 KB", ratio(rps("ours", "1k"), rps("peer-deployed", "1k")), None, ""),
        ("ours / peer-deployed req/s, 1 MB", ratio(rps("ours", "1m"), rps("peer-deployed", "1m")), None, ""),
        ("ours / nginx req/s, 1 KB", ratio(rps("ours", "1k"), rps("nginx", "1k")), GOAL_RATIO_NGINX, "≥"),
        ("peer-best / nginx req/s, 1 KB", ratio(rps("peer-best", "1k"), rps("nginx", "1k")), None, ""),
        ("ours req/s, 1 MB", rps("ours", "1m"), GOAL_RPS_1M[args.kind], "≥"),
        (f"ours p99 ms at {RATE:.0f} req/s of 1 MB", steady_p99(ours), GOAL_P99_RATE_MS, "<"),
        ("ours idle RSS MiB", ours["idle_rss"] / MIB if "idle_rss" in ours else None, GOAL_IDLE_RSS / MIB, "<"),
        ("ours peak RSS MiB, 1 MB loads", load_peak(ours), GOAL_LOAD_RSS / MIB, "<"),
    ]
    lines += ["", "| measure | value | target | met |", "| --- | ---: | ---: | --- |"]
    for label, value, goal, op in checks:
        met = "pending" if value is None else ("—" if goal is None else
              ("yes" if (value >= goal if op == "≥" else value < goal) else "**no**"))
        goal_text = "" if goal is None else f"{op} {goal:g}"
        lines.append(f"| {label} | {fmt(value)} | {goal_text} | {met} |")

    lines += ["", "Commands:", ""]
    for name, result in results.items():
        loop = f" (event loop: {result['loop']})" if result.get("loop") else ""
        lines.append(f"- {name}: `{result.get('command', '?')}`{loop}")
    answers = [(n, s, a) for n, r in results.items() for s, a in r.get("answers", {}).items()]
    if answers:
        lines += ["", "Answers to one request of each body (outside the timed runs):", ""]
        lines += [f"- {name} {size}: {answer}" for name, size, answer in answers]
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1",
                        help="2 s runs, 1 s warm-up, 1 s constant-rate run; ours, peer-best, nginx (also BENCH_QUICK=1)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each wrk run (default 10)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up before each run")
    parser.add_argument("--rate-duration", type=float, default=20.0, help="seconds of the constant-rate run")
    parser.add_argument("--no-rate", action="store_true", help="skip the constant-rate runs")
    parser.add_argument("--targets", help=f"comma-separated subset of {ALL_TARGETS} (default: all)")
    parser.add_argument("--kind", choices=["json", "markdown"], default="json", help="payload kind (payloads.py)")
    parser.add_argument("--sizes", default="1k,1m",
                        help="comma-separated bodies to run, of 1k and 1m (default both; nginx runs 1k only)")
    parser.add_argument("--out", default=os.path.join(BENCH, "out"), help="where http.md and http.json go")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.warmup, args.rate_duration = 2.0, 1.0, 1.0
    if args.targets is None:
        args.targets = "ours,peer-best,nginx" if args.quick else ",".join(ALL_TARGETS)
    args.sizes = [size for size in args.sizes.split(",") if size]
    if not args.sizes or set(args.sizes) - set(payloads.SIZES):
        parser.error(f"--sizes takes a comma-separated subset of {sorted(payloads.SIZES)}")
    targets = [t for t in args.targets.split(",") if t]
    unknown = set(targets) - set(ALL_TARGETS)
    if unknown:
        parser.error(f"unknown targets {sorted(unknown)}")
    for tool in ["wrk"] + (["nginx"] if "nginx" in targets else []):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: run bin/setup --bench (Debian's {'nginx-light' if tool == 'nginx' else tool})")
    if any(t.startswith("peer") for t in targets) and not os.access(os.path.join(VENV_BIN, "uvicorn"), os.X_OK):
        sys.exit(f"{os.path.join(VENV_BIN, 'uvicorn')} is missing: run bin/setup --bench (bench/requirements.txt)")

    work = tempfile.mkdtemp(prefix="assay-bench-")
    bodies, sizes = {}, {}
    for size, target in payloads.SIZES.items():
        body = payloads.body_of_size(target, args.kind)
        bodies[size] = os.path.join(work, f"body-{size}.json")
        sizes[size] = len(body)
        with open(bodies[size], "wb") as file:
            file.write(body)
    with open("/proc/loadavg") as file:
        load = " ".join(file.read().split()[:3])
    header = (
        f"# HTTP benchmark\n\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {CORES} cores, "
        f"wrk -t{WRK_THREADS} -c{CONNECTIONS} -d{args.duration:g}s (after {args.warmup:g} s warm-up), "
        f"bodies: 1k = {sizes['1k']} B, 1m = {sizes['1m']} B ({args.kind} output; criteria contains + regex + "
        f"jsonSchema). Load generator and servers share the machine; load average before the run: {load}.\n\n"
        f"Command: `bench/http.sh {' '.join(sys.argv[1:])}`".rstrip()
    )
    results = {}
    try:
        for name in targets:
            print(f"== {name}", flush=True)
            results[name] = run_target(name, bodies, args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = report(results, args, sizes, header)
    print("\n" + text)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "http.md"), "w") as file:
        file.write(text)
    with open(os.path.join(args.out, "http.json"), "w") as file:
        json.dump(results, file, indent=2)
    failed = [name for name, result in results.items() if "error" in result]
    if failed:
        sys.exit(f"http benchmark: {', '.join(failed)} failed (see above)")


if __name__ == "__main__":
    main()
