"""`make run`'s process set (web, worker, beat, simulator) serves / and a healthy /healthz quickly.

Runs the same steps as `make run` after the venv exists: migrate, compile translations, demo data,
prepare_run (writes var/Procfile), then honcho — on the embedded defaults (SQLite, file broker), with the
default heartbeat interval (30 s), as a newcomer would. Then stops it the way Ctrl-C in a terminal does.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.processes import ROOT

# Beat sends its first heartbeat when it starts, so the processes are healthy well before one interval.
HEALTHY_WITHIN_SECONDS = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.integration
def test_run_is_healthy_at_once_mails_link_to_the_web_and_stops_cleanly_on_ctrl_c(tmp_path: Path):
    port, sim_port = _free_port(), _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "SITE_URL", "HEARTBEAT_INTERVAL"}
    }
    env.update(VAR_DIR=str(tmp_path), PORT=str(port), BBB_SIMULATOR_PORT=str(sim_port), PYTHONUNBUFFERED="1")
    for step in (["migrate", "--noinput"], ["compile_translations"], ["load_demo"], ["prepare_run"]):
        subprocess.run([sys.executable, "manage.py", *step], cwd=ROOT, env=env, check=True, capture_output=True)
    honcho = Path(sys.executable).parent / "honcho"
    log_path = tmp_path / "run.log"
    log = open(log_path, "wb")  # noqa: SIM115
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(honcho), "-f", str(tmp_path / "Procfile"), "-d", str(ROOT), "start"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    stopped_cleanly = False
    try:
        healthy, probes = None, []
        while time.monotonic() - started < 90:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                probes.append(response.status_code)
                if response.status_code == 200:
                    healthy = response.json()
                    break
            except requests.RequestException:
                pass
            time.sleep(0.25)
        elapsed = time.monotonic() - started
        assert healthy is not None, log_path.read_text()[-3000:]
        print(f"make run processes healthy after {elapsed:.1f}s (probes: {probes})")
        assert elapsed < HEALTHY_WITHIN_SECONDS, f"healthy only after {elapsed:.1f}s"
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
        procfile = (tmp_path / "Procfile").read_text()
        assert "bbb:" in procfile  # no BBB_URL configured: the simulator runs too

        # Every process gets the web's URL, although honcho hands each its own PORT.
        site_url = f"http://127.0.0.1:{port}"
        assert all(f"SITE_URL={site_url} " in line for line in procfile.splitlines() if not line.startswith("bbb:"))
        text = log_path.read_text()
        assert f"links in emails point to {site_url}" in text, text[-3000:]
        # Probes during the start may see 503; they are not logged as errors.
        assert not re.search(r"ERROR django\.request: Service Unavailable: /healthz", text)

        # Ctrl-C in a terminal: SIGINT to honcho's process group. Every process stops by itself, no SIGKILL.
        stop_started = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=20)
        stopped_cleanly = True
        stop_seconds = time.monotonic() - stop_started
        text = log_path.read_text()
        print(f"make run stopped {stop_seconds:.1f}s after Ctrl-C")
        assert "SIGKILL" not in text, text[-3000:]
        assert all(f"{name}.1 stopped" in text for name in ("web", "worker", "beat", "bbb")), text[-3000:]
        # honcho SIGKILLs whatever still runs 5 s after Ctrl-C: no "SIGKILL" above means everything stopped in time.
    finally:
        if not stopped_cleanly:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()
