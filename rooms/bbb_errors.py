"""What BBB's join errors mean, for the page a refused join lands on.

When bbb-web refuses a join it redirects the browser to the join URL's ``errorRedirectUrl`` (2.7+),
else the meeting's ``logoutURL``, else its own default page, adding
``errors=[{"key": …, "message": …}]`` (ApiController.groovy, ``respondWithRedirect``). We send both,
pointing at ``rooms:returned``; the same page greets people who simply left the meeting (logoutURL).
The query string comes from the browser, so it is parsed defensively and only known keys are
explained; BBB's own English message is never shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# messageKeys of bbb-web's join errors (contract §6) and what the person can do about them.
EXPLANATIONS = {
    "maxParticipantsReached": _(
        "Die Besprechung ist voll: Die höchste erlaubte Zahl an Teilnehmenden ist erreicht. "
        "Bitte versuchen Sie es später noch einmal oder wenden Sie sich an die Gastgeber."
    ),
    "guestDeniedAccess": _(
        "Eine Moderatorin oder ein Moderator hat Ihren Zutritt abgelehnt. Wenn das ein Versehen war, "
        "wenden Sie sich bitte an die Gastgeber."
    ),
    "mismatchCreateTimeParam": _(
        "Ihr Zugangslink gehört zu einer früheren Besprechung dieses Raums und gilt nicht mehr. "
        "Bitte treten Sie über die Raumseite neu bei."
    ),
    "invalidMeetingIdentifier": _(
        "Die Besprechung läuft nicht mehr: Sie wurde beendet oder ist abgelaufen. "
        "Auf der Raumseite sehen Sie, ob eine neue begonnen hat."
    ),
    "meetingForciblyEnded": _("Die Besprechung wurde beendet. Auf der Raumseite sehen Sie, ob eine neue begonnen hat."),
    "checksumError": _("Der Zugangslink ist ungültig oder unvollständig. Bitte treten Sie über die Raumseite neu bei."),
    "missingParamFullName": _("Zum Beitreten fehlte Ihr Name. Bitte treten Sie über die Raumseite neu bei."),
    "missingParamMeetingID": _("Der Zugangslink ist unvollständig. Bitte treten Sie über die Raumseite neu bei."),
    "Params required": _("Der Zugangslink ist unvollständig. Bitte treten Sie über die Raumseite neu bei."),
    "invalidPassword": _("Der Zugangslink ist ungültig. Bitte treten Sie über die Raumseite neu bei."),
}
UNKNOWN = _("Der Konferenzserver hat den Beitritt abgelehnt. Bitte versuchen Sie es über die Raumseite noch einmal.")
_MAX_PARAM = 4000  # a real errors= parameter is a few hundred characters


@dataclass(frozen=True)
class JoinProblem:
    key: str
    text: str


def join_problems(errors_param: str | None) -> list[JoinProblem]:
    """The explained errors of an ``errors=`` parameter; empty when there is none (the person left)."""
    if not errors_param:
        return []
    try:
        data = json.loads(errors_param[:_MAX_PARAM])
    except ValueError:
        data = None
    keys = [item.get("key") for item in data if isinstance(item, dict)] if isinstance(data, list) else []
    problems, seen = [], set()
    for key in keys:
        key = key if isinstance(key, str) and key in EXPLANATIONS else ""
        if key not in seen:
            seen.add(key)
            problems.append(JoinProblem(key=key, text=str(EXPLANATIONS.get(key, UNKNOWN))))
    return problems or [JoinProblem(key="", text=str(UNKNOWN))]
