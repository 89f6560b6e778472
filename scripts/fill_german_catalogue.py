#!/usr/bin/env python3
"""Fill the German catalogue: German is the source language, so every msgstr is its msgid.

Run after `make messages` (more strings arrive whenever another branch merges):

    .venv/bin/python scripts/fill_german_catalogue.py            # fill locale/de/LC_MESSAGES/*.po
    .venv/bin/python scripts/fill_german_catalogue.py --check    # exit 1 if an entry is empty or fuzzy

It also drops the "fuzzy" flag makemessages puts on guessed entries (a German guess is never right when the
source is German) and removes obsolete entries. The English catalogue is translated by hand; `--check` lists its
untranslated and fuzzy entries too.

django-allauth's own German catalogue addresses people with "du"; we address them with "Sie" everywhere.
``locale/de/allauth_formal.po`` holds formal translations of those allauth strings; they are merged into the
German catalogue here (a project catalogue takes precedence over an app's), marked with FORMAL_COMMENT.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
FORMAL = LOCALE / "de" / "allauth_formal.po"
FORMAL_COMMENT = "Formal (Sie) translation of a django-allauth string, from locale/de/allauth_formal.po"


def formal_overrides() -> dict[str, str]:
    return {e.msgid: e.msgstr for e in polib.pofile(str(FORMAL))} if FORMAL.exists() else {}


def fill_german(path: Path) -> int:
    """Set msgstr = msgid on every German entry that is empty or fuzzy; return the number changed."""
    po = polib.pofile(str(path), wrapwidth=0)
    formal = formal_overrides()
    changed = 0
    for entry in po:
        if entry.obsolete or entry.msgid in formal:
            continue
        is_fuzzy = "fuzzy" in entry.flags
        if entry.msgid_plural:
            wanted = {0: entry.msgid, 1: entry.msgid_plural}
            if is_fuzzy or entry.msgstr_plural != wanted:
                entry.msgstr_plural = wanted
                changed += 1
        elif is_fuzzy or entry.msgstr != entry.msgid:
            entry.msgstr = entry.msgid
            changed += 1
        if is_fuzzy:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    for entry in po.obsolete_entries():
        if entry.msgid in formal:
            entry.obsolete = False  # makemessages does not see allauth's templates; keep the override
        else:
            po.remove(entry)
    for msgid, msgstr in formal.items():
        entry = po.find(msgid)
        if entry is None:
            entry = polib.POEntry(msgid=msgid)
            po.append(entry)
            changed += 1
        entry.msgstr, entry.tcomment, entry.flags = msgstr, FORMAL_COMMENT, []
    po.metadata["Language"] = "de"
    po.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save(str(path))
    return changed


def problems(path: Path) -> list[str]:
    """Untranslated and fuzzy entries of a catalogue, as readable lines."""
    po = polib.pofile(str(path))
    found = [f"{path.relative_to(ROOT)}: untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
    found += [f"{path.relative_to(ROOT)}: fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report; exit 1 on any untranslated/fuzzy entry")
    args = parser.parse_args()
    if args.check:
        lines = [line for path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")) for line in problems(path)]
        print("\n".join(lines) or "all catalogues complete")
        return 1 if lines else 0
    for path in sorted((LOCALE / "de" / "LC_MESSAGES").glob("*.po")):
        print(f"{path.relative_to(ROOT)}: {fill_german(path)} entries filled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
