"""A server killed mid-write loses nothing it acknowledged, and its audit chain still verifies.

``ketapath serve`` runs as a real process on a free loopback port with a SQLite file; writer
threads register patients while the process is killed with SIGKILL (no shutdown, no flush);
the server is started again on the same file, and every registration that got a 2xx must be
there, with an intact audit trail.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from tests.api.conftest import PASSWORD, SECRET_KEY, new_patient

from ketapath.config import Settings
from ketapath.services.access.admin import upgrade_database
from ketapath.services.access.audit import verify_audit_chain
from ketapath.services.access.users import create_user
from ketapath.services.context import create_services
from ketapath.store.audit import SYSTEM
from ketapath.store.repositories import ClinicRepository

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]

WRITERS = 3
STARTUP_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _server(database_url: str, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "KETAPATH_ENVIRONMENT": "test", "KETAPATH_SECRET_KEY": SECRET_KEY}
    command = [
        sys.executable,
        "-c",
        "from ketapath.cli.main import main; main()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--database-url",
        database_url,
    ]
    with log.open("ab") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(process, port, log)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _wait_until_up(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"the server did not start within {STARTUP_TIMEOUT_S} s:\n{log.read_text()}")


def _sign_in(base_url: str, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{base_url}/api/v1/auth/token", data={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


class Writers:
    """Threads that register patients until the server stops answering."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self.base_url, self.headers = base_url, headers
        self.acknowledged: list[str] = []
        self.cut_off = 0
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._write, args=(n,), daemon=True) for n in range(WRITERS)
        ]

    def _write(self, writer: int) -> None:
        with httpx.Client(base_url=self.base_url, headers=self.headers, timeout=5.0) as client:
            for number in range(100_000):
                mrn = f"W{writer}-{number:06d}"
                try:
                    response = client.post("/api/v1/patients", json=new_patient(mrn=mrn))
                except httpx.TransportError:  # the server is gone: never acknowledged
                    with self.lock:
                        self.cut_off += 1
                    return
                if response.is_success:
                    with self.lock:
                        self.acknowledged.append(mrn)

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


def _prepare(database_url: str) -> None:
    settings = Settings(environment="test", database_url=database_url)
    upgrade_database(settings)
    services = create_services(settings)
    try:
        with services.unit_of_work() as session:
            clinic = ClinicRepository(session, SYSTEM).create("Pain Clinic North")
            for username, role in (("nurse.one", "nurse"), ("admin.one", "admin")):
                create_user(
                    session,
                    username=username,
                    full_name=username,
                    role=role,
                    password=PASSWORD,
                    clinic_id=clinic.id,
                )
    finally:
        services.dispose()


def test_sigkill_mid_write_loses_no_acknowledged_patient_and_keeps_the_chain(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    _prepare(database_url)
    port, log = _free_port(), tmp_path / "server.log"
    base_url = f"http://127.0.0.1:{port}"

    with _server(database_url, port, log) as server:
        writers = Writers(base_url, _sign_in(base_url, "nurse.one"))
        for thread in writers.threads:
            thread.start()
        deadline = time.monotonic() + 30
        while writers.count() < 40 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(server.pid, signal.SIGKILL)  # mid-write: the writers are still sending
        server.wait(timeout=30)
        for thread in writers.threads:
            thread.join(timeout=30)
    acknowledged = set(writers.acknowledged)
    assert len(acknowledged) >= 40
    assert writers.cut_off == WRITERS  # every writer was still writing when the server died

    with _server(database_url, port, log):
        nurse = _sign_in(base_url, "nurse.one")
        found: set[str] = set()
        for offset in range(0, len(acknowledged) + WRITERS + 200, 200):
            page = httpx.get(
                f"{base_url}/api/v1/patients?limit=200&offset={offset}", headers=nurse
            ).json()
            found.update(item["mrn"] for item in page["items"])
        verified = httpx.get(
            f"{base_url}/api/v1/audit/verify", headers=_sign_in(base_url, "admin.one")
        )

    assert acknowledged <= found
    assert verified.json()["ok"] is True, verified.json()
    assert verify_audit_chain(Settings(environment="test", database_url=database_url)).ok
