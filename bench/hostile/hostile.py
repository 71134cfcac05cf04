"""Hostile requests against one evaluator binary: the findings of issue 2/6 (bounded work), each
measured the same way on any build, so a before/after pair of runs gives the issue's figures.

Usage:
  python bench/hostile/hostile.py [--evaluator PATH] [--emulator PATH] [--quick] [SCENARIO ...]
  (--quick, or BENCH_QUICK=1: only fanout and connections unless scenarios are named; a few seconds)

Scenarios (default: all):
  fanout      a jsonSchema criterion whose $defs each hold allOf of two $refs to the next level
              (2^n paths): time at depth 20, 24 and 40; /healthz latency meanwhile; the server's CPU
              in the 3 s after a client gives up on depth 40; time from SIGTERM to exit
  bleu        four concurrent bleu requests with 3.5 MB of words on each side (and one tokenF1):
              time, /healthz latency meanwhile, peak and final RSS
  hog         two batches of 300 catastrophic-regex items at once on a 2-loop server: latency of
              small requests and of /healthz sent meanwhile
  sigterm     SIGTERM (grace 3 s) while a batch of catastrophic-regex items, or a generation
              whose provider never answers, is in flight: the answer and the time to exit
  connections 3,000 connections opened against --max-connections 1000 (when the build has the
              flag): how many stay open, and whether a new client is still served
  ratelimit   100 requests/s (burst 100) through Redis with about 300/s offered for 12 s; redis-server
              killed at 4 s and restarted at 8 s: most admitted in any one second, and the total
  small       the costliest bodies of at most 2 KiB with linear criteria only (those small enough to be
              scored on the event loop): time per request each, then /healthz while eight connections
              send the costliest one without pause on a 2-loop server
  valuelist   containsAll with 1.7 million values against a 1 MB output (7.8 MB body), and a
              case-insensitive one with 200,000 non-ASCII values: the answer, and the server's CPU in
              the 3 s after it

Each scenario prints one markdown table. Nothing here is part of the product; it drives the
release binaries (default .build/release/) like a user would.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# --- processes ---------------------------------------------------------------------------------


class Server:
    """An evaluator process on a free port, with its log in a temporary file."""

    def __init__(self, binary: str, extra: list[str]):
        self.log = tempfile.NamedTemporaryFile(prefix="assay-hostile-", suffix=".log", delete=False)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSAY_")}
        self.process = subprocess.Popen(
            [binary, "serve", "--port", "0"] + extra, stdout=self.log, stderr=subprocess.STDOUT, env=env
        )
        self.port = None
        deadline = time.time() + 20
        while time.time() < deadline and self.port is None:
            time.sleep(0.05)
            with open(self.log.name) as f:
                for line in f:
                    if '"listening"' in line and '"address"' in line:
                        self.port = int(line.split('"address":"')[1].split('"')[0].rsplit(":", 1)[1])
        if self.port is None:
            raise RuntimeError("the evaluator did not start: " + open(self.log.name).read()[-2000:])

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory_mib(self, field: str) -> float:
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self, grace: float = 30) -> float | None:
        """SIGTERM, then SIGKILL after `grace` s; the seconds until exit, or None if it needed SIGKILL."""
        if self.process.poll() is not None:
            return 0.0
        start = time.time()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
            return time.time() - start
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None


def providers_file(provider: dict) -> list[str]:
    """`serve` flags configuring one provider (requests name providers; they cannot define them)."""
    with tempfile.NamedTemporaryFile("w", prefix="assay-hostile-providers-", suffix=".json", delete=False) as f:
        json.dump({"providers": [provider]}, f)
    return ["--providers-file", f.name]


def post(port: int, path: str, body: bytes, timeout: float) -> tuple[int | None, float, bytes]:
    """(status or None on timeout/error, seconds, body)."""
    start = time.time()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, time.time() - start, data
    except (OSError, http.client.HTTPException):
        return None, time.time() - start, b""


def post_concurrently(port: int, path: str, body: bytes, count: int, timeout: float) -> list[str]:
    """`count` identical POSTs at once; each one's outcome, in order."""
    results: list[str] = [""] * count

    def one(i: int) -> None:
        results[i] = outcome(*post(port, path, body, timeout=timeout))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def get(port: int, path: str, timeout: float) -> tuple[int | None, float]:
    start = time.time()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status, time.time() - start
    except (OSError, http.client.HTTPException):
        return None, time.time() - start


class HealthProbe:
    """GET /healthz on a new connection every 100 ms; latencies in ms (timeouts count as 10,000)."""

    def __init__(self, port: int):
        self.port = port
        self.latencies: list[float] = []
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while self.running:
            status, seconds = get(self.port, "/healthz", timeout=10)
            self.latencies.append(seconds * 1000 if status == 200 else 10_000)
            time.sleep(0.1)

    def finish(self) -> str:
        self.running = False
        self.thread.join()
        if not self.latencies:
            return "none"
        ordered = sorted(self.latencies)
        p50 = ordered[len(ordered) // 2]
        return f"p50 {p50:.1f} ms, max {ordered[-1]:.0f} ms ({len(ordered)} probes)"


def fmt(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.2f} s"


def outcome(status: int | None, seconds: float, body: bytes) -> str:
    if status is None:
        return f"no answer after {seconds:.1f} s"
    reason = ""
    try:
        answer = json.loads(body)
        results = answer.get("results") or []
        if results:
            reason = results[0].get("reason", "")
        else:
            reason = answer.get("detail", "")
    except ValueError:
        pass
    return f"{status} in {seconds:.2f} s" + (f": {reason[:110]}" if reason else "")


# --- scenarios ---------------------------------------------------------------------------------


def fanout_schema(depth: int) -> dict:
    defs = {f"l{i}": {"allOf": [{"$ref": f"#/$defs/l{i + 1}"}, {"$ref": f"#/$defs/l{i + 1}"}]} for i in range(depth)}
    defs[f"l{depth}"] = {"type": "object"}
    return {"$ref": "#/$defs/l0", "$defs": defs}


def fanout_body(depth: int) -> bytes:
    return json.dumps(
        {"output": "{}", "criteria": [{"type": "jsonSchema", "schema": fanout_schema(depth)}]}
    ).encode()


def scenario_fanout(args) -> None:
    server = Server(args.evaluator, [])
    rows = []
    try:
        for depth in (20, 24):
            status, seconds, body = post(server.port, "/v1/evaluate", fanout_body(depth), timeout=30)
            rows.append((f"depth {depth} ({len(fanout_body(depth))} B)", outcome(status, seconds, body)))
        probe = HealthProbe(server.port)
        status, seconds, body = post(server.port, "/v1/evaluate", fanout_body(40), timeout=5)
        rows.append((f"depth 40 ({len(fanout_body(40))} B), client gives up after 5 s", outcome(status, seconds, body)))
        before = server.cpu_seconds()
        time.sleep(3)
        busy = (server.cpu_seconds() - before) / 3
        rows.append(("/healthz meanwhile", probe.finish()))
        rows.append(("server CPU in the 3 s after the client left", f"{busy * 100:.0f}% of a core"))
        status, seconds = get(server.port, "/healthz", timeout=10)
        rows.append(("/healthz after", f"{status} in {seconds * 1000:.1f} ms" if status else "no answer"))
    finally:
        exit_time = server.stop(grace=30)
    rows.append(("SIGTERM to exit", fmt(exit_time) if exit_time is not None else "still running after 30 s: SIGKILL"))
    table("fan-out jsonSchema", rows)


def words(count_bytes: int, seed: int) -> str:
    """Words drawn at random (fixed seed) from a 50,000-word vocabulary, so that most n-grams differ."""
    rng = random.Random(seed)
    vocabulary = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(50_000)]
    out, size = [], 0
    while size < count_bytes:
        word = rng.choice(vocabulary)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)


def scenario_bleu(args) -> None:
    server = Server(args.evaluator, [])
    output, reference = words(3_500_000, 1), words(3_500_000, 2)
    rows = []
    try:
        probe = HealthProbe(server.port)
        body = json.dumps(
            {"output": output, "reference": reference, "criteria": [{"type": "similarity", "method": "bleu"}]}
        ).encode()
        results = post_concurrently(server.port, "/v1/evaluate", body, 4, timeout=120)
        for i, result in enumerate(results):
            rows.append((f"bleu {len(body) // 1_000_000} MB request {i + 1} of 4", result))
        rows.append(("/healthz meanwhile", probe.finish()))
        rows.append(("peak RSS (VmHWM)", f"{server.memory_mib('VmHWM'):.0f} MiB"))
        time.sleep(1)
        rows.append(("RSS after", f"{server.memory_mib('VmRSS'):.0f} MiB"))
        token_body = body.replace(b'"method": "bleu"', b'"method": "tokenF1"')
        rows.append(("tokenF1, same texts", outcome(*post(server.port, "/v1/evaluate", token_body, timeout=120))))
        within = json.dumps({"output": output[:1_000_000], "reference": reference[:1_000_000],
                             "criteria": [{"type": "similarity", "method": "bleu"}]}).encode()
        rows.append(("bleu, 1 MB texts (within the size limit)",
                     outcome(*post(server.port, "/v1/evaluate", within, timeout=120))))
        rows.append(("peak RSS (VmHWM) after that", f"{server.memory_mib('VmHWM'):.0f} MiB"))
    finally:
        server.stop()
    table("similarity on 3.5 MB texts", rows)


def regex_batch(items: int) -> bytes:
    """A batch whose every item runs a catastrophic regex to its work limit (tens of ms each)."""
    item = {"output": "a" * 30 + "!", "criteria": [{"type": "regex", "pattern": "(a+)+$"}]}
    return json.dumps({"items": [item] * items}).encode()


def scenario_hog(args) -> None:
    server = Server(args.evaluator, ["--event-loops", "2"])
    rows = []
    try:
        heavy = regex_batch(300)
        small = json.dumps({"output": "hello", "criteria": [{"type": "contains", "value": "hello"}]}).encode()
        probe = HealthProbe(server.port)
        latencies: list[float] = []
        stop = threading.Event()

        def smalls() -> None:
            while not stop.is_set():
                status, seconds, _ = post(server.port, "/v1/evaluate", small, timeout=10)
                latencies.append(seconds * 1000 if status == 200 else 10_000)
                time.sleep(0.05)

        small_thread = threading.Thread(target=smalls)
        small_thread.start()
        heavy_results = post_concurrently(server.port, "/v1/evaluate/batch", heavy, 2, timeout=60)
        stop.set()
        small_thread.join()
        ordered = sorted(latencies) or [float("nan")]
        rows.append(("two batches of 300 catastrophic-regex items", "; ".join(r[:60] for r in heavy_results)))
        rows.append(
            ("small requests meanwhile", f"p50 {ordered[len(ordered) // 2]:.1f} ms, max {ordered[-1]:.0f} ms ({len(ordered)})")
        )
        rows.append(("/healthz meanwhile", probe.finish()))
    finally:
        server.stop()
    table("two heavy requests on a 2-loop server", rows)


def scenario_sigterm(args) -> None:
    rows = []
    body = regex_batch(1000)
    for title, extra, emulator_args, payload in (
        (f"batch of 1,000 catastrophic-regex items ({len(body) // 1000} KB)", [], None, body),
        ("a generation whose provider never answers", [], ["--hang"], None),
    ):
        emulator = None
        if emulator_args is not None:
            emulator = subprocess.Popen([args.emulator, "--port", "0"] + emulator_args, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
            port = int(emulator.stdout.readline().strip().rsplit(":", 1)[1])
            provider = {"name": "hanging", "type": "openai", "model": "m", "baseURL": f"http://127.0.0.1:{port}/v1",
                        "timeoutSeconds": 60, "maxRetries": 0}
            extra = providers_file(provider)
            payload = json.dumps({"target": {"providers": ["hanging"], "prompt": "hi"},
                                  "criteria": [{"type": "contains", "value": "hi"}]}).encode()
        server = Server(args.evaluator, ["--shutdown-grace-seconds", "3", "--generation-timeout-seconds", "60"] + extra)
        path = "/v1/evaluate/batch" if emulator_args is None else "/v1/evaluate"
        answer: list[str] = [""]

        def send() -> None:
            answer[0] = outcome(*post(server.port, path, payload, timeout=120))

        thread = threading.Thread(target=send)
        thread.start()
        time.sleep(1.5)
        exit_time = server.stop(grace=30)
        thread.join()
        if emulator:
            emulator.kill()
        rows.append((f"{title}: answer", answer[0][:160]))
        rows.append((f"{title}: SIGTERM (grace 3 s) to exit",
                     fmt(exit_time) if exit_time is not None else "still running after 30 s: SIGKILL"))
    table("SIGTERM with a request in flight", rows)


def scenario_connections(args) -> None:
    help_text = subprocess.run([args.evaluator, "serve", "--help"], capture_output=True, text=True).stdout
    capped = "--max-connections" in help_text
    server = Server(args.evaluator, ["--max-connections", "1000"] if capped else [])
    sockets = []
    rows = []
    try:
        for _ in range(3000):
            s = socket.create_connection(("127.0.0.1", server.port))
            s.setblocking(False)
            sockets.append(s)
        time.sleep(1)
        open_count = 0
        for s in sockets:
            try:
                data = s.recv(1)
                if data == b"":
                    continue
                open_count += 1
            except BlockingIOError:
                open_count += 1
            except OSError:
                continue
        status, seconds = get(server.port, "/healthz", timeout=5)
        rows.append(("flag", "--max-connections 1000" if capped else "none (no cap exists)"))
        rows.append(("connections still open of 3,000 opened", str(open_count)))
        rows.append(("a new client's /healthz meanwhile", f"{status} in {seconds * 1000:.1f} ms" if status else "no answer"))
    finally:
        for s in sockets:
            s.close()
        server.stop()
    table("connection cap", rows)


def scenario_ratelimit(args) -> None:
    redis_server = shutil.which("redis-server")
    if not redis_server:
        print("ratelimit: redis-server not installed; skipped")
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        redis_port = s.getsockname()[1]
    redis_dir = tempfile.mkdtemp(prefix="assay-hostile-redis-")
    redis_args = [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                  "--dir", redis_dir, "--logfile", ""]

    def start_redis():
        process = subprocess.Popen(redis_args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", redis_port), timeout=0.5) as c:
                    c.sendall(b"PING\r\n")
                    if c.recv(16).startswith(b"+PONG"):
                        return process
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    redis = start_redis()
    emulator = subprocess.Popen([args.emulator, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = emulator.stdout.readline()
    emulator_port = int(line.strip().rsplit(":", 1)[1])
    provider = {"type": "openai", "name": "limited", "model": "m", "baseURL": f"http://127.0.0.1:{emulator_port}/v1",
                "maxRetries": 0, "rateLimit": {"requestsPerSecond": 100, "burst": 100}}
    server = Server(args.evaluator, ["--redis", f"redis://127.0.0.1:{redis_port}", "--ratelimit-max-wait-seconds", "0"]
                    + providers_file(provider))
    body = json.dumps({"target": {"providers": ["limited"], "prompt": "hi"},
                       "criteria": [{"type": "contains", "value": "hi"}]}).encode()
    admitted: list[float] = []
    lock = threading.Lock()
    start = time.time()
    duration = 12.0

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        next_send = time.time()
        while time.time() - start < duration:
            try:
                connection.request("POST", "/v1/evaluate", body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    with lock:
                        admitted.append(time.time() - start)
            except (OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            next_send += 0.05
            time.sleep(max(0.0, next_send - time.time()))

    threads = [threading.Thread(target=client) for _ in range(15)]
    for t in threads:
        t.start()
    time.sleep(4 - (time.time() - start))
    redis.kill()
    redis.wait()
    time.sleep(8 - (time.time() - start))
    redis = start_redis()
    for t in threads:
        t.join()
    server.stop()
    redis.kill()
    emulator.kill()
    shutil.rmtree(redis_dir, ignore_errors=True)
    per_second = [0] * int(duration + 1)
    for t in admitted:
        per_second[min(int(t), len(per_second) - 1)] += 1
    # Windows ending after the first second: the first one holds the burst the bucket starts with.
    windows = []
    ordered = sorted(admitted)
    j = 0
    for i, t in enumerate(ordered):
        while ordered[j] < t - 1.0:
            j += 1
        if t >= 2.0:
            windows.append(i - j + 1)
    limit_total = 100 * duration + 100
    rows = [
        ("admitted per second (0..12 s; kill at 4, restart at 8)", " ".join(str(n) for n in per_second[: int(duration)])),
        ("most admitted in any 1 s window after the first 2 s", f"{max(windows) if windows else 0} (limit 100/s)"),
        ("total admitted in 12 s", f"{len(admitted)} (limit × time + one burst = {limit_total:.0f})"),
    ]
    table("rate limit across a Redis kill and restart", rows)


def fill_2k(make) -> bytes:
    """The largest body `make(n)` makes that is at most 2 KiB."""
    low, high = 1, 5000
    while low < high:
        middle = (low + high + 1) // 2
        if len(make(middle)) <= 2048:
            low = middle
        else:
            high = middle - 1
    return make(low)


def compact(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


SMALL_BODIES = {
    "case-insensitive containsAll, Kelvin sign in the output (n values)": lambda n: compact(
        {"output": "\u212a" + "a" * 600, "criteria": [{"type": "containsAll", "caseSensitive": False, "values": ["b"] * n}]}),
    "case-insensitive containsAll, non-ASCII (n values)": lambda n: compact(
        {"output": "\u00c9" * 400, "criteria": [{"type": "containsAll", "caseSensitive": False, "values": ["\u00e9x"] * n}]}),
    "startsWith of emoji output, excerpt in each reason (n criteria)": lambda n: compact(
        {"output": "\U0001F600" * 200, "criteria": [{"type": "startsWith", "value": "x"}] * n}),
    "length in characters of combining marks (n criteria)": lambda n: compact(
        {"output": "a" + "\u0301" * 500, "criteria": [{"type": "length", "max": 1}] * n}),
    "contains, quadratic pattern": lambda n: compact(
        {"output": "a" * n, "criteria": [{"type": "contains", "value": "a" * (n // 2) + "b"}]}),
}


def scenario_small(args) -> None:
    server = Server(args.evaluator, ["--event-loops", "2"])
    rows = []
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        for title, make in SMALL_BODIES.items():
            body = fill_2k(make)
            times = []
            for _ in range(40):
                start = time.perf_counter()
                connection.request("POST", "/v1/evaluate", body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
                times.append(time.perf_counter() - start)
            times.sort()
            rows.append((f"{title}, {len(body)} B", f"{response.status}: p50 {times[20] * 1000:.2f} ms, min {times[0] * 1000:.2f} ms"))
        connection.close()
        body = fill_2k(next(iter(SMALL_BODIES.values())))
        stop = threading.Event()
        sent = [0] * 8

        def sender(index: int) -> None:
            client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            while not stop.is_set():
                client.request("POST", "/v1/evaluate", body=body, headers={"Content-Type": "application/json"})
                client.getresponse().read()
                sent[index] += 1

        threads = [threading.Thread(target=sender, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        probe = HealthProbe(server.port)
        time.sleep(5)
        stop.set()
        rows.append(("/healthz while 8 connections send the first body without pause", probe.finish()))
        for thread in threads:
            thread.join()
        rows.append(("first body answered meanwhile", f"{sum(sent)} in about 5.5 s"))
    finally:
        server.stop()
    table("small bodies of linear criteria", rows)


def scenario_valuelist(args) -> None:
    server = Server(args.evaluator, [])
    rows = []
    bodies = (
        ("containsAll of 1.7 million values, 1 MB output", json.dumps(
            {"output": "a" * 1_000_000, "criteria": [{"type": "containsAll", "values": ["b"] * 1_700_000}]},
            separators=(",", ":")).encode()),
        ("case-insensitive containsAll of 200,000 non-ASCII values, 1 MB output", json.dumps(
            {"output": "\u00c9" * 500_000,
             "criteria": [{"type": "containsAll", "caseSensitive": False, "values": ["\u00e9x"] * 200_000}]},
            ensure_ascii=False, separators=(",", ":")).encode()),
    )
    try:
        for title, body in bodies:
            before = server.cpu_seconds()
            answer = outcome(*post(server.port, "/v1/evaluate", body, timeout=10))
            rows.append((f"{title} ({len(body) / 1e6:.1f} MB), client gives up after 10 s",
                         f"{answer} (server CPU {server.cpu_seconds() - before:.2f} s)"))
            before = server.cpu_seconds()
            time.sleep(3)
            rows.append(("server CPU in the 3 s after", f"{(server.cpu_seconds() - before) / 3 * 100:.0f}% of a core"))
    finally:
        exit_time = server.stop(grace=30)
    rows.append(("SIGTERM to exit", fmt(exit_time) if exit_time is not None else "still running after 30 s: SIGKILL"))
    table("containsAll with a long value list", rows)


def table(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"\n### {title}\n")
    print("| measure | value |")
    print("| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")
    sys.stdout.flush()


SCENARIOS = {
    "fanout": scenario_fanout,
    "bleu": scenario_bleu,
    "hog": scenario_hog,
    "sigterm": scenario_sigterm,
    "connections": scenario_connections,
    "ratelimit": scenario_ratelimit,
    "small": scenario_small,
    "valuelist": scenario_valuelist,
}

QUICK_SCENARIOS = ["fanout", "connections"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evaluator", default=os.path.join(ROOT, ".build/release/assay-evaluator"))
    parser.add_argument("--emulator", default=os.path.join(ROOT, ".build/release/assay-provider-emulator"))
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1",
                        help="fanout and connections only, unless scenarios are named (also BENCH_QUICK=1)")
    parser.add_argument("scenarios", nargs="*", choices=[[]] + list(SCENARIOS), default=[])
    args = parser.parse_args()
    scenarios = args.scenarios or (QUICK_SCENARIOS if args.quick else list(SCENARIOS))
    needed = [("--evaluator", args.evaluator, "assay-evaluator")]
    if {"sigterm", "ratelimit"} & set(scenarios):
        needed.append(("--emulator", args.emulator, "assay-provider-emulator"))
    for flag, path, product in needed:
        if not os.access(path, os.X_OK):
            sys.exit(f"hostile.py: {path} is missing: build it (swift build -c release --product {product}) "
                     f"or pass {flag} PATH")
    print(f"evaluator: {args.evaluator}; load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name in scenarios:
        SCENARIOS[name](args)


if __name__ == "__main__":
    main()
