"""Which app may import which (docs/ARCHITECTURE.md), checked on the source of every module.

Every import counts, also those inside functions. The order from the bottom up:
bbb (no Django) < clubs < rooms.models < meetings < recordings < rooms (pages and flows) and events.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "accounts",
    "assemblies",
    "bbb",
    "clubs",
    "events",
    "herzdigital",
    "meetings",
    "operations",
    "pages",
    "recordings",
    "rooms",
)


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """The modules of ours that module ``name`` imports (``from pkg import sub`` counts as ``pkg.sub``)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _offending(importer: str, forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[str]:
    def matches(module: str, prefixes: tuple[str, ...]) -> bool:
        return any(module == p or module.startswith(p + ".") for p in prefixes)

    return sorted(
        f"{name} -> {target}"
        for name, targets in GRAPH.items()
        if matches(name, (importer,))
        for target in targets
        if matches(target, forbidden) and not matches(target, allowed)
    )


def test_clubs_imports_none_of_the_apps_above_it():
    assert _offending("clubs", ("rooms", "meetings", "recordings", "events")) == []


def test_meetings_uses_of_rooms_only_its_models_and_never_recordings():
    assert _offending("meetings", ("rooms", "recordings", "events"), allowed=("rooms.models",)) == []


def test_recordings_uses_of_rooms_only_its_models():
    assert _offending("recordings", ("rooms", "events"), allowed=("rooms.models",)) == []


def test_room_models_import_nothing_above_clubs():
    assert _offending("rooms.models", ("meetings", "recordings", "events")) == []


def test_bbb_imports_nothing_of_the_site():
    assert _offending("bbb", tuple(p for p in PACKAGES if p != "bbb")) == []


def test_no_two_modules_import_each_other_even_through_others():
    """No import cycle among our modules (e.g. events.services <-> events.tasks)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while (member := stack.pop()) != node:
                component.append(member)
            if component:
                cycles.append(sorted([node, *component]))

    for node in GRAPH:
        if node not in index:
            visit(node)
    assert cycles == []
