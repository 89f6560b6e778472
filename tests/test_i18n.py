"""German first, English complete: both catalogues are complete and cover every translatable string.

The German catalogue is filled by scripts/fill_german_catalogue.py (German is the source language: msgstr = msgid);
the English one is translated by hand. After merging new code: `make messages`, the script, translate English.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = {lang: ROOT / "locale" / lang / "LC_MESSAGES" / "django.po" for lang in ("de", "en")}
SKIP_DIRS = {".venv", ".git", "var", "staticfiles", "locale", "test-artifacts", "node_modules", "__pycache__"}


def _entries(lang: str) -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(CATALOGUES[lang])) if not e.obsolete]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_catalogue_has_no_untranslated_or_fuzzy_entry(lang: str) -> None:
    po = polib.pofile(str(CATALOGUES[lang]))
    assert len(_entries(lang)) > 100
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_german_catalogue_is_the_source_text() -> None:
    formal = {e.msgid for e in polib.pofile(str(ROOT / "locale/de/allauth_formal.po"))}
    for entry in _entries("de"):
        if entry.msgid in formal:
            continue
        if entry.msgid_plural:
            assert entry.msgstr_plural == {0: entry.msgid, 1: entry.msgid_plural}
        else:
            assert entry.msgstr == entry.msgid


def test_english_catalogue_is_actually_english() -> None:
    """A translation copied from the German source is a missed translation (names and codes excepted)."""
    same_allowed = {"Deutsch", "English", "Name", "Status", "Details", "Server", "Person", "Video", "Audio"}
    same_allowed |= {"%(hours)d:%(minutes)02d h", "%(minutes)d min", "Home", "Version", "2FA"}
    copied = [e.msgid for e in _entries("en") if not e.msgid_plural and e.msgstr == e.msgid]
    assert [m for m in copied if m not in same_allowed] == []


def test_english_catalogue_keeps_every_placeholder() -> None:
    import re

    placeholder = re.compile(r"%\(\w+\)\d*[sd]|\{\w*\}")
    for entry in _entries("en"):
        if entry.msgid_plural:
            assert set(placeholder.findall(entry.msgid_plural)) == set(placeholder.findall(entry.msgstr_plural[1]))
        else:
            assert set(placeholder.findall(entry.msgid)) == set(placeholder.findall(entry.msgstr)), entry.msgid


def test_every_translatable_string_of_code_and_templates_is_in_the_catalogue(tmp_path: Path) -> None:
    """Run makemessages on a copy of the source tree and compare its strings with ours."""
    require_service(bool(shutil.which("xgettext") and shutil.which("msgfmt")), "GNU gettext (xgettext, msgfmt)")
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=lambda _dir, names: [n for n in names if n in SKIP_DIRS])
    (copy / "locale").mkdir()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="herzdigital.settings", VAR_DIR=str(tmp_path / "var"))
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-location", "--ignore", "tests/*"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    generated = {e.msgid for e in polib.pofile(str(copy / "locale/de/LC_MESSAGES/django.po"))}
    for lang in ("de", "en"):
        ours = {e.msgid for e in _entries(lang)}
        missing = sorted(generated - ours)
        assert missing == [], f"not in the {lang} catalogue (run `make messages`, then the fill script): {missing}"


@pytest.mark.django_db
def test_compiled_english_catalogue_is_used_by_the_site(fresh_catalogues) -> None:
    text = Client().get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Skip to content" in text
    assert "Video conferences for your club" in text
    text = Client().get(reverse("home"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Zum Inhalt springen" in text


def test_allauth_strings_address_people_formally_in_the_german_catalogue() -> None:
    import re

    formal = polib.pofile(str(ROOT / "locale/de/allauth_formal.po"))
    catalogue = {e.msgid: e.msgstr for e in _entries("de")}
    informal = re.compile(r"\b(du|Du|dein\w*|Dein\w*|dich|dir|Dir)\b")
    for entry in formal:
        assert catalogue.get(entry.msgid) == entry.msgstr, f"run scripts/fill_german_catalogue.py: {entry.msgid!r}"
        assert not informal.search(entry.msgstr), entry.msgstr


@pytest.fixture
def fresh_catalogues(settings) -> None:
    """Compile the catalogues now and make Django reload them (setting LOCALE_PATHS resets its caches)."""
    from django.core.management import call_command

    call_command("compile_translations", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)


@pytest.mark.django_db
def test_allauth_pages_say_sie(client: Client, fresh_catalogues) -> None:
    text = client.get(reverse("account_reset_password"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Geben Sie unten Ihre E-Mail-Adresse ein" in text
