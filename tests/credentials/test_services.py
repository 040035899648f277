from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from openbadges_bakery import unbake

from accounts.errors import LeapError
from credentials.models import Assertion, BadgeClass
from credentials.services.badges import (
    assertion_award,
    assertion_revoke,
    badge_class_for_micro_credential,
    identity_hash,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_badge_class_records_the_micro_credential(badge_class, micro_credential):
    assert badge_class.version == 1
    assert badge_class.name == "Data-Driven Instruction"
    assert (
        badge_class.criteria_url
        == "http://testserver/micro-credentials/" + micro_credential.slug + "/"
    )
    assert "Every rubric criterion must be met" in badge_class.criteria_narrative
    assert [a["targetCode"] for a in badge_class.alignments] == ["2.7", "CTO-10"]
    assert badge_class.alignments[0]["targetUrl"] == "http://testserver/frameworks/ISTE-E/2-7/"
    assert badge_class.alignments[0]["targetFramework"] == "ISTE Standards for Educators"
    assert badge_class.image.size > 0
    assert badge_class.issuer.is_platform


def test_unchanged_pages_reuse_the_version_and_changed_criteria_make_a_new_one(
    badge_class, micro_credential
):
    assert badge_class_for_micro_credential(page=micro_credential) == badge_class
    micro_credential.rubric = [
        {
            "type": "criterion",
            "value": {"title": "New", "meets": "New bar.", "feedback_guidance": "x"},
        }
    ]
    micro_credential.save_revision().publish()
    micro_credential.refresh_from_db()
    second = badge_class_for_micro_credential(page=micro_credential)
    assert second.version == 2
    assert second.pk != badge_class.pk
    assert BadgeClass.objects.get(pk=badge_class.pk).criteria_narrative != second.criteria_narrative


def test_award_hashes_the_email_with_its_own_salt_and_sets_expiry(
    badge_class, learner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assertion = assertion_award(recipient=learner, badge_class=badge_class)
    assert assertion.identity_hash == identity_hash("maya@school.example", assertion.salt)
    assert assertion.identity_hash.startswith("sha256$")
    other = assertion_award(recipient=UserFactory(), badge_class=badge_class)
    assert other.salt != assertion.salt
    expected = assertion.issued_on.replace(year=assertion.issued_on.year + 3)
    assert abs(assertion.expires_on - expected) < timedelta(days=1)
    # After commit: baked and e-mailed.
    assertion.refresh_from_db()
    assert assertion.baked_image
    assert [m.to for m in mail.outbox] == [["maya@school.example"]]
    assert "/public/assertions/" in mail.outbox[0].body


def test_awarding_twice_returns_the_same_assertion(badge_class, learner):
    first = assertion_award(recipient=learner, badge_class=badge_class)
    assert assertion_award(recipient=learner, badge_class=badge_class) == first
    assert Assertion.objects.count() == 1


def test_a_revoked_or_expired_badge_can_be_earned_again(badge_class, learner):
    first = assertion_award(recipient=learner, badge_class=badge_class)
    assertion_revoke(assertion=first, reason="Evidence was not the learner's own.", revoked_by=None)
    second = assertion_award(recipient=learner, badge_class=badge_class)
    assert second != first
    Assertion.objects.filter(pk=second.pk).update(expires_on=timezone.now() - timedelta(days=1))
    third = assertion_award(recipient=learner, badge_class=badge_class)
    assert third not in (first, second)
    assert Assertion.objects.filter(is_current=True).get() == third


def test_revoking_needs_a_reason(badge_class, learner):
    assertion = assertion_award(recipient=learner, badge_class=badge_class)
    with pytest.raises(LeapError, match="reason"):
        assertion_revoke(assertion=assertion, reason="   ", revoked_by=None)
    assertion.refresh_from_db()
    assert not assertion.revoked


def test_status_is_computed_from_dates_and_revocation(badge_class, learner):
    assertion = assertion_award(recipient=learner, badge_class=badge_class)
    assert assertion.status == "valid"
    assertion.expires_on = timezone.now() - timedelta(seconds=1)
    assert assertion.status == "expired"
    assertion.revoked = True
    assert assertion.status == "revoked"


def test_baking_round_trips(badge_class, learner, client):
    import json

    from credentials.openbadges.baking import assertion_bake

    assertion = assertion_bake(
        assertion=assertion_award(recipient=learner, badge_class=badge_class)
    )
    with assertion.baked_image.open("rb") as baked:
        embedded = json.loads(unbake(baked))
    assert embedded["id"].endswith(f"/public/assertions/{assertion.uuid}")
    assert embedded["recipient"]["identity"] == assertion.identity_hash


def test_baking_again_after_a_crash_or_a_replay_keeps_one_image(badge_class, learner, settings):
    from pathlib import Path

    from credentials.tasks import assertion_bake

    assertion = assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    for _ in range(3):
        assert assertion_bake(assertion.pk) == f"baked/{assertion.uuid}.png"
    assert [p.name for p in (Path(settings.MEDIA_ROOT) / "baked").iterdir()] == [
        f"{assertion.uuid}.png"
    ]


def test_without_an_explorer_alignments_still_have_a_target_url(micro_credential):
    from cms.models import FrameworkIndexPage

    FrameworkIndexPage.objects.all().delete()
    badge_class = badge_class_for_micro_credential(page=micro_credential)
    assert all(alignment["targetUrl"].startswith("http") for alignment in badge_class.alignments)


def test_an_unpublished_micro_credential_cannot_be_awarded(micro_credential):
    micro_credential.unpublish()
    micro_credential.refresh_from_db()
    with pytest.raises(LeapError, match="not published"):
        badge_class_for_micro_credential(page=micro_credential)
