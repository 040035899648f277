"""The learner's dashboard lists their submissions underway: drafts, work in review with the
day a decision is due (on their district's calendar), and "not yet"s to act on; in a fixed
number of queries."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from credentials.services.evidence import submission_start
from credentials.services.review import pool_member_add, review_assign, review_record
from tests.credentials import test_evidence
from tests.credentials.test_evidence import criterion_ids, submitted
from tests.factories import (
    DistrictFactory,
    MembershipFactory,
    MicroCredentialPageFactory,
    UserFactory,
    onboarded,
)
from tests.learning.test_queries import query_count

pytestmark = pytest.mark.django_db

# The evidence tests' micro-credential (two criteria), reviewer pool and calibrated reviewer.
mc, pool, reviewer = test_evidence.mc, test_evidence.pool, test_evidence.reviewer

CALIFORNIA = ZoneInfo("America/Los_Angeles")


def section(html: str) -> str:
    return html.split('id="submissions-heading"')[1].split("</section>")[0]


def test_the_dashboard_shows_work_in_review_with_its_due_day(
    client, learner, mc, reviewer, settings, monkeypatch, django_capture_on_commit_callbacks
):
    onboarded(learner)
    MembershipFactory(user=learner, district=DistrictFactory(time_zone="America/Los_Angeles"))
    # Sent on Friday 27 Nov at 18:00 in California: due five business days later there.
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=CALIFORNIA).astimezone(UTC)
    monkeypatch.setattr(timezone, "now", lambda: friday_evening)
    settings.LEAP_REVIEW_DAYS = 5
    submission = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    draft_page = MicroCredentialPageFactory(parent=mc.get_parent(), title="Family Messages")
    draft = submission_start(learner=learner, page=draft_page)
    someone_else = UserFactory()
    not_mine = MicroCredentialPageFactory(parent=mc.get_parent(), title="Not Mine")
    submission_start(learner=someone_else, page=not_mine)

    client.force_login(learner)
    html = section(client.get(reverse("learning:dashboard")).content.decode())
    in_review = html.split("Data-Driven Instruction")[1].split("</li>")[0]
    assert "In review" in in_review and "…" in in_review  # symbol and word
    assert "Decision due by Fri 4 Dec" in in_review
    assert f'href="{reverse("submissions:detail", args=[submission.pk])}"' in html
    assert "Family Messages" in html and "Not sent yet: finish it and submit" in html
    assert f'href="{reverse("submissions:detail", args=[draft.pk])}"' in html
    assert "Not Mine" not in html
    assert f'href="{reverse("submissions:list")}"' in html


def test_before_a_reviewer_is_assigned_the_expected_day_is_shown(
    client, learner, mc, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """No reviewer yet (an empty pool): the due day counts from when it was sent."""
    onboarded(learner)
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: monday)
    settings.LEAP_REVIEW_DAYS = 5
    submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    client.force_login(learner)
    html = section(client.get(reverse("learning:dashboard")).content.decode())
    assert "Submitted" in html
    assert "A reviewer will be assigned soon. Decision expected by Mon 7 Dec" in html


def test_work_waiting_for_a_reviewer_never_shows_a_day_already_past(
    client, learner, mc, pool, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Sent on Monday 30 Nov; still no reviewer on Wednesday 9 Dec, after the day counted
    from sending (Mon 7 Dec). The dashboard counts from now, as assignment would: Wed 16 Dec,
    the very day a reviewer assigned at that moment is given."""
    onboarded(learner)
    settings.LEAP_REVIEW_DAYS = 5
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    submission = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    assert not submission.reviews.exists()
    wednesday = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: wednesday)
    client.force_login(learner)
    html = section(client.get(reverse("learning:dashboard")).content.decode())
    assert "Decision expected by Wed 16 Dec" in html
    assert "Mon 7 Dec" not in html

    pool_member_add(pool=pool, user=UserFactory(email="late@reviewers.example"))
    [review] = review_assign(submission=submission)
    assert timezone.localtime(review.due_at).date() == date(2026, 12, 16)
    html = section(client.get(reverse("learning:dashboard")).content.decode())
    assert "Decision due by Wed 16 Dec" in html


def test_a_not_yet_shows_until_the_next_attempt_and_earned_work_leaves(
    client, learner, mc, reviewer, django_capture_on_commit_callbacks
):
    onboarded(learner)
    first = submitted(learner, mc, execute=django_capture_on_commit_callbacks)
    [c1, c2] = criterion_ids(mc)
    with django_capture_on_commit_callbacks(execute=True):
        review_record(
            review=first.reviews.get(), scores={c1: ("meets", ""), c2: ("not_yet", "More.")}
        )
    client.force_login(learner)
    html = section(client.get(reverse("learning:dashboard")).content.decode())
    assert "Not yet" in html and "Feedback is ready: read it and try again" in html
    second = submission_start(learner=learner, page=mc)
    html = section(client.get(reverse("learning:dashboard")).content.decode())
    assert html.count("Data-Driven Instruction") == 1
    assert "(attempt 2)" in html and "Not sent yet" in html
    assert f'href="{reverse("submissions:detail", args=[second.pk])}"' in html


def test_the_dashboard_costs_the_same_queries_with_more_submissions(
    client, mc, reviewer, django_capture_on_commit_callbacks
):
    counts = []
    for size in (2, 6):
        learner = onboarded(UserFactory())
        for n in range(size):
            page = MicroCredentialPageFactory(parent=mc.get_parent(), title=f"Badge {size}-{n}")
            submission_start(learner=learner, page=page)
        submitted(learner, mc, execute=django_capture_on_commit_callbacks)
        client.force_login(learner)
        counts.append(query_count(client, reverse("learning:dashboard")))
    assert counts[0] == counts[1], counts
