"""The maintenance banner: staff write it in the admin; every page and the public room page show it from/to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from operations.banner import notices_current
from operations.models import MaintenanceNotice
from tests.factories import RoomFactory

TEXT = "Am Samstag von 8 bis 10 Uhr sind keine Besprechungen möglich."


@pytest.fixture
def notice(db):
    now = timezone.now()
    return MaintenanceNotice.objects.create(
        text=TEXT, shows_from=now - timedelta(hours=1), shows_until=now + timedelta(days=2)
    )


def test_the_banner_shows_on_the_home_page_club_pages_and_the_public_room_page(client, personas, notice):
    room = RoomFactory(club=personas.club)
    assert TEXT in client.get(reverse("home")).content.decode()
    assert TEXT in client.get(reverse("rooms:public", kwargs={"friendly_id": room.friendly_id})).content.decode()
    client.force_login(personas.member)
    page = client.get(reverse("clubs:dashboard", kwargs={"club_slug": personas.club.slug})).content.decode()
    assert '<div class="maintenance-banner" role="note"' in page
    assert TEXT in page


@pytest.mark.parametrize(
    ("starts", "ends", "shown"),
    [(-2, -1, False), (-1, 1, True), (1, 2, False)],
    ids=["over", "now", "later"],
)
def test_the_banner_shows_only_between_from_and_to(client, db, starts, ends, shown):
    now = timezone.now()
    MaintenanceNotice.objects.create(
        text=TEXT, shows_from=now + timedelta(hours=starts), shows_until=now + timedelta(hours=ends)
    )
    assert (TEXT in client.get(reverse("home")).content.decode()) is shown


def test_a_notice_saved_in_the_admin_shows_at_once_although_notices_are_cached(client, db):
    assert notices_current() == []  # fills the cache with "nothing planned"
    now = timezone.now()
    MaintenanceNotice.objects.create(text=TEXT, shows_from=now, shows_until=now + timedelta(hours=1))
    assert [n.text for n in notices_current()] == [TEXT]
    MaintenanceNotice.objects.all().delete()
    assert notices_current() == []


def test_a_cached_notice_appears_when_its_time_comes_without_a_query(db, django_assert_num_queries):
    now = timezone.now()
    MaintenanceNotice.objects.create(
        text=TEXT, shows_from=now + timedelta(minutes=1), shows_until=now + timedelta(hours=1)
    )
    assert notices_current(now=now) == []
    with django_assert_num_queries(0):
        assert [n.text for n in notices_current(now=now + timedelta(minutes=2))] == [TEXT]


def test_the_banner_uses_no_inline_style_or_script(client, notice):
    page = client.get(reverse("home")).content.decode()
    banner = page[page.index('<div class="maintenance-banner"') :]
    banner = banner[: banner.index("</div>\n</div>") + 12]
    assert "style=" not in banner and "<script" not in banner
