"""Load driver and report for bench/operator/run.sh: plain HTTP to assay-kube-emulator.

  driver.py setup   --server URL --namespace NS --crd FILE
  driver.py measure --server URL --namespace NS --name NAME --pid PID --suites N --idle SECONDS
                    [--metrics URL] --out FILE.json
  driver.py report  --suites N --idle SECONDS FILE.json...   (exit 1 when ours writes while idle)

`measure` waits for the operator's watch on EvaluationSuites, opens its own watch on Deployments,
zeroes the emulator's request counters (GET /emulator/requests, POST /emulator/requests/reset), creates
N suites as fast as one keep-alive connection goes and timestamps each create, timestamps each
Deployment's ADDED, waits for the system to settle, then measures an idle window. Only the standard
library and PyYAML (for the CRD file) are used.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse

SUITES = "/apis/eval.assay.dev/v1alpha1/namespaces/{ns}/evaluationsuites"
DEPLOYMENTS = "/apis/apps/v1/namespaces/{ns}/deployments"
SERVICES = "/api/v1/namespaces/{ns}/services"
AUTOSCALERS = "/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers"
SUITE_RESOURCE = "evaluationsuites.eval.assay.dev"
CLK_TCK = os.sysconf("SC_CLK_TCK")


class Api:
    """One keep-alive connection to the emulator."""

    def __init__(self, server: str):
        url = urllib.parse.urlsplit(server)
        self.host, self.port = url.hostname, url.port
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def call(self, method: str, path: str, body=None, content_type: str = "application/json"):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": content_type} if data is not None else {}
        attempt, refused = 0, 0
        while True:
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                if resp.status == 429 and refused < 10:
                    # An in-flight limit (EMULATOR_ARGS): wait as kubectl would, then send again.
                    refused += 1
                    time.sleep(float(resp.getheader("Retry-After") or 1))
                    continue
                if resp.status == 429:
                    return resp.status, None
                return resp.status, (json.loads(raw) if raw else None)
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                attempt += 1
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def counts(self) -> dict:
        status, body = self.call("GET", "/emulator/requests")
        assert status == 200, (status, body)
        return body

    def reset_counts(self) -> None:
        status, body = self.call("POST", "/emulator/requests/reset")
        assert status == 200, (status, body)


class Watch(threading.Thread):
    """A watch on Deployments from a resourceVersion: the first ADDED per owning suite, timestamped."""

    def __init__(self, server: str, path: str):
        super().__init__(daemon=True)
        url = urllib.parse.urlsplit(server)
        self.conn = http.client.HTTPConnection(url.hostname, url.port)
        self.conn.request("GET", path)
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200, self.resp.status
        self.added: dict[str, float] = {}
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)

    def run(self) -> None:
        while True:
            line = self.resp.readline()
            if not line:
                return
            now = time.monotonic()
            line = line.strip()
            if not line:
                continue
            event = json.loads(line)
            if event.get("type") != "ADDED":
                continue
            owners = event["object"]["metadata"].get("ownerReferences") or []
            owner = owners[0]["name"] if owners else event["object"]["metadata"]["name"]
            with self.lock:
                self.added.setdefault(owner, now)
                self.changed.notify_all()

    def wait_for(self, count: int, deadline: float) -> bool:
        with self.lock:
            while len(self.added) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(min(left, 1.0))
            return True


def proc_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_memory_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MiB."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def scrape(metrics_url: str | None, family: str, label: str) -> dict[str, float] | None:
    """One counter family from our operator's /metrics, by the value of one label."""
    if not metrics_url:
        return None
    url = urllib.parse.urlsplit(metrics_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.request("GET", url.path or "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    found: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith(family + "{"):
            labels, value = line.rsplit(" ", 1)
            key = labels.split(f'{label}="', 1)[1].split('"', 1)[0]
            found[key] = found.get(key, 0.0) + float(value)
    return found


def reconciles(metrics_url: str | None) -> dict[str, float] | None:
    """assay_operator_reconciles_total by result."""
    return scrape(metrics_url, "assay_operator_reconciles_total", "result")


def suite(name: str, namespace: str) -> dict:
    """A small suite with inline cases whose outputs are given (no provider is called)."""
    return {
        "apiVersion": "eval.assay.dev/v1alpha1",
        "kind": "EvaluationSuite",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "targets": [{"name": "recorded", "prompt": "{{input}}", "providers": [{"type": "openai", "model": "m"}]}],
            "dataset": {
                "cases": [
                    {"id": "a", "input": "France", "reference": "Paris", "output": "Paris"},
                    {"id": "b", "input": "Spain", "reference": "Madrid", "output": "Madrid"},
                ]
            },
            "criteria": [{"type": "contains", "value": "a"}],
            "passThreshold": 0.5,
        },
    }


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def cmd_setup(args) -> int:
    import yaml

    api = Api(args.server)
    with open(args.crd) as f:
        crd = yaml.safe_load(f)
    status, body = api.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
    if status != 201:
        sys.exit(f"creating the CRD: {status} {body}")
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": args.namespace}}
    status, body = api.call("POST", "/api/v1/namespaces", ns)
    if status != 201:
        sys.exit(f"creating namespace {args.namespace}: {status} {body}")
    return 0


def operator_requests(counts: dict, driver_creates: int) -> dict:
    """The counts without the driver's own suite creates."""
    by_resource = {k: dict(v) for k, v in counts["byResource"].items()}
    suites = by_resource.get(SUITE_RESOURCE, {})
    if driver_creates:
        suites["create"] = suites.get("create", 0) - driver_creates
        if not suites["create"]:
            del suites["create"]
        if not suites:
            by_resource.pop(SUITE_RESOURCE, None)
    return {
        "total": counts["total"] - driver_creates,
        "writes": counts["writes"] - driver_creates,
        # Refused with 429 by an in-flight limit (EMULATOR_ARGS); not in total.
        "tooManyRequests": counts.get("tooManyRequests", {}).get("total", 0),
        "byResource": by_resource,
    }


def cmd_measure(args) -> int:
    api = Api(args.server)
    ns = args.namespace
    result: dict = {"name": args.name, "suites": args.suites, "idleSeconds": args.idle}

    # 1. The operator is ready when it watches EvaluationSuites (and, for ours, /readyz answers).
    deadline = time.monotonic() + args.start_timeout
    while True:
        watching = api.counts()["byResource"].get(SUITE_RESOURCE, {}).get("watch", 0)
        if watching:
            break
        if time.monotonic() > deadline:
            sys.exit(f"{args.name}: no watch on EvaluationSuites after {args.start_timeout} s")
        time.sleep(0.2)
    time.sleep(args.warmup)
    startup = api.counts()
    result["startupRequests"] = startup["total"]

    # 2. Our own watch on Deployments, from now, opened before the counters are zeroed.
    status, listed = api.call("GET", DEPLOYMENTS.format(ns=ns))
    assert status == 200, (status, listed)
    rv = listed["metadata"]["resourceVersion"]
    watch = Watch(args.server, DEPLOYMENTS.format(ns=ns) + f"?watch=true&resourceVersion={rv}")
    watch.start()
    reconciles_before = reconciles(args.metrics)
    cpu_before = proc_cpu_seconds(args.pid)
    api.reset_counts()

    # 3. Create the suites; each create is timestamped just before it is sent.
    created: dict[str, float] = {}
    names = [f"bench-{i:04d}" for i in range(args.suites)]
    interval = 1.0 / args.rate if args.rate > 0 else 0.0
    first = time.monotonic()
    for i, name in enumerate(names):
        if interval:
            pause = first + i * interval - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        created[name] = time.monotonic()
        status, body = api.call("POST", SUITES.format(ns=ns), suite(name, ns))
        if status != 201:
            sys.exit(f"{args.name}: creating {name}: {status} {body}")
    creates_done = time.monotonic()

    # 4. Settle: every suite has its Deployment, then no operator write for --quiet seconds.
    deadline = time.monotonic() + args.settle_timeout
    if not watch.wait_for(args.suites, deadline):
        missing = [n for n in names if n not in watch.added]
        sys.exit(f"{args.name}: {len(missing)} suites without a Deployment after {args.settle_timeout} s "
                 f"(first: {missing[:3]})")
    all_deployed = time.monotonic()
    last_writes, quiet_since = api.counts()["writes"], time.monotonic()
    while time.monotonic() - quiet_since < args.quiet and time.monotonic() < deadline:
        time.sleep(0.5)
        writes = api.counts()["writes"]
        if writes != last_writes:
            last_writes, quiet_since = writes, time.monotonic()
    settled = time.monotonic()
    create_phase = operator_requests(api.counts(), args.suites)
    cpu_settled = proc_cpu_seconds(args.pid)
    reconciles_after = reconciles(args.metrics)

    latencies = [(watch.added[n] - created[n]) * 1000 for n in names]
    result["latencyMs"] = {
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
        "mean": statistics.fmean(latencies),
    }
    result["createSeconds"] = creates_done - first
    result["allDeployedSeconds"] = all_deployed - first
    result["settleSeconds"] = settled - first
    result["createPhase"] = create_phase
    result["createPhaseCPUSeconds"] = cpu_settled - cpu_before
    if reconciles_before is not None and reconciles_after is not None:
        result["reconciles"] = {
            k: reconciles_after.get(k, 0.0) - reconciles_before.get(k, 0.0) for k in reconciles_after
        }

    # 5. Idle: nothing changes for --idle seconds.
    api.reset_counts()
    cpu_idle_start = proc_cpu_seconds(args.pid)
    idle_start = time.monotonic()
    time.sleep(args.idle)
    idle_counts = api.counts()
    cpu_idle_end = proc_cpu_seconds(args.pid)
    idle_elapsed = time.monotonic() - idle_start
    rss, hwm = proc_memory_mib(args.pid)
    result["idle"] = {
        "seconds": idle_elapsed,
        "requests": idle_counts["total"],
        "writes": idle_counts["writes"],
        "requestsPerMinute": idle_counts["total"] * 60 / idle_elapsed,
        "writesPerMinute": idle_counts["writes"] * 60 / idle_elapsed,
        "byResource": idle_counts["byResource"],
        "cpuSeconds": cpu_idle_end - cpu_idle_start,
        "rssMiB": rss,
    }
    result["peakRSSMiB"] = hwm
    if args.metrics:
        result["idle"]["reconciles"] = reconciles(args.metrics)
        result["idle"]["watchRestarts"] = scrape(args.metrics, "assay_operator_watch_restarts_total", "resource")

    # 6. What the operator left (read after the idle window, so not counted in it).
    _, suites = api.call("GET", SUITES.format(ns=ns))
    phases: dict[str, int] = {}
    finalized = 0
    for item in suites["items"]:
        phase = (item.get("status") or {}).get("phase", "(none)")
        phases[phase] = phases.get(phase, 0) + 1
        finalized += bool(item["metadata"].get("finalizers"))
    owned = {}
    for kind, path in (("deployments", DEPLOYMENTS), ("services", SERVICES), ("autoscalers", AUTOSCALERS)):
        _, listed = api.call("GET", path.format(ns=ns))
        owned[kind] = sum(bool(i["metadata"].get("ownerReferences")) for i in listed["items"])
    result["final"] = {"phases": phases, "withFinalizer": finalized, "owned": owned}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(
        f"{args.name}: p50 {result['latencyMs']['p50']:.1f} ms, p99 {result['latencyMs']['p99']:.1f} ms, "
        f"settled after {result['settleSeconds']:.1f} s, idle writes {idle_counts['writes']}",
        file=sys.stderr,
    )
    return 0


def fmt(value, digits: int = 2) -> str:
    if value is None:
        return "pending"
    if isinstance(value, str):
        return value
    if isinstance(value, int) or abs(value) >= 1000:
        return str(round(value))
    if abs(value) >= 100:
        return f"{value:.1f}"
    return f"{value:.{digits}f}"


def ratio(peer, ours) -> str:
    if peer is None or ours is None or isinstance(peer, str) or isinstance(ours, str):
        return "—"
    if ours == 0:
        return "—" if peer == 0 else "∞"
    value = peer / ours
    return f"{value:.3f}" if value < 0.1 else f"{value:.2f}"


def cmd_report(args) -> int:
    runs = {}
    for path in args.results:
        with open(path) as f:
            run = json.load(f)
        runs[run["name"]] = run
    ours, peer = runs.get("ours"), runs.get("peer")

    def get(run, *path):
        value = run
        for key in path:
            if value is None:
                return None
            value = value.get(key) if isinstance(value, dict) else None
        return value

    def per_suite(run, key):
        value = get(run, "createPhase", key)
        return None if value is None else value / run["suites"]

    def per_reconcile(run):
        total = get(run, "createPhase", "total")
        count = sum((get(run, "reconciles") or {}).values())
        return total / count if total is not None and count else None

    def idle_cpu_percent(run):
        cpu, seconds = get(run, "idle", "cpuSeconds"), get(run, "idle", "seconds")
        return None if cpu is None else 100 * cpu / seconds

    rows = [
        ("apply → Deployment p50 ms", lambda r: get(r, "latencyMs", "p50")),
        ("apply → Deployment p99 ms", lambda r: get(r, "latencyMs", "p99")),
        ("apply → Deployment max ms", lambda r: get(r, "latencyMs", "max")),
        (f"all {args.suites} Deployments after s", lambda r: get(r, "allDeployedSeconds")),
        ("settled after s", lambda r: get(r, "settleSeconds")),
        ("API requests per suite (create phase)", lambda r: per_suite(r, "total")),
        ("API writes per suite (create phase)", lambda r: per_suite(r, "writes")),
        ("429s from the API server (create phase)", lambda r: get(r, "createPhase", "tooManyRequests")),
        ("reconciles", lambda r: sum(get(r, "reconciles").values()) if get(r, "reconciles") else None),
        ("API requests per reconcile", per_reconcile),
        ("CPU s, create phase", lambda r: get(r, "createPhaseCPUSeconds")),
        (f"idle {args.idle:g} s: API requests/min", lambda r: get(r, "idle", "requestsPerMinute")),
        (f"idle {args.idle:g} s: API writes/min", lambda r: get(r, "idle", "writesPerMinute")),
        (f"idle {args.idle:g} s: CPU s", lambda r: get(r, "idle", "cpuSeconds")),
        (f"idle {args.idle:g} s: CPU % of a core", idle_cpu_percent),
        ("idle RSS MiB", lambda r: get(r, "idle", "rssMiB")),
        ("peak RSS MiB", lambda r: get(r, "peakRSSMiB")),
    ]
    print(f"| measure ({args.suites} suites) | ours | peer | peer/us |")
    print("| --- | ---: | ---: | ---: |")
    for label, extract in rows:
        o = extract(ours) if ours else None
        p = extract(peer) if peer else None
        if label.startswith("reconciles") or label.startswith("API requests per reconcile"):
            p = "—" if peer else None
        print(f"| {label} | {fmt(o)} | {fmt(p)} | {ratio(p, o)} |")
    print()
    for name, run in (("ours", ours), ("peer", peer)):
        if not run:
            print(f"- {name}: pending")
            continue
        final = run["final"]
        print(
            f"- {name}: phases {final['phases']}, with finalizer {final['withFinalizer']}, owned children "
            f"{final['owned']}, reconciles {run.get('reconciles', '—')}"
        )
        print(f"  - create phase requests by resource: {json.dumps(run['createPhase']['byResource'], sort_keys=True)}")
        print(f"  - idle requests by resource: {json.dumps(run['idle']['byResource'], sort_keys=True)}")
        if "watchRestarts" in run["idle"]:
            print(
                f"  - at the end of the idle window: reconciles since start {run['idle']['reconciles']}, "
                f"watch restarts {run['idle']['watchRestarts']}"
            )
    if ours and ours["idle"]["writes"] > 0:
        print(f"\nFAIL: ours wrote {ours['idle']['writes']} times in the idle window (target 0)")
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    setup = sub.add_parser("setup")
    setup.add_argument("--server", required=True)
    setup.add_argument("--namespace", required=True)
    setup.add_argument("--crd", required=True)
    measure = sub.add_parser("measure")
    measure.add_argument("--server", required=True)
    measure.add_argument("--namespace", required=True)
    measure.add_argument("--name", required=True)
    measure.add_argument("--pid", type=int, required=True)
    measure.add_argument("--suites", type=int, default=500)
    measure.add_argument("--idle", type=float, default=60)
    measure.add_argument("--rate", type=float, default=0, help="suites created per second (0: as fast as possible)")
    measure.add_argument("--metrics", help="our operator's /metrics URL")
    measure.add_argument("--warmup", type=float, default=2, help="seconds after the operator's watch opens")
    measure.add_argument("--quiet", type=float, default=5, help="seconds without a write that mean settled")
    measure.add_argument("--start-timeout", type=float, default=120)
    measure.add_argument("--settle-timeout", type=float, default=900)
    measure.add_argument("--out", required=True)
    report = sub.add_parser("report")
    report.add_argument("--suites", type=int, required=True)
    report.add_argument("--idle", type=float, required=True)
    report.add_argument("results", nargs="+")
    args = parser.parse_args()
    return {"setup": cmd_setup, "measure": cmd_measure, "report": cmd_report}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
