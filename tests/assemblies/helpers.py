"""Small helpers of the assembly tests (the fixtures are in conftest.py)."""

from __future__ import annotations

from assemblies.models import Motion


def option(motion: Motion, label: str) -> int:
    """The id of the motion's answer ``label`` (stored German: Ja / Nein / Enthaltung or the chair's own)."""
    return motion.options.get(label=label).pk
