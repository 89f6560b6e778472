"""The shape rules of docs/ARCHITECTURE.md that a machine can check: thin views, short modules."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
OUR_APPS = (
    "accounts",
    "assemblies",
    "clubs",
    "rooms",
    "meetings",
    "recordings",
    "events",
    "operations",
    "pages",
    "herzdigital",
)
MAX_VIEW_LINES = 30
MAX_MODULE_LINES = 600


def _views(resolver: URLResolver) -> Iterator[object]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def _innermost(view: object) -> object:
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return getattr(view, "view_class", view)


def test_no_view_of_ours_is_longer_than_30_lines():
    long_views = {}
    for view in _views(get_resolver()):
        func = _innermost(view)
        if not (getattr(func, "__module__", "") or "").startswith(OUR_APPS):
            continue
        lines, _start = inspect.getsourcelines(func)
        body = [line for line in lines if not line.lstrip().startswith("@")]  # decorators do not count
        if len(body) > MAX_VIEW_LINES:
            long_views[f"{func.__module__}.{func.__qualname__}"] = len(body)
    assert long_views == {}


def test_no_module_outside_tests_and_migrations_is_longer_than_600_lines():
    long_modules = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"tests", ".venv", "var", "node_modules"} or "migrations" in relative.parts:
            continue
        count = len(path.read_text().splitlines())
        if count > MAX_MODULE_LINES:
            long_modules[str(relative)] = count
    assert long_modules == {}
