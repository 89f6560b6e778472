"""Votes: eligibility, one ballot each (changeable until the close), no vote after close, secret-vote
privacy, quorum recorded at the opening, the tamper-evident chain, and no double vote under real
concurrent posts on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, connections

from assemblies import services
from assemblies.models import Motion, Participation, SecretBallot
from assemblies.services import VoteRefused
from clubs.models import AuditEntry, Membership, Role
from tests.assemblies.helpers import option
from tests.conftest import require_service
from tests.factories import MembershipFactory, PresenceFactory

pytestmark = pytest.mark.django_db


def test_default_options_are_yes_no_abstain(assembly, personas, open_vote):
    motion = open_vote(assembly)
    assert [o.label for o in motion.options.all()] == ["Ja", "Nein", "Enthaltung"]


def test_own_options_are_kept_in_order(assembly, personas, open_vote):
    motion = open_vote(assembly, options=["Anna", "Ben", "Enthaltung"])
    assert [o.label for o in motion.options.all()] == ["Anna", "Ben", "Enthaltung"]


def test_member_votes_once_and_may_change_until_close(assembly, personas, open_vote):
    motion = open_vote(assembly)
    services.ballot_cast(motion=motion, user=personas.member, option_id=option(motion, "Ja"))
    services.ballot_cast(motion=motion, user=personas.member, option_id=option(motion, "Nein"))
    assert Participation.objects.filter(motion=motion).count() == 1
    closed = services.motion_close(motion=motion, actor=personas.admin)
    assert dict((o.label, n) for o, n in services.motion_results(motion=closed)) == {
        "Ja": 0,
        "Nein": 1,
        "Enthaltung": 0,
    }
    assert closed.voter_count == 1


def test_no_vote_after_close(assembly, personas, open_vote):
    motion = open_vote(assembly)
    services.motion_close(motion=motion, actor=personas.admin)
    with pytest.raises(VoteRefused, match="geschlossen"):
        services.ballot_cast(motion=motion, user=personas.member, option_id=option(motion, "Ja"))
    assert not Participation.objects.filter(motion=motion).exists()


def test_no_vote_before_the_chair_opens(assembly, personas):
    motion = services.motion_create(assembly=assembly, actor=personas.admin, title="T", options=[], secret=False)
    with pytest.raises(VoteRefused):
        services.ballot_cast(motion=motion, user=personas.member, option_id=motion.options.first().pk)


def test_outsiders_and_members_who_joined_after_the_opening_may_not_vote(assembly, personas, open_vote):
    motion = open_vote(assembly)
    with pytest.raises(VoteRefused, match="Stimmberechtigt"):
        services.ballot_cast(motion=motion, user=personas.outsider, option_id=option(motion, "Ja"))
    late = MembershipFactory(club=personas.club, role=Role.MEMBER)
    Membership.objects.filter(pk=late.pk).update(created_at=motion.opened_at + timedelta(seconds=1))
    with pytest.raises(VoteRefused, match="Stimmberechtigt"):
        services.ballot_cast(motion=motion, user=late.user, option_id=option(motion, "Ja"))
    # Leaving the club during the vote ends the right to vote too.
    Membership.objects.filter(user=personas.member, club=personas.club).delete()
    with pytest.raises(VoteRefused):
        services.ballot_cast(motion=motion, user=personas.member, option_id=option(motion, "Ja"))


def test_an_option_of_another_motion_is_refused(assembly, personas, open_vote):
    motion = open_vote(assembly)
    other = services.motion_create(assembly=assembly, actor=personas.admin, title="B", options=[], secret=False)
    with pytest.raises(VoteRefused):
        services.ballot_cast(motion=motion, user=personas.member, option_id=other.options.first().pk)


def test_only_one_vote_runs_at_a_time(assembly, personas, open_vote):
    open_vote(assembly)
    second = services.motion_create(assembly=assembly, actor=personas.admin, title="B", options=[], secret=False)
    with pytest.raises(Exception, match="laufende Abstimmung"):
        services.motion_open(motion=second, actor=personas.admin)


def _tables_linking_user_and_option(motion) -> list[str]:
    """Every model row that names both a user (or membership) and an option of the motion."""
    option_ids = set(motion.options.values_list("pk", flat=True))
    hits = []
    for model in apps.get_models():
        fields = {f.name: f for f in model._meta.concrete_fields}
        user_fields = [
            n
            for n, f in fields.items()
            if f.is_relation and f.related_model in (apps.get_model(settings.AUTH_USER_MODEL), Membership)
        ]
        option_fields = [
            n for n, f in fields.items() if f.is_relation and f.related_model._meta.model_name == "motionoption"
        ]
        for row in model.objects.all():
            has_user = any(getattr(row, f"{n}_id") for n in user_fields)
            has_option = any(getattr(row, f"{n}_id") in option_ids for n in option_fields)
            text = str(getattr(row, "details", ""))
            if has_user and (has_option or any(f"'option': {o}" in text for o in option_ids)):
                hits.append(model._meta.label)
    return hits


def test_secret_vote_stores_who_voted_never_what(assembly, personas, open_vote):
    motion = open_vote(assembly, secret=True)
    receipt = services.ballot_cast(motion=motion, user=personas.member, option_id=option(motion, "Nein"))
    services.ballot_cast(motion=motion, user=personas.owner, option_id=option(motion, "Ja"))
    assert Participation.objects.filter(motion=motion).count() == 2
    assert set(Participation.objects.filter(motion=motion).values_list("option", flat=True)) == {None}
    # A ballot has no user, no time and a random key: nothing orders it like the participations.
    ballot_fields = {f.name for f in SecretBallot._meta.concrete_fields}
    assert ballot_fields == {"id", "motion", "option", "receipt_hash"}
    assert receipt not in str(list(SecretBallot.objects.values_list("receipt_hash", flat=True)))
    assert _tables_linking_user_and_option(motion) == []
    # The receipt (held by the voter's browser only) changes the ballot.
    services.ballot_cast(motion=motion, user=personas.member, option_id=option(motion, "Enthaltung"), receipt=receipt)
    with pytest.raises(VoteRefused, match="Gerät"):
        services.ballot_cast(motion=motion, user=personas.member, option_id=option(motion, "Ja"))
    closed = services.motion_close(motion=motion, actor=personas.admin)
    assert dict((o.label, n) for o, n in services.motion_results(motion=closed)) == {
        "Ja": 1,
        "Nein": 0,
        "Enthaltung": 1,
    }
    # After the close only the counts remain.
    assert not SecretBallot.objects.filter(motion=motion).exists()
    assert _tables_linking_user_and_option(motion) == []


def test_quorum_is_recorded_when_the_vote_opens(assembly, personas, set_rules, open_vote):
    set_rules(quorum_kind="count", quorum_value=2)
    PresenceFactory(assembly=assembly, user=personas.member)
    PresenceFactory(assembly=assembly)  # a guest does not count
    first = open_vote(assembly)
    assert (first.member_count, first.present_count, first.quorum_required, first.quorum_met) == (3, 1, 2, False)
    services.motion_close(motion=first, actor=personas.admin)
    PresenceFactory(assembly=assembly, user=personas.owner)
    second = open_vote(assembly)
    assert (second.present_count, second.quorum_met) == (2, True)


def test_open_close_and_counts_form_a_chain_that_detects_tampering(assembly, personas, open_vote):
    motion = open_vote(assembly)
    services.ballot_cast(motion=motion, user=personas.member, option_id=option(motion, "Ja"))
    services.motion_close(motion=motion, actor=personas.admin)
    assembly.refresh_from_db()
    entries = AuditEntry.objects.filter(action__startswith="assembly.motion_").order_by("pk")
    assert [e.action for e in entries] == ["assembly.motion_opened", "assembly.motion_closed"]
    assert entries[1].details["payload"]["results"] == {
        str(option(motion, "Ja")): 1,
        str(option(motion, "Nein")): 0,
        str(option(motion, "Enthaltung")): 0,
    }
    assert entries[0].actor == personas.admin
    assert services.assembly_chain_verify(assembly=assembly)
    closed = entries[1]
    closed.details["payload"]["results"][str(option(motion, "Nein"))] = 5
    closed.save()
    assert not services.assembly_chain_verify(assembly=assembly)


def test_removing_an_entry_breaks_the_chain(assembly, personas, open_vote):
    motion = open_vote(assembly)
    services.motion_close(motion=motion, actor=personas.admin)
    assembly.refresh_from_db()
    AuditEntry.objects.filter(action="assembly.motion_closed").delete()
    assert not services.assembly_chain_verify(assembly=assembly)


def _race(motion, user, option_ids, results):
    barrier = threading.Barrier(len(option_ids))

    def post(option_id):
        try:
            barrier.wait(10)
            results.append(services.ballot_cast(motion=motion, user=user, option_id=option_id))
        except VoteRefused as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(o,)) for o in option_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_no_double_vote_under_concurrent_posts_on_postgresql(personas, plan_assembly, secret, open_vote):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    assembly = plan_assembly()
    motion = open_vote(assembly, secret=secret)
    ids = list(motion.options.values_list("pk", flat=True))
    results: list = []
    _race(motion, personas.member, ids * 3, results)  # nine simultaneous posts of one member
    assert len(results) == 9
    assert Participation.objects.filter(motion=motion).count() == 1
    if secret:
        assert SecretBallot.objects.filter(motion=motion).count() == 1
    closed = services.motion_close(motion=motion, actor=personas.admin)
    assert sum(closed.results.values()) == 1


@pytest.mark.django_db(transaction=True)
def test_a_vote_racing_the_close_is_either_counted_or_refused_on_postgresql(personas, plan_assembly, open_vote):
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://...)")
    assembly = plan_assembly()
    motion = open_vote(assembly)
    members = [MembershipFactory(club=personas.club).user for _ in range(8)]
    yes = option(motion, "Ja")
    barrier = threading.Barrier(len(members) + 1)

    def vote(user):
        try:
            barrier.wait(10)
            services.ballot_cast(motion=motion, user=user, option_id=yes)
        except VoteRefused:
            pass
        finally:
            connections.close_all()

    def close():
        barrier.wait(10)
        services.motion_close(motion=motion, actor=personas.admin)
        connections.close_all()

    threads = [threading.Thread(target=vote, args=(u,)) for u in members] + [threading.Thread(target=close)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    motion = Motion.objects.get(pk=motion.pk)
    # Whatever got in before the close is counted; nothing was added afterwards.
    assert motion.results[str(yes)] == Participation.objects.filter(motion=motion).count() == motion.voter_count


def test_default_options_show_in_the_readers_language_own_options_as_entered(
    client, assembly, personas, fresh_catalogues, open_vote
):
    from django.urls import reverse
    from django.utils import translation

    default = open_vote(assembly)
    with translation.override("en"):
        assert [o.display_label for o in default.options.all()] == ["Yes", "No", "Abstention"]
    with translation.override("de"):
        assert [o.display_label for o in default.options.all()] == ["Ja", "Nein", "Enthaltung"]
    personas.member.language = "en"
    personas.member.save(update_fields=["language"])
    client.force_login(personas.member)
    kwargs = {"club_slug": assembly.club.slug, "scheduled_meeting_id": assembly.scheduled_meeting_id}
    page = client.get(reverse("assemblies:detail", kwargs=kwargs), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "> Yes</label>" in page and "> Abstention</label>" in page and "> Ja</label>" not in page
    services.motion_close(motion=default, actor=personas.admin)
    own = services.motion_create(
        assembly=assembly, actor=personas.admin, title="Wahl", options=["Anna", "Ben"], secret=False
    )
    with translation.override("en"):
        assert [o.display_label for o in own.options.all()] == ["Anna", "Ben"]
