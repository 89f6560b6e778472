"""The README's operations and configuration tables list every command and every setting."""

from __future__ import annotations

import re

from tests.processes import ROOT

README = (ROOT / "README.md").read_text()


def test_readme_lists_every_management_command_of_ours():
    commands = {
        path.stem
        for path in ROOT.glob("*/management/commands/*.py")
        if path.stem != "__init__" and ".venv" not in path.parts
    }
    assert commands
    missing = sorted(name for name in commands if f"manage.py {name}" not in README)
    assert missing == []


def test_readme_lists_every_setting_of_env_example():
    variables = re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    wildcards = [w.rstrip("*") for w in re.findall(r"`([A-Z_]+\*)`", README)]
    missing = [v for v in variables if v not in README and not any(v.startswith(w) for w in wildcards)]
    assert missing == []
