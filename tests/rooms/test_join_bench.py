"""bench/join.py runs end to end (small N, with the ORM comparison) and prints RESULT with zero errors and BBB calls."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.integration
def test_join_benchmark_runs_and_reports_zero_errors_and_zero_bbb_calls(tmp_path):
    command = [sys.executable, "bench/join.py", "--guests", "5", "--rounds", "2", "--repeat", "1", "--compare-orm"]
    command += ["--port", str(_free_port()), "--sim-port", str(_free_port())]
    env = {"PATH": "/usr/bin:/bin", "VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    done = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    match = re.fullmatch(
        r"RESULT rps=([\d.]+) p50_ms=([\d.]+) p95_ms=([\d.]+) errors=(\d+) bbb_calls=(\d+) "
        r"baseline_rps=([\d.]+) ratio=([\d.]+)",
        last,
    )
    assert match, last
    assert match.group(4) == "0" and match.group(5) == "0"
    assert float(match.group(1)) > 0 and float(match.group(6)) > 0
    assert "setup: BBB calls to start the meeting: 1 (create)" in done.stdout
    # The ORM variant of the join lookup answered every join with the signed URL as well.
    compare = re.search(r"^COMPARE site_rps=([\d.]+) orm_rps=([\d.]+) .* orm_errors=(\d+)$", done.stdout, re.M)
    assert compare, done.stdout
    assert float(compare.group(2)) > 0 and compare.group(3) == "0"
