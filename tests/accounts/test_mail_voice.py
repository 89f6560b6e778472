"""Every mail speaks in our formal voice, names the service by SITE_NAME and gives the support address (issue 16, 7)."""

from __future__ import annotations

import re
from pathlib import Path

import allauth
import pytest
from allauth.account.adapter import get_adapter
from django.core import mail
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation

from clubs import invitations, services
from clubs.models import Club, Role
from tests.e2e.helpers import PASSWORD
from tests.factories import ClubFactory, MembershipFactory, UserFactory
from tests.processes import ROOT

ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"
ALLAUTH_MAILS = sorted(
    str(p.relative_to(ALLAUTH_TEMPLATES)).removesuffix("_message.txt")
    for app in ("account", "mfa")  # the allauth apps we install
    for p in (ALLAUTH_TEMPLATES / app / "email").glob("*_message.txt")
    if not p.name.startswith("base_")
)
INFORMAL = re.compile(r"\b(du|dich|dir|dein\w*|Hallo von)\b", re.IGNORECASE)
SAMPLE = {
    "user": None,
    "activate_url": "http://x/confirm/",
    "password_reset_url": "http://x/reset/",
    "signup_url": "http://x/signup/",
    "code": "",
    "from_email": "a@example.org",
    "to_email": "b@example.org",
    "deleted_email": "c@example.org",
    "ip": "192.0.2.1",
    "user_agent": "Firefox",
    "timestamp": "heute",
}


def test_allauth_mails_are_all_ours():
    assert len(ALLAUTH_MAILS) > 10
    for name in ALLAUTH_MAILS:
        for part in ("message", "subject"):
            origin = Path(get_template(f"{name}_{part}.txt").origin.name)
            assert origin.is_relative_to(ROOT / "templates"), f"{name}_{part}.txt comes from {origin}"


@pytest.mark.parametrize("name", ALLAUTH_MAILS)
def test_every_allauth_mail_is_formal_and_names_the_service_and_the_support_address(name, settings, db, rf):
    settings.SITE_NAME = "Vereinsvideo"
    settings.SUPPORT_EMAIL = "hilfe@vereinsvideo.example"
    mail.outbox.clear()
    user = UserFactory(language="de")
    with translation.override("de"):
        get_adapter(rf.get("/")).send_mail(name, "person@example.org", {**SAMPLE, "user": user})
    (message,) = mail.outbox
    assert message.subject.startswith("[Vereinsvideo] ")
    assert "Vereinsvideo" in message.body and "hilfe@vereinsvideo.example" in message.body
    assert "Sie" in message.body or "Ihr" in message.body
    assert not INFORMAL.search(message.body + message.subject), message.body
    with translation.override("en"):
        get_adapter(rf.get("/")).send_mail(name, "person@example.org", {**SAMPLE, "user": user})
    english = mail.outbox[-1]
    assert "Mit freundlichen Grüßen" not in english.body and "Kind regards" in english.body


def test_club_registration_confirmation_says_what_happens_next_with_the_site_name(
    client, settings, db, django_capture_on_commit_callbacks
):
    settings.SITE_NAME = "Vereinsvideo"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("clubs:register"),
            {
                "name": "Chor am Markt",
                "kind": Club.Kind.ASSOCIATION,
                "description": "Wir singen.",
                "contact_name": "Clara Chor",
                "email": "clara@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "accept_terms": "on",
            },
        )
    (message,) = mail.outbox
    assert message.subject == "[Vereinsvideo] Bitte bestätigen Sie Ihre E-Mail-Adresse"
    assert "Hallo von" not in message.body and "testserver!" not in message.body
    assert f"{settings.APPROVAL_WORKING_DAYS} Werktagen" in message.body


def test_club_mails_that_invite_a_reply_carry_reply_to_the_support_address(
    settings, db, django_capture_on_commit_callbacks
):
    settings.SUPPORT_EMAIL = "hilfe@vereinsvideo.example"
    club = ClubFactory(status=Club.Status.PENDING, approved_at=None)
    MembershipFactory(club=club, role=Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        services.club_reject(club=club, actor=None, reason="Kein Verein aus unserer Stadt.")
    (message,) = mail.outbox
    assert message.reply_to == ["hilfe@vereinsvideo.example"]
    assert "hilfe@vereinsvideo.example" in message.body
    assert message.from_email != "hilfe@vereinsvideo.example"


def test_club_invitation_replies_go_to_the_person_who_invited(db, django_capture_on_commit_callbacks):
    club = ClubFactory()
    owner = MembershipFactory(club=club, role=Role.OWNER, user=UserFactory(email="vorstand@chor.example")).user
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_create(club=club, actor=owner, email="neu@example.org", role=Role.MEMBER)
    (message,) = mail.outbox
    assert message.reply_to == ["vorstand@chor.example"]


def test_footer_and_error_pages_show_the_support_address(client, settings, db):
    settings.SUPPORT_EMAIL = "hilfe@vereinsvideo.example"
    settings.SITE_NAME = "Vereinsvideo"
    home = client.get("/").content.decode()
    assert 'href="mailto:hilfe@vereinsvideo.example"' in home and "Vereinsvideo" in home
    client.force_login(UserFactory())
    missing = client.get("/c/gibt-es-nicht/").content.decode()
    assert missing.count("hilfe@vereinsvideo.example") >= 2  # the error text and the footer

    from herzdigital.views import error_500

    assert "hilfe@vereinsvideo.example" in error_500(None).content.decode()
