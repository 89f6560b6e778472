"""bench/vote.py runs end to end (small N): every member's ballot is counted, no errors, no BBB calls."""

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
@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_vote_benchmark_counts_every_ballot_without_bbb_calls(tmp_path, secret):
    command = [sys.executable, "bench/vote.py", "--voters", "6", "--window", "1"]
    command += ["--port", str(_free_port()), "--sim-port", str(_free_port())] + (["--secret"] if secret else [])
    env = {"PATH": "/usr/bin:/bin", "VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    done = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    match = re.fullmatch(r"RESULT voters=(\d+) p95_ms=([\d.]+) errors=(\d+) bbb_calls=(\d+)", last)
    assert match, last
    assert match.group(1) == "6" and match.group(3) == "0" and match.group(4) == "0"
    assert float(match.group(2)) > 0
    assert "ballots=6 " in done.stdout
