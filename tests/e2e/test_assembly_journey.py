"""Browser journey of a general assembly: the chair opens and closes a vote, two members vote on phones,
the record prints -- in German and in English (the default answers shown in the reader's language)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assemblies import services
from assemblies.models import Assembly, Motion, Participation
from clubs.models import Role
from events.models import ScheduledMeeting
from tests.e2e.helpers import tr
from tests.factories import MembershipFactory, RoomFactory, ScheduledMeetingFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LOCALES = {"de": "de-DE", "en": "en-GB"}


def answer(lang: str, text: str) -> str:
    from django.utils import translation

    with translation.override(lang):
        return translation.pgettext("vote option", text)


def logged_in_page(journey, user, lang: str, *, phone: bool):
    user.language = lang
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    page = journey.new_page(phone=phone, locale=LOCALES[lang])
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": journey.base_url}]
    )
    return page


@pytest.mark.parametrize("lang", ["de", "en"])
def test_assembly_vote_on_phones_and_the_printed_record(journey, personas, lang, settings):
    import os

    from django.core.management import call_command

    call_command("compile_translations", stdout=open(os.devnull, "w"))  # noqa: SIM115 - the current catalogues
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)
    room = RoomFactory(club=personas.club, name="Vereinsheim")
    scheduled = ScheduledMeetingFactory(room=room, title="Mitgliederversammlung 2026")
    kwargs = {"club_slug": personas.club.slug, "scheduled_meeting_id": scheduled.pk}

    chair = logged_in_page(journey, personas.admin, lang, phone=False)
    # The club admin marks the meeting as the general assembly; the invitation goes to every member.
    journey.visit(chair, reverse("assemblies:plan", kwargs=kwargs), "plan assembly")
    chair.get_by_label(tr(lang, "Tagesordnung")).fill("Bericht\nEntlastung")
    chair.get_by_role("button", name=tr(lang, "Speichern")).click()
    expect(chair.locator(".messages")).to_contain_text(
        tr(lang, "Die Mitgliederversammlung ist geplant. Die Einladung geht jetzt an alle Mitglieder.")
    )
    journey.shot(chair, "assembly planned")
    assembly = Assembly.objects.get(scheduled_meeting=scheduled)
    assert set(scheduled.invitees.values_list("user_id", flat=True)) == {
        personas.owner.pk,
        personas.admin.pk,
        personas.member.pk,
    }
    second = MembershipFactory(club=personas.club, role=Role.MEMBER, user__name="Berta Beispiel").user

    # Bringing the assembly forward inside the notice period is refused beside the date; nothing changes.
    journey.visit(chair, reverse("events:edit", kwargs=kwargs), "edit assembly date", shot=False)
    earlier = timezone.localdate() + timedelta(days=5)
    chair.get_by_label(tr(lang, "Datum")).fill(earlier.isoformat())
    chair.get_by_role("button", name=tr(lang, "Änderungen speichern und versenden")).click()
    expect(chair.locator(".errorlist:not(.nonfield)").first).to_contain_text(
        str(services.assembly_rules_get(club=personas.club).notice_days)
    )
    expect(chair.get_by_label(tr(lang, "Datum"))).to_have_value(earlier.isoformat())
    journey.check_accessibility(chair, "assembly date refused")
    journey.shot(chair, "assembly date refused")
    assert ScheduledMeeting.objects.get(pk=scheduled.pk).start_at == scheduled.start_at

    journey.visit(chair, reverse("assemblies:chair", kwargs=kwargs), "chair desk")
    chair.get_by_label(tr(lang, "Antrag oder Frage")).fill("Entlastung des Vorstands")
    chair.get_by_role("button", name=tr(lang, "Anlegen")).click()
    waiting = logged_in_page(journey, personas.member, lang, phone=True)  # opened before the vote opens
    waiting.goto(reverse("assemblies:detail", kwargs=kwargs))
    expect(waiting.get_by_role("radio")).to_have_count(0)
    chair.get_by_role("button", name=tr(lang, "Abstimmung öffnen")).click()
    # The waiting member's page shows the ballot by itself (htmx polling, no reload, no meta refresh).
    expect(waiting.get_by_role("radio")).to_have_count(3, timeout=20_000)
    expect(waiting.get_by_label(answer(lang, "Ja"))).to_be_visible()
    expect(chair.get_by_role("button", name=tr(lang, "Abstimmung schließen"))).to_be_visible()
    expect(chair.locator(".motion .muted")).to_have_text(
        " · ".join(answer(lang, a) for a in ("Ja", "Nein", "Enthaltung"))
    )
    # The form's hint names the default answers as the options show them; no "nobody present" without attendance.
    expect(chair.locator("#id_options_helptext")).to_contain_text(answer(lang, "Enthaltung"))
    expect(chair.get_by_text(tr(lang, "Niemand anwesend (Stand des letzten Abgleichs)."))).to_have_count(0)
    journey.shot(chair, "chair vote open")

    for user, pick in ((personas.member, "Ja"), (second, "Nein")):
        phone = logged_in_page(journey, user, lang, phone=True)
        journey.visit(phone, reverse("assemblies:detail", kwargs=kwargs), f"member page {user.pk}")
        phone.get_by_label(answer(lang, pick)).check()
        phone.get_by_role("button", name=tr(lang, "Abstimmen")).click()
        expect(phone.locator(".notice").first).to_contain_text(
            tr(lang, "Ihre Stimme ist gezählt. Bis zum Schluss der Abstimmung können Sie sie ändern.")
        )
        journey.shot(phone, f"member voted {pick}")
    assert Participation.objects.filter(motion__assembly=assembly).count() == 2

    chair.reload()
    chair.get_by_role("button", name=tr(lang, "Abstimmung schließen")).click()
    expect(chair.get_by_role("row", name=answer(lang, "Ja"))).to_contain_text("1")
    journey.shot(chair, "chair vote closed")
    assert Motion.objects.get(assembly=assembly).state == Motion.State.CLOSED

    phone.reload()
    expect(phone.get_by_role("heading", name=tr(lang, "Ergebnisse"))).to_be_visible()
    journey.check_accessibility(phone, "member results")
    journey.shot(phone, "member results")

    journey.visit(chair, reverse("assemblies:record", kwargs=kwargs), "record")
    expect(chair.get_by_role("row", name=answer(lang, "Nein"))).to_contain_text("1")
    chair.emulate_media(media="print")
    expect(chair.get_by_role("link", name=tr(lang, "Als CSV herunterladen"))).to_be_hidden()
    chair.screenshot(path=str(journey.folder / f"{journey.counter + 1:02d}-record-print.png"), full_page=True)
    pdf = chair.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000

    # On the assembly's day a guest on the room page reads, before joining, that attendance is recorded.
    Assembly.objects.filter(pk=assembly.pk).update(attendance_enabled=True)
    start = timezone.now() + timedelta(minutes=30)
    ScheduledMeeting.objects.filter(pk=scheduled.pk).update(start_at=start, end_at=start + timedelta(hours=2))
    guest = journey.new_page(phone=True, locale=LOCALES[lang])
    journey.visit(
        guest, reverse("rooms:public", kwargs={"friendly_id": room.friendly_id}), "room page attendance notice"
    )
    expect(guest.locator(".attendance-notice")).to_contain_text(
        tr(lang, "Mitgliederversammlung – Anwesenheit wird erfasst:")
    )
