"""The load generator: a second process that drives a running KetaPath server on loopback.

Run by `bench.api_load`; bounded in count and time. Prints one JSON object on stdout. It uses
aiohttp, whose client costs a fraction of the CPU of httpx's, so that on a small machine the
load generator takes as little as it can from the server it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

API = "/api/v1"


SEDATION_EVERY = 3
"""A MOAA/S score goes with every third reading (vital signs every 5 min, sedation every 15)."""


def _reading(n: int) -> dict[str, object]:
    now = datetime.now(UTC).isoformat()
    reading: dict[str, object] = {
        "taken_at": now,
        "sbp_mmhg": 122,
        "dbp_mmhg": 76,
        "hr_bpm": 72,
        "rr_per_min": 14,
        "spo2_pct": 98,
    }
    if n % SEDATION_EVERY == 0:
        reading["sedation"] = {"assessed_at": now, "moaas": 5}
    return reading


def _cpu_s(pid: int | None) -> float | None:
    """CPU time (user + system, s) of process `pid` and its descendants (a server's worker
    processes), read from /proc; None without a pid or where there is no /proc."""
    proc = Path("/proc")
    if pid is None or not proc.is_dir():
        return None
    parents, ticks = {}, {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        parents[int(entry.name)], ticks[int(entry.name)] = (
            int(fields[1]),
            int(fields[11]) + int(fields[12]),
        )
    tree, frontier = set(), [pid]
    while frontier:
        current = frontier.pop()
        tree.add(current)
        frontier.extend(
            child for child, parent in parents.items() if parent == current and child not in tree
        )
    return sum(ticks.get(member, 0) for member in tree) / os.sysconf("SC_CLK_TCK")


async def _writer(
    client: aiohttp.ClientSession,
    session_id: str,
    deadline: float,
    cap: int,
    out: list[float],
    why: Counter[str],
) -> int:
    failures = 0
    for n in range(cap):
        if time.perf_counter() > deadline:
            break
        t0 = time.perf_counter()
        try:
            url = f"{API}/sessions/{session_id}/vitals"
            async with client.post(url, json=_reading(n)) as response:
                await response.read()
        except aiohttp.ClientError as exc:
            failures += 1
            why[type(exc).__name__] += 1
            continue
        if response.status == 201:
            out.append(time.perf_counter() - t0)
        else:
            failures += 1
            why[f"HTTP {response.status}"] += 1
    return failures


def _client(args: argparse.Namespace, headers: dict[str, str]) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    return aiohttp.ClientSession(
        base_url=args.url, headers=headers, connector=connector, timeout=timeout
    )


async def _writes(args: argparse.Namespace, headers: dict[str, str]) -> dict[str, float]:
    latencies: list[float] = []
    why: Counter[str] = Counter()
    async with _client(args, headers) as client:
        cpu_before = _cpu_s(args.server_pid)
        start = time.perf_counter()
        deadline = start + args.seconds
        sessions = args.sessions
        tasks = [
            _writer(client, sessions[i % len(sessions)], deadline, args.cap, latencies, why)
            for i in range(args.concurrency)
        ]
        failures = sum(await asyncio.gather(*tasks))
        elapsed = time.perf_counter() - start
        cpu_after = _cpu_s(args.server_pid)
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "writes": len(latencies),
        "failures": failures,
        "failure_kinds": dict(why),
        "seconds": elapsed,
        "writes_per_s": len(latencies) / elapsed,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "server_cpu_ms_per_write": (
            None
            if cpu_before is None or cpu_after is None
            else 1000 * (cpu_after - cpu_before) / len(latencies)
        ),
    }


async def _reads(args: argparse.Namespace, headers: dict[str, str]) -> dict[str, float]:
    ids = args.charts
    rng = random.Random(7)
    latencies: list[float] = []
    rows = 0
    async with _client(args, headers) as client:
        for _ in range(args.reads):
            t0 = time.perf_counter()
            async with client.get(f"{API}/sessions/{rng.choice(ids)}") as response:
                response.raise_for_status()
                chart = await response.json()
            latencies.append(time.perf_counter() - t0)
            rows += len(chart["vitals"])
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "reads": len(latencies),
        "vitals_per_chart": rows / len(latencies),
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("url", "token", "ids"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--cap", type=int, default=400)
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--server-pid", type=int, default=None, help="Measure its CPU per write.")
    args = parser.parse_args()
    ids = json.loads(Path(args.ids).read_text("utf-8"))
    args.sessions, args.charts = ids["sessions"], ids["charts"]
    headers = {"Authorization": f"Bearer {args.token}"}
    result = {
        "writes": asyncio.run(_writes(args, headers)),
        "reads": asyncio.run(_reads(args, headers)),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
