"""Every URL of the site before the house split still answers, now served by the app that owns it.

The split moved views into ``meetings`` and ``recordings`` and gave them their own URL namespaces;
the paths stayed. These are the paths of the old ``rooms`` namespace (links in sent emails, bookmarks,
BBB's stored callback URLs), each with the name it resolves to now.
"""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

OLD_PATHS = [
    ("/c/verein/raeume/", "rooms:list"),
    ("/c/verein/raeume/neu/", "rooms:create"),
    ("/c/verein/raeume/7/", "rooms:detail"),
    ("/c/verein/raeume/7/bearbeiten/", "rooms:edit"),
    ("/c/verein/raeume/7/codes/", "rooms:codes"),
    ("/c/verein/raeume/7/loeschen/", "rooms:delete"),
    ("/c/verein/raeume/7/starten/", "rooms:start"),
    ("/c/verein/raeume/7/beenden/", "rooms:end"),
    ("/r/kxm-pqt-wzb-fhd/", "rooms:public"),
    ("/r/kxm-pqt-wzb-fhd/beitreten/", "rooms:join"),
    ("/r/kxm-pqt-wzb-fhd/warten/", "rooms:waiting"),
    ("/r/kxm-pqt-wzb-fhd/status/", "rooms:status"),
    ("/c/verein/statistik/", "meetings:statistics"),
    ("/bbb/callback/ende/tok.en/", "meetings:callback_end"),
    ("/bbb/callback/aufzeichnung/3/", "recordings:callback_ready"),
    ("/c/verein/aufzeichnungen/", "recordings:list"),
    ("/c/verein/aufzeichnungen/raum/kxm-pqt-wzb-fhd/", "recordings:room"),
    ("/c/verein/aufzeichnungen/5/umbenennen/", "recordings:rename"),
    ("/c/verein/aufzeichnungen/5/veroeffentlichen/", "recordings:publish"),
    ("/c/verein/aufzeichnungen/5/schuetzen/", "recordings:protect"),
    ("/c/verein/aufzeichnungen/5/loeschen/", "recordings:delete"),
]


@pytest.mark.parametrize(("path", "name"), OLD_PATHS)
def test_the_old_path_resolves_to_the_view_of_its_new_app(path, name):
    match = resolve(path)

    assert match.view_name == name
    assert reverse(name, kwargs=match.kwargs) == path
    app = name.split(":")[0]
    assert match.func.__module__.split(".")[0] == app
