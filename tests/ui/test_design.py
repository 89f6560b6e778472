"""The design system: text colour pairs meet WCAG AA (4.5:1), and pages carry landmarks and a skip link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

CSS = (Path(__file__).resolve().parents[2] / "static/css/herzdigital.css").read_text()
VARS = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS))

# (text, background) pairs the stylesheet uses for text.
PAIRS = [
    ("ink", "bg"), ("ink", "card"), ("muted", "bg"), ("muted", "card"), ("red-dark", "card"), ("red-dark", "bg"),
    ("#ffffff", "red"), ("#ffffff", "red-dark"), ("#ffffff", "err"), ("ok", "ok-bg"), ("warn", "warn-bg"),
    ("err", "err-bg"), ("info", "info-bg"), ("ink", "#ececef"), ("#4a4a4f", "#ececef"), ("muted", "#fcfbfa"),
]  # fmt: skip


def _colour(name: str) -> str:
    return name if name.startswith("#") else VARS[name]


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(_colour(a)), _luminance(_colour(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_text_colours_have_at_least_aa_contrast(text: str, background: str) -> None:
    assert contrast(text, background) >= 4.5, f"{text} on {background}: {contrast(text, background):.2f}"


def test_focus_is_always_visible() -> None:
    assert ":focus-visible { outline: 3px solid var(--focus)" in CSS
    assert contrast("focus", "card") >= 3 and contrast("focus", "bg") >= 3


@pytest.mark.django_db
def test_pages_have_landmarks_skip_link_and_a_live_region() -> None:
    text = Client().get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<a class="skip-link" href="#main">' in text
    for landmark in ('<header class="site-header">', '<main id="main"', '<footer class="site-footer">', "<nav "):
        assert landmark in text
    assert 'role="status" aria-live="polite"' in text
    assert '<html lang="de">' in text


@pytest.mark.django_db
def test_no_page_loads_anything_from_another_host() -> None:
    text = Client().get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    for ref in re.findall(r'(?:src|href)="([^"]+)"', text):
        assert not re.match(r"^(https?:)?//", ref), ref
