"""Where the service keeps a person's data, for the export (GDPR Art. 15/20) and for deletion (Art. 17).

``PERSONAL_FIELDS`` names every model field that can hold a user, an email address or a name, and
what deletion does with it; ``NOT_PERSONAL`` the look-alikes that hold none, with the reason.
``tests/security/test_account_deletion.py`` walks every model of every installed app and fails when
a field is in neither list, so a new field cannot escape the export and the deletion.

Deletion keeps the facts the clubs and the operator need (who did what is still "somebody did it",
an accepted invitation still counts) but replaces the person with a pseudonym that is stable per
account, so that entries of one deleted person still belong together and nobody can tell who it was.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db.models import Q, QuerySet
from django.utils import timezone

CASCADE = "deleted with the account"
SET_NULL = "link cleared (on_delete=SET_NULL), text pseudonymised"
PSEUDONYMISE = "address or name replaced by the pseudonym"

# (app_label.model, field) -> what deletion does with it.
PERSONAL_FIELDS: dict[tuple[str, str], str] = {
    ("accounts.user", "email"): CASCADE,
    ("accounts.user", "name"): CASCADE,
    ("account.emailaddress", "user"): CASCADE,
    ("account.emailaddress", "email"): CASCADE,
    ("mfa.authenticator", "user"): CASCADE,
    ("mfa.authenticator", "data"): CASCADE,
    ("clubs.membership", "user"): CASCADE,
    ("admin.logentry", "user"): CASCADE,
    ("admin.logentry", "object_repr"): PSEUDONYMISE,
    ("admin.logentry", "change_message"): PSEUDONYMISE,
    ("sessions.session", "session_data"): "the account's sessions are deleted; expired ones daily",
    ("clubs.club", "contact_name"): PSEUDONYMISE,
    ("clubs.club", "contact_email"): PSEUDONYMISE,
    ("clubs.invitation", "email"): PSEUDONYMISE,
    ("clubs.invitation", "invited_by"): SET_NULL,
    ("clubs.invitation", "accepted_by"): SET_NULL,
    ("clubs.auditentry", "actor"): SET_NULL,
    ("clubs.auditentry", "actor_label"): PSEUDONYMISE,
    ("clubs.auditentry", "target_label"): PSEUDONYMISE,
    ("clubs.auditentry", "reason"): PSEUDONYMISE,
    ("clubs.auditentry", "details"): PSEUDONYMISE,
    ("rooms.room", "created_by"): SET_NULL,
    ("meetings.meeting", "started_by"): SET_NULL,
    ("events.scheduledmeeting", "created_by"): SET_NULL,
    ("events.invitee", "user"): SET_NULL,
    ("events.invitee", "email"): PSEUDONYMISE,
    ("rooms.personallink", "user"): SET_NULL,
    ("rooms.personallink", "name"): PSEUDONYMISE,
    ("rooms.personallink", "email"): PSEUDONYMISE,
    ("rooms.personallink", "created_by"): SET_NULL,
    ("rooms.presentation", "uploaded_by"): SET_NULL,
    ("assemblies.assembly", "chair"): SET_NULL,
    ("assemblies.motion", "opened_by"): SET_NULL,
    ("assemblies.motion", "closed_by"): SET_NULL,
    ("assemblies.participation", "user"): SET_NULL + " (the vote stays cast and counted, naming nobody)",
    ("assemblies.presence", "user"): SET_NULL,
    # The member's rows of an attendance list keep their times (the record for the minutes needs them) but lose the
    # name BBB was given and the BBB userID hd-<pk>; the record shows "Gelöschtes Mitglied" / "Deleted member".
    ("assemblies.presence", "full_name"): "cleared, the row marked account_deleted (the times stay for the record)",
}

NOT_PERSONAL: dict[tuple[str, str], str] = {
    ("clubs.club", "name"): "the organisation's name",
    ("rooms.room", "name"): "a room's name, chosen by the club",
    ("meetings.server", "name"): "a BBB server's name",
    ("recordings.recording", "name"): "the meeting's name (the room's)",
    ("recordings.recording", "formats"): "playback formats and URLs",
    ("recordings.recording", "metadata"): "our own create meta data (ids), no participant names",
    ("herzdigital.lock", "name"): "a lock's key",
    ("recordings.cleanuprun", "message"): "the cleanup's own summary: counts, server names and BBB errors",
    ("auth.permission", "name"): "a permission's label",
    ("auth.group", "name"): "a group's label",
    ("contenttypes.contenttype", "model"): "a model's name",
    ("account.emailconfirmation", "key"): "a random key",
    ("auth.permission", "codename"): "a permission's code",
    ("contenttypes.contenttype", "app_label"): "an app's label",
    ("clubs.club", "status_reason"): "staff's reason for rejecting or suspending the club",
    ("meetings.meeting", "end_reason"): "a machine code (ended, not found, ...)",
    ("rooms.presentation", "name"): "a file name of the club's slides",
    ("assemblies.motion", "results"): "counts per option id",
    (
        "assemblies.motionoption",
        "label",
    ): "an answer the chair wrote (Ja/Nein/Enthaltung or a candidate put to the vote)",
    ("operations.metriccounter", "name"): "a metric's name",
    ("operations.metriccounter", "label"): "a server id or empty",
}


def pseudonym_of(user: Any) -> str:
    """Stable per account, not reversible without SECRET_KEY: 'Gelöschtes Konto 3f9a1c2e'."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"user:{user.pk}".encode(), hashlib.sha256).hexdigest()
    return f"Gelöschtes Konto {digest[:8]}"


def pseudonym_email_of(user: Any) -> str:
    return f"geloescht-{pseudonym_of(user).rsplit(' ', 1)[1]}@invalid"


@dataclass
class Identity:
    """What identifies the person in text: every address of the account, and the name."""

    emails: list[str]
    name: str

    def pattern(self) -> re.Pattern[str] | None:
        parts = [re.escape(e) for e in self.emails if e]
        if len(self.name.strip()) >= 3:
            parts.append(r"(?<!\w)" + re.escape(self.name.strip()) + r"(?!\w)")
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def q(self, field: str) -> Q:
        query = Q()
        for email in self.emails:
            query |= Q(**{f"{field}__icontains": email})
        if len(self.name.strip()) >= 3:
            query |= Q(**{f"{field}__icontains": self.name.strip()})
        return query


def identity_of(user: Any) -> Identity:
    from allauth.account.models import EmailAddress

    emails = {user.email.lower()} | {
        e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    return Identity(emails=sorted(emails), name=user.name or "")


def _user_model() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model()


@dataclass
class References:
    """The rows outside the account itself that mention the person (one query each, lazily)."""

    clubs_as_contact: QuerySet
    invitations_to: QuerySet
    invitations_sent: QuerySet
    invitations_accepted: QuerySet
    audit_entries: QuerySet
    admin_log: QuerySet
    event_invitations: QuerySet
    rooms_created: QuerySet
    meetings_started: QuerySet
    scheduled_meetings_created: QuerySet
    personal_links: QuerySet
    assembly_attendance: QuerySet
    assembly_votes: QuerySet


def references_of(user: Any) -> References:
    from assemblies.models import Participation, Presence
    from clubs.models import AuditEntry, Club, Invitation
    from events.models import Invitee, ScheduledMeeting
    from meetings.models import Meeting
    from rooms.models import PersonalLink, Room

    ident = identity_of(user)
    user_type = ContentType.objects.get_for_model(_user_model())
    return References(
        clubs_as_contact=Club.objects.filter(contact_email__in=ident.emails),
        invitations_to=Invitation.objects.filter(email__in=ident.emails).select_related("club"),
        invitations_sent=Invitation.objects.filter(invited_by=user).select_related("club"),
        invitations_accepted=Invitation.objects.filter(accepted_by=user).select_related("club"),
        audit_entries=AuditEntry.objects.filter(
            Q(actor=user)
            | Q(target_type=user._meta.label_lower, target_id=str(user.pk))
            | ident.q("actor_label")
            | ident.q("target_label")
            | ident.q("reason")
            | ident.q("details")
        ).select_related("club"),
        admin_log=LogEntry.objects.filter(
            Q(content_type=user_type, object_id=str(user.pk)) | ident.q("object_repr") | ident.q("change_message")
        ),
        event_invitations=Invitee.objects.filter(Q(user=user) | Q(email__in=ident.emails)).select_related(
            "scheduled_meeting__club"
        ),
        rooms_created=Room.objects.filter(created_by=user).select_related("club"),
        meetings_started=Meeting.objects.filter(started_by=user).select_related("club", "room"),
        scheduled_meetings_created=ScheduledMeeting.objects.filter(created_by=user).select_related("club"),
        personal_links=PersonalLink.objects.filter(
            Q(user=user) | Q(email__in=ident.emails) | ident.q("name")
        ).select_related("room__club"),
        # Joined with the account: linked, or the BBB userID the site gave it (the link may already be cleared).
        assembly_attendance=Presence.objects.filter(Q(user=user) | Q(bbb_user_id=f"hd-{user.pk}")).select_related(
            "assembly__club", "assembly__scheduled_meeting"
        ),
        assembly_votes=Participation.objects.filter(user=user).select_related(
            "motion__assembly__club", "motion__assembly__scheduled_meeting", "option"
        ),
    )


def sessions_of(user: Any) -> list[Session]:
    """The account's stored sessions (logged in on other devices); decoded, since the id is inside."""
    mine = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id", "")) == str(user.pk):
            mine.append(session)
    return mine


def scrub(value: Any, pattern: re.Pattern[str], replacement: str) -> Any:
    """Replace the person's addresses and name everywhere in a string or JSON value."""
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, list):
        return [scrub(v, pattern, replacement) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, pattern, replacement) for k, v in value.items()}
    return value
