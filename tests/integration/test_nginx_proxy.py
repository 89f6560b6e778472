"""Production settings behind a real nginx in front of gunicorn (finding 1 and 12, end to end).

The test writes its own nginx configuration into a temporary folder (pid, logs and temp paths
there too, so no root paths are needed) and starts nginx and gunicorn on free loopback ports.
Clients connect from different loopback addresses (127.0.0.2, 127.0.0.3, ...), so nginx sees
different peers and puts them into ``X-Forwarded-For`` as it does in production. nginx speaks
plain HTTP here and sets ``X-Forwarded-Proto: https`` itself - in production it terminates TLS
(deploy/nginx.conf); everything behind it is the same.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests import processes
from tests.conftest import require_service
from tests.factories import UserFactory
from tests.processes import ROOT

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "herzdigital.test"
PASSWORD = "correct-horse-battery"

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 128; }}
http {{
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name {host};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
        }}
    }}
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"process exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"port {port} did not open:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


class Client:
    """One browser: its own loopback source address and its own cookie jar."""

    def __init__(self, port: int, source: str) -> None:
        self.port, self.source = port, source
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def request(self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(self.source, 0))
        all_headers = {"Host": HOST, "Referer": f"https://{HOST}{path}", "Origin": f"https://{HOST}"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        conn.request(method, path, body=body.encode(), headers=all_headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response, text

    def login(self, email: str, password: str, headers: dict[str, str] | None = None) -> int:
        response, page = self.request("GET", "/konto/login/", headers=headers)
        assert response.status == 200, page[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        from urllib.parse import urlencode

        body = urlencode({"csrfmiddlewaretoken": token, "login": email, "password": password})
        response, page = self.request("POST", "/konto/login/", body=body, headers=headers)
        return response.status


@pytest.fixture
def production_site(transactional_db, tmp_path: Path) -> Iterator[int]:
    require_service(Path(NGINX).exists(), "nginx (Debian package nginx)")
    gunicorn_port, nginx_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        HERZDIGITAL_ENV="production",
        DJANGO_SETTINGS_MODULE="herzdigital.settings",
        SECRET_KEY="nginx-test-5a1f0c9b7e3d2a8f6e4c1b0d9a7f5e3c2b1a0f9e8d7c6b5a4",
        ALLOWED_HOSTS=HOST,
        SITE_URL=f"https://{HOST}",
        DATABASE_URL=processes.test_database_url(),
        VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        TRUSTED_PROXY_COUNT="1",
        TRUSTED_PROXY_IPS="127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{gunicorn_port}",
        GUNICORN_WORKERS="2",
        GUNICORN_THREADS="1",
        PYTHONPATH=str(ROOT),
    )
    # Production refuses the file broker and cache; a local Redis db of its own unless CI gave one.
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    gunicorn_log = tmp_path / "gunicorn.log"
    with open(gunicorn_log, "wb") as log:
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "herzdigital.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    conf = tmp_path / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp_path, port=nginx_port, upstream=gunicorn_port, host=HOST))
    nginx_log = tmp_path / "nginx-error.log"
    nginx_log.touch()
    nginx = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(tmp_path), "-e", str(nginx_log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(gunicorn_port, gunicorn, gunicorn_log)
        _wait_for(nginx_port, nginx, nginx_log)
        yield nginx_port, gunicorn_port
    finally:
        _stop(nginx)
        _stop(gunicorn)


def _owner() -> None:
    user = UserFactory(email="inhaberin@example.org")
    # The test settings hash with MD5; production only accepts its own hashers.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "nginxtestsalt", iterations=1000)
    user.save(update_fields=["password"])


def _fail_logins(client: Client, count: int, headers: dict[str, str] | None = None, start: int = 0) -> None:
    for n in range(start, start + count):
        assert client.login(f"fremd{n}@example.org", "falsch", headers=headers) == 200


@pytest.mark.integration
def test_production_settings_behind_nginx(production_site):
    nginx_port, gunicorn_port = production_site
    _owner()
    stranger = Client(nginx_port, "127.0.0.2")
    owner = Client(nginx_port, "127.0.0.3")

    # A stranger's failed logins exhaust the stranger's limit - even with a forged X-Forwarded-For.
    _fail_logins(stranger, 3)
    _fail_logins(stranger, 3, headers={"X-Forwarded-For": "198.51.100.77"}, start=3)
    assert stranger.login("inhaberin@example.org", PASSWORD) == 200, "the stranger's address is limited"
    assert stranger.login("inhaberin@example.org", PASSWORD, headers={"X-Forwarded-For": "203.0.113.1"}) == 200

    # The owner, from another address behind the same proxy, is not locked out.
    assert owner.login("inhaberin@example.org", PASSWORD) == 302

    # Directly at gunicorn (not through the trusted proxy) a forged header is ignored as well.
    direct = Client(gunicorn_port, "127.0.0.4")
    proto = {"X-Forwarded-Proto": "https"}
    for n in range(6):
        direct.login(f"direkt{n}@example.org", "falsch", headers={**proto, "X-Forwarded-For": f"10.9.8.{n}"})
    forged = {**proto, "X-Forwarded-For": "10.9.8.200"}
    assert direct.login("inhaberin@example.org", PASSWORD, headers=forged) == 200

    # Cookies and security headers of the production settings.
    cookies = {SimpleCookie(h).popitem()[0]: h.lower() for h in owner.set_cookie_headers}
    assert {"sessionid", "csrftoken"} <= set(cookies)
    for name, header in cookies.items():
        assert "; secure" in header, name
        assert "samesite=lax" in header, name
        assert "httponly" in header, name
    response, _page = owner.request("GET", "/konto/profil/")
    assert response.status == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert "no-store" in response.headers["Cache-Control"]
    # Plain HTTP straight to the app is sent to HTTPS.
    response, _page = Client(gunicorn_port, "127.0.0.5").request("GET", "/konto/login/")
    assert response.status == 301 and response.headers["Location"].startswith("https://")
