"""No mail template signs with a hard-coded service name (issue 16, item 7): all use {% mail_signature %}."""

from __future__ import annotations

from tests.processes import ROOT


def test_every_mail_template_signs_with_the_configurable_signature():
    bodies = [
        p
        for p in (ROOT / "templates").rglob("*.txt")
        if "/email/" in str(p) and not p.name.endswith("_subject.txt") and "ics_description" not in p.name
    ]
    assert len(bodies) > 20
    for path in bodies:
        text = path.read_text()
        assert "herzdigital-Team" not in text, path
        if "{% extends" not in text and "include" not in path.parts[-2]:
            assert "{% mail_signature %}" in text, f"{path} has no signature"
