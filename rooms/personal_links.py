"""Personal join links: one per named person, with a fixed display name, a role and an expiry.

The service other parts call (events for invitees, the general assembly later):

- ``personal_link_create(room=, actor=, name=, role=, expires_at=, email=, user=)`` -> PersonalLink
- ``personal_link_resolve(token=)`` -> PersonalLink, or ``PersonalLinkInvalid`` with the German sentence
  the person sees (expired, revoked, club inactive); ``PersonalLink.DoesNotExist`` for unknown tokens
- ``personal_link_revoke(link=, actor=)`` (idempotent)
- ``personal_link_url(link)``, ``personal_link_join_decision(link)``

A personal link admits its person directly (no lobby: the host invited them by name) and also into a
members-only room. Page views only read: resolving a link writes nothing; joining notes ``last_used_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clubs.audit import audit_log
from clubs.models import Club
from meetings.callbacks import absolute_url
from rooms.models import PersonalLink, Room

NAME_MIN, NAME_MAX = 2, 100


class PersonalLinkInvalid(Exception):
    """The link exists but may not be used (any more); ``message`` tells the person why and what to do."""

    def __init__(self, message: str, *, reason: str, link: PersonalLink):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.link = link


@dataclass(frozen=True)
class LinkProblem:
    field: str
    message: str


class PersonalLinkRefused(ValueError):
    """Bad input to ``personal_link_create``; nothing was written. ``problems`` name field and sentence."""

    def __init__(self, problems: list[LinkProblem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def clean_display_name(name: str) -> str:
    return " ".join((name or "").split())


def _check(
    *, room: Room, name: str, role: str, expires_at: datetime | None, user: Any, ask_name: bool, now: datetime
) -> list[LinkProblem]:
    problems = []
    if not ask_name and not NAME_MIN <= len(name) <= NAME_MAX:
        problems.append(
            LinkProblem("name", _("Bitte geben Sie einen Namen mit 2 bis 100 Zeichen an – so erscheint die Person."))
        )
    if role not in PersonalLink.Role.values:
        problems.append(LinkProblem("role", _("Bitte wählen Sie Teilnahme oder Moderation.")))
    if expires_at is not None and expires_at <= now:
        problems.append(LinkProblem("expires_at", _("Das Ablaufdatum muss in der Zukunft liegen.")))
    if user is not None and not room.club.memberships.filter(user=user).exists():
        problems.append(LinkProblem("user", _("Diese Person ist kein Mitglied Ihres Vereins.")))
    return problems


@transaction.atomic
def personal_link_create(
    *,
    room: Room,
    actor: Any,
    name: str,
    role: str = PersonalLink.Role.VIEWER,
    expires_at: datetime | None,
    email: str = "",
    user: Any = None,
    ask_name: bool = False,
) -> PersonalLink:
    """A new personal link to ``room`` for one person. ``expires_at=None`` only for open-ended series.

    ``ask_name=True`` allows an empty name (an invited guest known only by email types it once).
    Raises ``PersonalLinkRefused`` on bad input, writing nothing.
    """
    now = timezone.now()
    name = clean_display_name(name)
    problems = _check(room=room, name=name, role=role, expires_at=expires_at, user=user, ask_name=ask_name, now=now)
    if problems:
        raise PersonalLinkRefused(problems)
    link = PersonalLink.objects.create(
        room=room,
        name=name,
        email=email,
        user=user,
        role=role,
        expires_at=expires_at,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    # The token is a secret: the audit entry names the person and role, never the link.
    audit_log(
        action="personal_link.create",
        actor=actor,
        club=room.club,
        target=room,
        details={"link": link.pk, "role": role, "expires_at": expires_at.isoformat() if expires_at else None},
    )
    return link


def personal_link_resolve(*, token: str, now: datetime | None = None) -> PersonalLink:
    """The usable link behind ``token`` (room and club loaded); see the module docstring for failures."""
    link = PersonalLink.objects.select_related("room", "room__club").get(token=token)
    now = now or timezone.now()
    if link.room.club.status != Club.Status.ACTIVE:
        raise PersonalLink.DoesNotExist
    if link.revoked_at is not None:
        raise PersonalLinkInvalid(
            _(
                "Dieser persönliche Link wurde zurückgezogen und gilt nicht mehr. Bitte wenden Sie sich an die "
                "Person, die Sie eingeladen hat."
            ),
            reason="revoked",
            link=link,
        )
    if link.expires_at is not None and link.expires_at <= now:
        raise PersonalLinkInvalid(
            _(
                "Dieser persönliche Link ist abgelaufen. Bitte bitten Sie die Person, die Sie eingeladen hat, "
                "um einen neuen Link."
            ),
            reason="expired",
            link=link,
        )
    return link


def personal_link_is_usable(*, link_id: int, now: datetime | None = None) -> bool:
    """For a join resumed from the waiting page: is the link still valid (not revoked, not expired)?"""
    now = now or timezone.now()
    link = PersonalLink.objects.filter(pk=link_id, revoked_at__isnull=True).only("expires_at").first()
    return link is not None and (link.expires_at is None or link.expires_at > now)


def personal_link_revoke(*, link: PersonalLink, actor: Any) -> bool:
    """Withdraw the link at once. True if this call revoked it (False: it was revoked already)."""
    with transaction.atomic():
        revoked = PersonalLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if revoked:
            audit_log(
                action="personal_link.revoke",
                actor=actor,
                club=link.room.club,
                target=link.room,
                details={"link": link.pk},
            )
    link.refresh_from_db(fields=["revoked_at"])
    return bool(revoked)


def personal_links_revoke(*, link_ids: list[int], actor: Any, club: Club) -> int:
    """Withdraw several links at once (an invitee removed, a scheduled meeting cancelled)."""
    if not link_ids:
        return 0
    with transaction.atomic():
        revoked = PersonalLink.objects.filter(pk__in=link_ids, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit_log(action="personal_link.revoke", actor=actor, club=club, details={"links": sorted(link_ids)})
    return revoked


@transaction.atomic
def personal_link_set_name(*, link: PersonalLink, name: str) -> PersonalLink:
    """The first use of a link without a name fixes it; a name once set never changes this way."""
    name = clean_display_name(name)
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise PersonalLinkRefused([LinkProblem("name", _("Bitte geben Sie einen Namen mit mindestens 2 Zeichen ein."))])
    PersonalLink.objects.filter(pk=link.pk, name="").update(name=name)
    link.refresh_from_db(fields=["name"])
    return link


def personal_link_used(*, link: PersonalLink) -> None:
    PersonalLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())


def personal_link_url(link: PersonalLink) -> str:
    return absolute_url(reverse("rooms:personal", kwargs={"link_token": link.token}))


def personal_link_user_id(link: PersonalLink) -> str:
    """BBB's userID: the member's own id when the link belongs to a member, else one per link."""
    return f"hd-{link.user_id}" if link.user_id else f"hd-link-{link.pk}"


def personal_links_active(*, room: Room) -> list[PersonalLink]:
    """The room's links that still work, for the hosts' list (newest expiry last)."""
    now = timezone.now()
    return [
        link
        for link in room.personal_links.filter(revoked_at__isnull=True).select_related("user")
        if link.expires_at is None or link.expires_at > now
    ]


def personal_link_join_decision(link: PersonalLink) -> Any:
    """Role from the link; never the lobby (the host invited this person by name)."""
    from rooms.services import JoinDecision

    return JoinDecision(role=link.role, guest=False)
