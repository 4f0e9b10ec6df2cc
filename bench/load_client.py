"""The load generator: a second process that drives a running KetaPath server on loopback.

Run by `bench.api_load`; bounded in count and time. Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

API = "/api/v1"


def _reading() -> dict[str, object]:
    return {
        "taken_at": datetime.now(UTC).isoformat(),
        "sbp_mmhg": 122,
        "dbp_mmhg": 76,
        "hr_bpm": 72,
        "rr_per_min": 14,
        "spo2_pct": 98,
    }


async def _writer(
    client: httpx.AsyncClient, session_id: str, deadline: float, cap: int, out: list[float]
) -> int:
    failures = 0
    for _ in range(cap):
        if time.perf_counter() > deadline:
            break
        t0 = time.perf_counter()
        try:
            response = await client.post(f"{API}/sessions/{session_id}/vitals", json=_reading())
        except httpx.HTTPError:
            failures += 1
            continue
        if response.status_code == 201:
            out.append(time.perf_counter() - t0)
        else:
            failures += 1
    return failures


async def _writes(args: argparse.Namespace, headers: dict[str, str]) -> dict[str, float]:
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(
        base_url=args.url, headers=headers, limits=limits, timeout=30
    ) as client:
        start = time.perf_counter()
        deadline = start + args.seconds
        sessions = args.sessions
        tasks = [
            _writer(client, sessions[i % len(sessions)], deadline, args.cap, latencies)
            for i in range(args.concurrency)
        ]
        failures = sum(await asyncio.gather(*tasks))
        elapsed = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "writes": len(latencies),
        "failures": failures,
        "seconds": elapsed,
        "writes_per_s": len(latencies) / elapsed,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
    }


async def _reads(args: argparse.Namespace, headers: dict[str, str]) -> dict[str, float]:
    ids = args.charts
    rng = random.Random(7)
    latencies: list[float] = []
    rows = 0
    async with httpx.AsyncClient(base_url=args.url, headers=headers, timeout=30) as client:
        for _ in range(args.reads):
            t0 = time.perf_counter()
            response = await client.get(f"{API}/sessions/{rng.choice(ids)}")
            latencies.append(time.perf_counter() - t0)
            response.raise_for_status()
            rows += len(response.json()["vitals"])
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
