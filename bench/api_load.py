"""`python -m bench.api_load`: the REST API under load, on SQLite and on PostgreSQL.

For each database: a fresh schema (Alembic), 10,000 patients with one session each and 100 vital
signs per session (1,000,000 rows, bulk-inserted); then, for one and for two server processes,
the real server (`ketapath serve --workers N`) on a free loopback port, 50 live sessions opened
through the API, and a second process (`bench.load_client`) that sends vital-sign writes from 50
concurrent clients for 10 s (at most 400 per client; a MOAA/S score with every third reading)
and reads 300 random session charts. Targets on a 2-core machine: >= 500 writes/s with
p99 < 100 ms; chart read p95 < 100 ms.

The reference measured in the same run is the same write made by one thread calling the
services in process (no HTTP, no concurrency) on the same database: the ratio says what the
server, the network stack and the concurrency add to, or take from, the use case itself.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import insert, select

from bench.load_client import SEDATION_EVERY
from ketapath.clinical.observations import SedationScore
from ketapath.clinical.records import VitalSigns
from ketapath.config import load_settings
from ketapath.services.access.users import create_user
from ketapath.services.care import sessions
from ketapath.services.context import RequestContext, UserRole, create_services
from ketapath.store.audit import SYSTEM
from ketapath.store.migrate import upgrade
from ketapath.store.repositories.user import ClinicRepository
from ketapath.store.tables.people import Patient, User
from ketapath.store.tables.session import TreatmentSession, VitalSignsEntry

WORKERS = (1, 2)
N_PATIENTS = 10_000
VITALS_PER_SESSION = 100
LIVE_SESSIONS = 50
PASSWORD = "bench-password-long-enough"
SECRET = "bench-secret-key-0123456789abcdef-0123456789"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
API = "/api/v1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        return
    name = f"ketapath_bench_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _seed(url: str, progress: Progress) -> list[str]:
    """Users, and 10,000 patients with one session of 100 vital signs each; session ids back."""
    settings = load_settings(database_url=url, secret_key=SECRET)
    services = create_services(settings)
    with services.unit_of_work() as s:
        clinic = ClinicRepository(s, SYSTEM).create("Bench clinic")
        users = {
            role: create_user(
                s,
                username=f"bench.{role}",
                full_name=f"Bench {role}",
                role=role,
                password=PASSWORD,
                clinic_id=clinic.id,
            )
            for role in ("physician", "nurse")
        }
    nurse = users["nurse"].id
    start = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    session_ids = []
    task = progress.add_task("seeding 1,000,000 vital signs", total=N_PATIENTS)
    for batch in range(0, N_PATIENTS, 500):
        patients, sessions, vitals = [], [], []
        for i in range(batch, batch + 500):
            pid, sid = uuid.uuid4(), uuid.uuid4()
            session_ids.append(str(sid))
            at = start + timedelta(days=i % 180)
            patients.append(
                {
                    "id": pid,
                    "clinic_id": clinic.id,
                    "mrn": f"B{i:06d}",
                    "given_name": "Bench",
                    "family_name": f"Patient {i}",
                    "birth_date": date(1970, 1, 1) + timedelta(days=i),
                    "sex": "female",
                    "created_by": nurse,
                }
            )
            sessions.append(
                {
                    "id": sid,
                    "patient_id": pid,
                    "recorded_by": nurse,
                    "plan_id": None,
                    "chair": "Chair 1",
                    "care_area": "outpatient_infusion_clinic",
                    "status": "completed",
                    "started_at": at,
                    "stopped_at": at + timedelta(hours=4),
                    "stop_reason": "completed",
                }
            )
            vitals.extend(
                {
                    "id": uuid.uuid4(),
                    "patient_id": pid,
                    "session_id": sid,
                    "recorded_by": nurse,
                    "taken_at": at + timedelta(minutes=2 * k),
                    "sbp_mmhg": 120.0,
                    "dbp_mmhg": 75.0,
                    "hr_bpm": 70.0,
                    "rr_per_min": 14.0,
                    "spo2_pct": 98.0,
                    "temperature_c": None,
                }
                for k in range(VITALS_PER_SESSION)
            )
        with services.unit_of_work() as s:
            s.execute(insert(Patient), patients)
            s.execute(insert(TreatmentSession), sessions)
            s.execute(insert(VitalSignsEntry), vitals)
        progress.advance(task, 500)
    return session_ids


@contextmanager
def _server(url: str, workers: int) -> Iterator[tuple[str, int]]:
    """A live server on a free loopback port: its base URL and its process id."""
    port = _free_port()
    env = dict(os.environ, KETAPATH_DATABASE_URL=url, KETAPATH_SECRET_KEY=SECRET)
    command = ["serve", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("ketapath")), *command],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/openapi.json", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _token(client: httpx.Client, role: str) -> str:
    r = client.post(f"{API}/auth/token", json={"username": f"bench.{role}", "password": PASSWORD})
    r.raise_for_status()
    return str(r.json()["access_token"])


def _live_sessions(base: str, prefix: str) -> tuple[str, list[str]]:
    """Open 50 sessions through the API (register, weigh, plan, sign, start); nurse token back."""
    with httpx.Client(base_url=base, timeout=30) as c:
        nurse = {"Authorization": f"Bearer {_token(c, 'nurse')}"}
        doctor = {"Authorization": f"Bearer {_token(c, 'physician')}"}
        ids = []
        now = datetime.now(UTC).isoformat()
        for i in range(LIVE_SESSIONS):
            body = {
                "mrn": f"{prefix}{i:03d}",
                "given_name": "Live",
                "family_name": f"Patient {i}",
                "birth_date": "1975-03-01",
                "sex": "male",
            }
            pid = (
                c.post(f"{API}/patients", json=body, headers=nurse).raise_for_status().json()["id"]
            )
            for path, item in (
                ("measurements", {"measured_at": now, "weight_kg": 75.0}),
                ("conditions", {"concept": "crps", "status": "active"}),
            ):
                c.post(f"{API}/patients/{pid}/{path}", json=item, headers=nurse).raise_for_status()
            plan = (
                c.post(
                    f"{API}/patients/{pid}/plans",
                    headers=doctor,
                    json={
                        "protocol": "outpatient_crps",
                        "care_area": "outpatient_infusion_clinic",
                    },
                )
                .raise_for_status()
                .json()
            )
            for order in plan["orders"]:
                for f in order["findings"]:
                    c.post(
                        f"{API}/plans/{plan['id']}/findings/{f['id']}/override",
                        json={"reason": "bench"},
                        headers=doctor,
                    ).raise_for_status()
            c.post(f"{API}/plans/{plan['id']}/sign", headers=doctor).raise_for_status()
            baseline = {
                "taken_at": now,
                "sbp_mmhg": 120,
                "dbp_mmhg": 75,
                "hr_bpm": 70,
                "rr_per_min": 14,
                "spo2_pct": 98,
            }
            started = c.post(
                f"{API}/plans/{plan['id']}/sessions",
                headers=nurse,
                json={"chair": "Chair 2", "baseline": baseline},
            )
            ids.append(started.raise_for_status().json()["session"]["id"])
        return nurse["Authorization"].removeprefix("Bearer "), ids


def _load(
    url: str, workers: int, charts: list[str]
) -> tuple[dict[str, dict[str, float]], list[str]]:
    """The load client's figures, and the ids of the live sessions it wrote to."""
    with _server(url, workers) as (base, pid):
        token, live = _live_sessions(base, prefix=f"LIVE{workers}-")
        ids = Path(tempfile.mkdtemp()) / "ids.json"
        ids.write_text(json.dumps({"sessions": live, "charts": charts[:2000]}), "utf-8")
        command = ["-m", "bench.load_client", "--url", base, "--token", token, "--ids", str(ids)]
        command += ["--server-pid", str(pid)]
        out = subprocess.run(
            [sys.executable, *command], capture_output=True, text=True, check=False, timeout=300
        )
        if out.returncode != 0:
            raise RuntimeError(f"the load client failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout)), live


def _reference(url: str, session_ids: list[str], writes: int = 300) -> float:
    """Vital-sign writes per second made by one thread calling the services in process."""
    services = create_services(load_settings(database_url=url, secret_key=SECRET))
    try:
        with services.read_only() as s:
            nurse = s.execute(select(User).where(User.username == "bench.nurse")).scalar_one()
            context = RequestContext(
                user_id=nurse.id,
                username=nurse.username,
                role=UserRole.NURSE,
                clinic_id=nurse.clinic_id,
                client_address="127.0.0.1",
            )
        start = time.perf_counter()
        for n in range(writes):
            now = datetime.now(UTC)
            sessions.record_vitals(
                services,
                context,
                session_id=uuid.UUID(session_ids[n % len(session_ids)]),
                vitals=VitalSigns(
                    time=now, sbp_mmhg=122, dbp_mmhg=76, hr_bpm=72, rr_per_min=14, spo2_pct=98
                ),
                sedation=SedationScore(time=now, moaas=5) if n % SEDATION_EVERY == 0 else None,
            )
        return writes / (time.perf_counter() - start)
    finally:
        services.dispose()


def run(backend: str, console: Console) -> list[dict[str, float]]:
    """Seed `backend`, load it with one then two server processes; one row per run."""
    rows = []
    with _database(backend) as url:
        upgrade(url)
        with Progress(console=console, transient=True) as progress:
            charts = _seed(url, progress)
        for workers in WORKERS:
            console.print(f"  {backend}: {workers} server process(es) under load ...")
            result, live = _load(url, workers, charts)
            reference = _reference(url, live)
            w, c = result["writes"], result["reads"]
            rows.append(
                {
                    "workers": workers,
                    **{f"write_{k}": v for k, v in w.items()},
                    **{f"read_{k}": v for k, v in c.items()},
                    "reference_writes_per_s": reference,
                }
            )
    return rows


def _shown(value: float | None, spec: str) -> str:
    return "n/a" if value is None else spec.format(value)


def main() -> None:
    console = Console(highlight=False, width=160)
    table = Table(title="KetaPath REST API under load (this machine, this run)")
    columns = (
        "database", "server processes", "vitals writes/s", "p50 ms", "p99 ms", "failed",
        "server CPU ms/write", "in-process writes/s (1 thread)", "ratio", "chart read p50 ms",
        "chart read p95 ms", "vitals per chart",
    )  # fmt: skip
    for col in columns:
        table.add_column(col, justify="right")
    failed = []
    for backend in ("sqlite", "postgresql"):
        console.print(f"running {backend} ...")
        for r in run(backend, console):
            if r["write_failure_kinds"]:
                failed.append(
                    f"{backend}, {r['workers']:.0f} process(es): {r['write_failure_kinds']}"
                )
            table.add_row(
                backend,
                f"{r['workers']:.0f}",
                f"{r['write_writes_per_s']:.0f}",
                f"{r['write_p50_ms']:.1f}",
                f"{r['write_p99_ms']:.1f}",
                f"{r['write_failures']:.0f}",
                _shown(r["write_server_cpu_ms_per_write"], "{:.2f}"),
                f"{r['reference_writes_per_s']:.0f}",
                f"{r['write_writes_per_s'] / r['reference_writes_per_s']:.2f}",
                f"{r['read_p50_ms']:.1f}",
                f"{r['read_p95_ms']:.1f}",
                f"{r['read_vitals_per_chart']:.0f}",
            )
    console.print(table)
    for line in failed:
        console.print(f"failed writes, by kind: {line}")
    console.print(
        "Targets on 2 cores: >= 500 writes/s with p99 < 100 ms; chart read p95 < 100 ms. "
        "Ratio: writes/s over HTTP with 50 clients / writes/s of one thread in process. Server "
        "CPU: the server processes' CPU time (user + system) over the writes (Linux only)."
    )


if __name__ == "__main__":
    main()
