"""`make run`'s process set (web, worker, beat, simulator) serves / and a healthy /healthz quickly.

Runs the same steps as `make run` after the venv exists: migrate, compile translations, demo data,
prepare_run (writes var/Procfile), then honcho — on the embedded defaults (SQLite, file broker).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.processes import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.integration
def test_run_serves_home_and_healthy_healthz_within_90_seconds(tmp_path: Path):
    port, sim_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        VAR_DIR=str(tmp_path),
        PORT=str(port),
        BBB_SIMULATOR_PORT=str(sim_port),
        HEARTBEAT_INTERVAL="2",
        PYTHONUNBUFFERED="1",
    )
    started = time.monotonic()
    for step in (["migrate", "--noinput"], ["compile_translations"], ["load_demo"], ["prepare_run"]):
        subprocess.run([sys.executable, "manage.py", *step], cwd=ROOT, env=env, check=True, capture_output=True)
    honcho = Path(sys.executable).parent / "honcho"
    log = open(tmp_path / "run.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(honcho), "-f", str(tmp_path / "Procfile"), "-d", str(ROOT), "start"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        healthy = None
        while time.monotonic() - started < 90:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                if response.status_code == 200:
                    healthy = response.json()
                    break
            except requests.RequestException:
                pass
            time.sleep(1)
        elapsed = time.monotonic() - started
        assert healthy is not None, (tmp_path / "run.log").read_text()[-3000:]
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
        procfile = (tmp_path / "Procfile").read_text()
        assert "bbb:" in procfile  # no BBB_URL configured: the simulator runs too
        print(f"make run processes healthy after {elapsed:.1f}s")
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
