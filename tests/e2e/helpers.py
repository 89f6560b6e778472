"""Small helpers shared by the browser journeys."""

from __future__ import annotations

import re

from django.utils import translation

PASSWORD = "correct-horse-battery"


def tr(lang: str, text: str) -> str:
    """The label the site shows in ``lang`` for the German source text (from the compiled catalogue)."""
    with translation.override(lang):
        return translation.gettext(text)


def exact(lang: str, text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(tr(lang, text))}\s*$")


def login(page, lang: str, email: str, password: str = PASSWORD) -> None:
    page.goto("/konto/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form.allauth-form button[type=submit]").click()


def mail_link(message, path_pattern: str) -> str:
    """The path of the first link in an email whose path matches ``path_pattern``."""
    match = re.search(rf"https?://[^/\s]+({path_pattern}[^\s\"<>]*)", message.body)
    assert match, f"no link matching {path_pattern} in: {message.body}"
    return match.group(1)
