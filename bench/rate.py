"""Constant-rate load generator: sends POST requests on a fixed schedule (request i at start + i/rate)
over a pool of keep-alive connections and measures each latency from its *scheduled* send time, so
a stalled server is charged for the requests it delayed (no coordinated omission; wrk2's approach,
which Debian does not package).

Usage: python rate.py URL BODY_FILE [--rate 100] [--duration 20] [--connections 32] [--drain 10]
Prints one JSON object: sent, answered, non-2xx, errors, unanswered, p50/p99/max latency in ms.
A request still unanswered `--drain` seconds after the schedule ends counts with infinite latency.
"""

import argparse
import asyncio
import json
import math
import urllib.parse


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return math.nan
    index = min(len(sorted_values) - 1, max(0, math.ceil(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length is None:
        raise ValueError("response without Content-Length")
    await reader.readexactly(length)
    return status


async def run(url: str, body: bytes, rate: float, duration: float, connections: int, drain: float) -> dict:
    parts = urllib.parse.urlsplit(url)
    host, port, path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path or "/"
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    idle: asyncio.Queue = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(await asyncio.open_connection(host, port))
    loop = asyncio.get_running_loop()
    total = int(rate * duration)
    latencies: list[float] = []
    counts = {"non2xx": 0, "errors": 0}
    start = loop.time() + 0.05

    async def one(index: int) -> None:
        scheduled = start + index / rate
        reader, writer = await idle.get()
        try:
            writer.write(request)
            await writer.drain()
            status = await read_response(reader)
            latencies.append(loop.time() - scheduled)
            if not 200 <= status < 300:
                counts["non2xx"] += 1
            idle.put_nowait((reader, writer))
        except (OSError, ValueError, asyncio.IncompleteReadError):
            counts["errors"] += 1
            writer.close()
            idle.put_nowait(await asyncio.open_connection(host, port))

    tasks = []
    for index in range(total):
        delay = start + index / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(index)))
    done, pending = await asyncio.wait(tasks, timeout=drain)
    for task in pending:
        task.cancel()
    unanswered = len(pending)
    ordered = sorted(latencies) + [math.inf] * unanswered
    elapsed = loop.time() - start

    def ms(value: float) -> float | None:
        return None if math.isinf(value) or math.isnan(value) else round(value * 1000, 2)

    return {
        "rate": rate,
        "sent": total,
        "answered": len(latencies),
        "non2xx": counts["non2xx"],
        "errors": counts["errors"],
        "unanswered": unanswered,
        "elapsed_s": round(elapsed, 2),
        "p50_ms": ms(percentile(ordered, 0.50)),
        "p99_ms": ms(percentile(ordered, 0.99)),
        "max_ms": ms(ordered[-1]) if ordered else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("body_file")
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--drain", type=float, default=10.0)
    args = parser.parse_args()
    with open(args.body_file, "rb") as file:
        body = file.read()
    result = asyncio.run(run(args.url, body, args.rate, args.duration, args.connections, args.drain))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
