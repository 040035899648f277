"""Badges earned elsewhere: a learner adds another issuer's badge, Leap verifies it for
their own e-mail address, shows it on My badges, checks it again daily, and counts it on the
transcript while it verifies when their district accepts such badges. Another site is a
local server (tests/credentials/foreign_site.py): nothing is fetched from outside."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from credentials.models import ExternalBadge
from credentials.openbadges.ob2 import assertion_id
from credentials.services.badges import assertion_award
from credentials.tasks import external_badges_recheck
from learning.models import CreditEntry
from tests.credentials.foreign_site import ForeignSite
from tests.factories import DistrictFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign():
    site = ForeignSite()
    yield site
    site.close()


@pytest.fixture
def accepting_district(learner, foreign):
    district = DistrictFactory(
        external_badge_issuers=f"did:web:other.example\n{foreign.origin}/issuer.json\n",
        pd_hours_per_badge=Decimal("3"),
    )
    MembershipFactory(user=learner, district=district)
    return district


def add(client, **fields):
    return client.post("/my/badges/elsewhere/", fields, follow=True)


def test_a_verified_badge_from_elsewhere_shows_and_counts_on_the_transcript(
    client, learner, foreign, accepting_district
):
    foreign.ob2_badge(identity=learner.email)
    client.force_login(learner)
    page = add(client, url=f"{foreign.origin}/assertion.json").content.decode()
    assert "“Inquiry-Based Science” is verified and added to your badges." in page
    assert "from Riverside Teacher Academy" in page and "✓ Verified" in page
    transcript = client.get("/my/transcript/").content.decode()
    assert "Inquiry-Based Science (Riverside Teacher Academy)" in transcript
    entry = CreditEntry.objects.get(user=learner, source=CreditEntry.Source.EXTERNAL)
    assert entry.hours == Decimal("3") and entry.voided_at is None


def test_a_district_that_does_not_list_the_issuer_does_not_count_the_badge(
    client, learner, foreign
):
    MembershipFactory(user=learner, district=DistrictFactory(external_badge_issuers="did:web:x"))
    foreign.ob2_badge(identity=learner.email)
    client.force_login(learner)
    add(client, url=f"{foreign.origin}/assertion.json")
    assert ExternalBadge.objects.filter(holder=learner).count() == 1
    assert not CreditEntry.objects.filter(user=learner).exists()


def test_a_badge_revoked_elsewhere_shows_revoked_after_the_daily_check(
    client, learner, foreign, accepting_district
):
    foreign.ob2_badge(identity=learner.email)
    client.force_login(learner)
    add(client, url=f"{foreign.origin}/assertion.json")
    foreign.ob2_badge(identity=learner.email, revoked=True)  # the issuer revokes it
    assert external_badges_recheck.delay().get() == 0  # checked less than a day ago
    ExternalBadge.objects.update(checked_at=timezone.now() - timedelta(days=1))
    assert external_badges_recheck.delay().get() == 1
    page = client.get("/my/badges/").content.decode()
    assert "✕ Revoked by its issuer" in page and "Issued in error" in page
    assert CreditEntry.objects.get(user=learner).voided_at is not None
    assert "Inquiry-Based Science" not in client.get("/my/transcript/").content.decode()


def test_a_site_that_is_down_at_the_daily_check_loses_nothing(
    client, learner, foreign, accepting_district
):
    foreign.ob2_badge(identity=learner.email)
    client.force_login(learner)
    add(client, url=f"{foreign.origin}/assertion.json")
    foreign.pages["/assertion.json"] = (503, "text/plain", b"down for maintenance")
    ExternalBadge.objects.update(checked_at=timezone.now() - timedelta(days=1))
    external_badges_recheck.delay().get()
    badge = ExternalBadge.objects.get()
    assert badge.verdict == ExternalBadge.Verdict.UNREACHABLE
    assert CreditEntry.objects.get(user=learner).voided_at is None  # still counts
    assert "! Could not be checked" in client.get("/my/badges/").content.decode()
    foreign.ob2_badge(identity=learner.email)  # back
    client.post(f"/my/badges/elsewhere/{badge.uuid}/check")
    assert ExternalBadge.objects.get().verdict == ExternalBadge.Verdict.VALID


def test_credit_withdrawn_from_a_badge_that_verifies_again_is_restored(
    client, learner, foreign, accepting_district
):
    foreign.ob2_badge(identity=learner.email)
    client.force_login(learner)
    add(client, url=f"{foreign.origin}/assertion.json")
    badge = ExternalBadge.objects.get()
    foreign.ob2_badge(identity="someone.else@riverside.example")  # the copy changes
    client.post(f"/my/badges/elsewhere/{badge.uuid}/check")
    assert CreditEntry.objects.get(user=learner).voided_at is not None
    foreign.ob2_badge(identity=learner.email)
    client.post(f"/my/badges/elsewhere/{badge.uuid}/check")
    assert CreditEntry.objects.get(user=learner).voided_at is None


def test_someone_elses_badge_is_refused_and_nothing_is_saved(client, learner, foreign):
    foreign.ob2_badge(identity="someone.else@riverside.example")
    client.force_login(learner)
    response = add(client, url=f"{foreign.origin}/assertion.json")
    assert response.status_code == 400
    assert "was not issued to any of your e-mail addresses" in response.content.decode()
    assert not ExternalBadge.objects.exists()


def test_junk_and_leaps_own_badges_are_refused_with_the_reason(client, learner, badge_class):
    client.force_login(learner)
    junk = add(client, text="my badge, honest")
    assert junk.status_code == 400 and "This is not a badge" in junk.content.decode()
    own = assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    page = add(client, url=assertion_id(own)).content.decode()
    assert "This badge is one Leap issued: it is on My badges already." in page
    assert not ExternalBadge.objects.exists()


def test_the_same_badge_is_added_once(client, learner, foreign):
    foreign.ob2_badge(identity=learner.email)
    client.force_login(learner)
    add(client, url=f"{foreign.origin}/assertion.json")
    again = add(client, url=f"{foreign.origin}/assertion.json")
    assert "You have added this badge already." in again.content.decode()
    assert ExternalBadge.objects.count() == 1


def test_another_persons_badge_cannot_be_checked_or_removed(client, learner, foreign):
    foreign.ob2_badge(identity=learner.email)
    client.force_login(learner)
    add(client, url=f"{foreign.origin}/assertion.json")
    badge = ExternalBadge.objects.get()
    client.force_login(UserFactory())
    assert client.post(f"/my/badges/elsewhere/{badge.uuid}/check").status_code == 404
    assert client.post(f"/my/badges/elsewhere/{badge.uuid}/remove").status_code == 404
    assert ExternalBadge.objects.filter(pk=badge.pk).exists()
