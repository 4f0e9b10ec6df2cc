"""The load benchmark's server CPU: a process's CPU time with that of its worker processes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from bench.load_client import _cpu_s

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")

_BUSY_THEN_WAIT = """
import sys, time
start = time.process_time()
while time.process_time() - start < 0.4:
    pass
print("busy", flush=True)
sys.stdin.read()
"""


def test_the_cpu_of_a_process_counts_its_children():
    parent = subprocess.Popen(  # a "server" whose worker burns 0.4 s of CPU, then waits
        [
            sys.executable,
            "-c",
            f"import subprocess, sys; subprocess.run([sys.executable, '-c', {_BUSY_THEN_WAIT!r}])",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        assert parent.stdout.readline() == "busy\n"
        time.sleep(0.05)  # let /proc catch up with the last tick

        counted = _cpu_s(parent.pid)
    finally:
        parent.communicate(input="", timeout=30)

    assert counted is not None
    assert 0.35 <= counted < 5  # the worker's 0.4 s, with the interpreters' start-up


def test_no_pid_gives_no_figure():
    assert _cpu_s(None) is None
