"""Browser journeys in Debian's Chromium (Playwright for Python, never a downloaded browser).

Fixtures: the site (pytest-django ``live_server``), the BBB simulator in a thread (``bbb_simulator``),
``browser`` / ``journey`` (a page with request log, screenshots and axe-core). Without /usr/bin/chromium the
journeys are skipped loudly; on CI (HD_STRICT=1) they fail instead.

Every journey stores screenshots (desktop 1280x900 and phone 360x740) under
``test-artifacts/screenshots/<journey>/``; the path and the number of pages axe-core checked are printed at the
end of the run. Every request the browser makes must go to 127.0.0.1.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import require_service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
LOCAL_HOSTS = {"127.0.0.1"}
ALLOWED_COOKIES = {"sessionid", "csrftoken", "django_language", "hd_guest"}  # hd_guest: rooms/access_codes.py

STATS = {"axe_pages": 0, "screenshots": 0, "journeys": set(), "skipped": ""}


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    if STATS["skipped"]:
        terminalreporter.write_sep("!", "BROWSER JOURNEYS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(f"  {STATS['skipped']} — install it with: apt-get install -y chromium")
        return
    if STATS["journeys"]:
        terminalreporter.write_sep("=", "browser journeys")
        terminalreporter.write_line(f"  journeys run: {', '.join(sorted(STATS['journeys']))}")
        terminalreporter.write_line(f"  screenshots: {STATS['screenshots']} under {ARTIFACTS}")
        terminalreporter.write_line(f"  axe-core: {STATS['axe_pages']} pages checked, no serious or critical violation")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    available = os.access(CHROMIUM, os.X_OK)
    if not available:
        STATS["skipped"] = f"{CHROMIUM} is missing"
    require_service(available, f"Chromium ({CHROMIUM}) for the browser journeys")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, while the tests' own ORM calls stay synchronous.
    # Allowed only while the browser runs (module scope), so that it never leaks into other tests' subprocesses.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class Journey:
    """One browser journey: its contexts, request log, screenshots and accessibility checks."""

    name: str
    browser: object
    base_url: str
    folder: Path
    requests: list[str] = field(default_factory=list)
    contexts: list[object] = field(default_factory=list)
    axe_checked: list[str] = field(default_factory=list)
    locale: str = "de-DE"
    counter: int = 0

    def new_page(self, *, phone: bool = False, locale: str | None = None):
        context = self.browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            locale=locale or self.locale,
            base_url=self.base_url,
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(15_000)
        context.on("request", lambda request: self.requests.append(request.url))
        self.contexts.append(context)
        return context.new_page()

    def shot(self, page, label: str) -> None:
        """Screenshot the page as it is, then at the other size (desktop <-> phone), then restore."""
        self.counter += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        current = page.viewport_size
        sizes = [("desktop", DESKTOP), ("phone", PHONE)]
        for kind, size in sizes:
            page.set_viewport_size(size)
            page.screenshot(path=str(self.folder / f"{self.counter:02d}-{slug}-{kind}.png"), full_page=True)
            STATS["screenshots"] += 1
        page.set_viewport_size(current)

    def check_accessibility(self, page, label: str = "") -> None:
        """axe-core (bundled by axe-playwright-python): no serious or critical violation."""
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(page)
        bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        details = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in bad]
        assert not bad, f"axe-core on {label or page.url}:\n" + "\n".join(details)
        self.axe_checked.append(page.url)
        STATS["axe_pages"] += 1

    def visit(self, page, path: str, label: str, *, axe: bool = True, shot: bool = True):
        response = page.goto(path)
        if axe:
            self.check_accessibility(page, label)
        if shot:
            self.shot(page, label)
        return response

    def outside_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(("data:", "blob:", "about:")) and
                urlsplit(url).hostname not in LOCAL_HOSTS]  # fmt: skip

    def cookie_names(self) -> set[str]:
        return {cookie["name"] for context in self.contexts for cookie in context.cookies()}


@pytest.fixture
def journey(request, browser, live_server) -> Iterator[Journey]:
    name = request.node.name.removeprefix("test_").replace("[", "-").rstrip("]")
    folder = ARTIFACTS / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    base_url = live_server.url.replace("localhost", "127.0.0.1")
    j = Journey(name=name, browser=browser, base_url=base_url, folder=folder)
    print(f"\nscreenshots of {name}: {folder}")
    yield j
    cookies = j.cookie_names()
    for context in j.contexts:
        context.close()
    STATS["journeys"].add(name)
    assert j.requests, "the browser made no request at all"
    assert j.outside_requests() == [], "requests left 127.0.0.1"
    assert cookies <= ALLOWED_COOKIES, f"cookies beyond the strictly necessary ones: {cookies - ALLOWED_COOKIES}"


@pytest.fixture
def bbb_simulator(db):
    """The bundled BBB simulator on a free local port, registered as the only enabled Server."""
    from bbb.simulator import Simulator, serve_in_thread
    from meetings.models import Server

    sim = Simulator(secret="e2e-secret", recording_delay=1.0)
    server, url = serve_in_thread(sim, host="127.0.0.1", port=0)
    Server.objects.update(enabled=False)
    row = Server.objects.create(name="simulator", api_url=f"{url}/bigbluebutton/api/", secret="e2e-secret")
    yield sim, row
    server.shutdown()
