"""bench/join.py runs end to end (small N) and prints its RESULT line with zero errors and BBB calls."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_service

BASE_DIR = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _figures(line: str) -> dict[str, str]:
    assert line.startswith("RESULT "), line
    return dict(item.split("=", 1) for item in line.split()[1:])


@pytest.mark.integration
def test_join_benchmark_runs_as_deployed_and_reports_zero_errors_and_zero_bbb_calls(tmp_path):
    """Both backends when PostgreSQL is configured (CI), else SQLite alone; production settings need Redis."""
    require_service(bool(os.environ.get("REDIS_URL")), "Redis (REDIS_URL=redis://...)")
    postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    command = [sys.executable, "bench/join.py", "--guests", "5", "--rounds", "2", "--repeat", "1", "--burst", "20"]
    command += ["--compare-orm"]
    command += ["--port", str(_free_port()), "--sim-port", str(_free_port())]
    command += ["--backends", "sqlite,postgres" if postgres else "sqlite"]
    env = {"PATH": "/usr/bin:/bin", "VAR_DIR": str(tmp_path), "REDIS_URL": os.environ["REDIS_URL"]}
    if postgres:
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    done = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    figures = _figures(done.stdout.strip().splitlines()[-1])
    assert figures["errors"] == "0" and figures["bbb_calls"] == "0" and figures["burst_errors"] == "0"
    for backend in ("sqlite", "postgres") if postgres else ("sqlite",):
        assert float(figures[f"rps_{backend}"]) > 0 and float(figures[f"ratio_{backend}"]) > 0
        # CPU is read from /proc in clock ticks (10 ms): a run this small may round the trivial view's share to 0.
        assert float(figures[f"cpu_ratio_{backend}"]) >= 0
    if not postgres:
        assert figures["ratio_postgres"] == "skipped"
    assert done.stdout.count("setup: BBB calls to start the meeting: 1 (create)") == (2 if postgres else 1)
    assert "db=sqlite cache=redis" in done.stdout
    # The ORM variant of the join lookup (--compare-orm) answered every join with the signed URL as well.
    compares = re.findall(
        r"^COMPARE backend=(\w+) site_rps=[\d.]+ orm_rps=([\d.]+) .* orm_errors=(\d+)$", done.stdout, re.M
    )
    assert [backend for backend, _rps, _errors in compares] == (["sqlite", "postgres"] if postgres else ["sqlite"])
    assert all(float(rps) > 0 and errors == "0" for _backend, rps, errors in compares)
