"""Completing a cohort: the rule, the hours on the transcript (once), and the badge (a
real Open Badge, with the synthesis as evidence only when the member agreed)."""

import datetime as dt
import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from credentials.models import Assertion
from learning.cohorts.completion import cohorts_completion_check, completion_check, progress_get
from learning.models import Attendance, CohortMember, CreditEntry
from tests.factories import (
    MicroCredentialIndexPageFactory,
    MicroCredentialPageFactory,
    UserFactory,
)
from tests.learning.cohorts.factories import (
    attend,
    cohort_make,
    member_make,
    post,
    signed_in,
)

ROOT = Path(__file__).resolve().parents[3]
VALIDATOR_PYTHON = ROOT / ".venv-validator" / "bin" / "python"
VALIDATOR_SCRIPT = ROOT / "tests" / "credentials" / "validator_check.py"

# Four meetings in February 2027 (7 pm Chicago); "after" is once all have ended.
MEETINGS = [
    (dt.datetime(2027, 2, day, 19, 0), minutes)
    for day, minutes in [(3, 60), (10, 90), (17, 60), (24, 90)]
]
AFTER = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def cohort(db):
    return cohort_make(sessions=MEETINGS, min_attendance_percent=75, min_sessions_posted=2)


def sessions_of(cohort):
    return list(cohort.sessions.order_by("number"))


def test_meeting_the_rule_completes_once_with_meeting_and_reading_hours(cohort, client):
    member = member_make(cohort, UserFactory(display_name="Ana Díaz"))
    one, two, three, four = sessions_of(cohort)
    attend(one, member.user)
    attend(two, member.user, Attendance.Status.LATE)  # late counts as attended
    attend(three, member.user, Attendance.Status.ABSENT)
    attend(four, member.user)
    post(one, member.user)
    assert completion_check(member=member, now=AFTER) is False  # posts in 1 session of 2
    post(three, member.user)
    # Before the last meeting ends, nothing is final yet.
    assert (
        completion_check(member=member, now=dt.datetime(2027, 2, 25, 1, 0, tzinfo=dt.UTC)) is False
    )

    assert completion_check(member=member, now=AFTER) is True
    member.refresh_from_db()
    assert member.state == CohortMember.State.COMPLETED and member.completed_at == AFTER
    entry = CreditEntry.objects.get(user=member.user)
    # 60 + 90 + 90 minutes attended = 4 h, plus 2 h of reading.
    assert (entry.source, entry.source_key, entry.hours) == (
        "cohort",
        f"cohort:{cohort.pk}",
        Decimal("6.0"),
    )
    assert entry.page_id == cohort.book_id and entry.earned_on == dt.date(2027, 3, 1)

    assert completion_check(member=member, now=AFTER) is False
    assert cohorts_completion_check(now=AFTER) == 0
    assert CreditEntry.objects.filter(user=member.user).count() == 1

    signed_in(client, member.user)
    response = client.get(reverse("learning:transcript"))
    page = response.content.decode()
    assert "Empowered Educators (book club)" in page and "Book club or cohort" in page
    assert response.status_code == 200
    assert '<td class="numeric">6</td>' in page and "2026–27 school year: 6 hours" in page


def test_too_few_meetings_or_no_synthesis_means_not_yet(cohort):
    cohort.requires_synthesis = True
    cohort.min_sessions_posted = 0
    cohort.save()
    member = member_make(cohort)
    one, two, three, _four = sessions_of(cohort)
    attend(one, member.user)
    attend(two, member.user)
    attend(three, member.user, Attendance.Status.EXCUSED)  # excused is not attended
    progress = progress_get(cohort=cohort, user_id=member.user_id, now=AFTER)
    assert (progress.attended, progress.attendance_needed) == (2, 3)
    assert completion_check(member=member, now=AFTER) is False
    attend(_four, member.user)
    assert completion_check(member=member, now=AFTER) is False  # no synthesis yet
    synthesis = post(_four, member.user, "I will change my exit tickets.", is_synthesis=True)
    synthesis.hidden_at = AFTER  # a hidden post does not count
    synthesis.save()
    assert completion_check(member=member, now=AFTER) is False
    post(_four, member.user, "Next year: student-led conferences.", is_synthesis=True)
    assert completion_check(member=member, now=AFTER) is True


def test_facilitators_and_people_who_left_do_not_complete(cohort):
    cohort.min_sessions_posted = 0
    cohort.save()
    facilitator = member_make(cohort, role=CohortMember.Role.FACILITATOR)
    left = member_make(cohort, state=CohortMember.State.LEFT)
    for member in (facilitator, left):
        for session in sessions_of(cohort):
            attend(session, member.user)
        assert completion_check(member=member, now=AFTER) is False
    assert not CreditEntry.objects.exists()


def test_the_nightly_check_completes_members_of_finished_series_only(cohort):
    cohort.min_sessions_posted = 0
    cohort.save()
    done, short = member_make(cohort), member_make(cohort)
    for session in sessions_of(cohort):
        attend(session, done.user)
    attend(sessions_of(cohort)[0], short.user)
    running = cohort_make(
        sessions=[(dt.datetime(2027, 2, 3, 19, 0), 60), (dt.datetime(2027, 3, 10, 19, 0), 60)],
        min_attendance_percent=50,
    )
    early = member_make(running)
    attend(running.sessions.get(number=1), early.user)
    assert cohorts_completion_check(now=AFTER) == 1
    assert set(CohortMember.objects.filter(state="completed").values_list("pk", flat=True)) == {
        done.pk
    }


@pytest.fixture
def badge_cohort(home, cohort):
    index = MicroCredentialIndexPageFactory(parent=home)
    cohort.completion_badge = MicroCredentialPageFactory(
        parent=index, title="Book Club: Empowered Educators", pd_hours=1
    )
    cohort.min_sessions_posted = 0
    cohort.requires_synthesis = True
    cohort.save()
    return cohort


def complete(cohort, member, synthesis="I will let students choose how they show learning."):
    for session in sessions_of(cohort):
        attend(session, member.user)
    post(sessions_of(cohort)[-1], member.user, synthesis, is_synthesis=True)
    assert completion_check(member=member, now=AFTER) is True


def test_completing_awards_the_badge_with_the_synthesis_only_if_shared(
    badge_cohort, django_capture_on_commit_callbacks
):
    sharing = member_make(badge_cohort, share_synthesis_as_evidence=True)
    private = member_make(badge_cohort)
    with django_capture_on_commit_callbacks(execute=True):
        complete(badge_cohort, sharing)
        complete(badge_cohort, private)
    shared = Assertion.objects.get(recipient=sharing.user)
    kept = Assertion.objects.get(recipient=private.user)
    assert shared.badge_class.micro_credential_id == badge_cohort.completion_badge_id
    assert shared.narrative == "I will let students choose how they show learning."
    assert kept.narrative == ""
    # The club's line carries the hours; the badge is on the transcript with none of its own.
    ledger = dict(CreditEntry.objects.filter(user=sharing.user).values_list("source", "hours"))
    assert ledger["badge"] == 0 and ledger["cohort"] > 0

    # Running the award again (a retried task) issues nothing new.
    from credentials.tasks import cohort_badge_award

    assert cohort_badge_award(sharing.pk) == str(shared.uuid)
    assert Assertion.objects.filter(recipient=sharing.user).count() == 1
    # Not completed: nothing is awarded.
    pending = member_make(badge_cohort)
    assert cohort_badge_award(pending.pk) == ""
    assert not Assertion.objects.filter(recipient=pending.user).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_cohort_badge_is_valid_in_the_official_validator(live_server, settings, badge_cohort):
    settings.SITE_URL = live_server.url
    member = member_make(badge_cohort, UserFactory(email="lee@school.example"))
    complete(badge_cohort, member)  # outside a transaction: the award is queued and run
    assertion = Assertion.objects.get(recipient=member.user)
    if not VALIDATOR_PYTHON.exists():
        pytest.fail("The validator is not installed: link or build .venv-validator.")
    done = subprocess.run(
        [
            str(VALIDATOR_PYTHON),
            str(VALIDATOR_SCRIPT),
            f"{live_server.url}/public/assertions/{assertion.uuid}",
            "lee@school.example",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    verdict = json.loads(done.stdout.strip().splitlines()[-1])
    assert verdict["errors"] == [] and verdict["valid"] is True


def test_taking_attendance_at_the_last_meeting_completes_who_has_met_the_rule(cohort):
    """The facilitator's attendance and a member's post are what complete them: nobody has to
    wait for the nightly check."""
    from learning.cohorts.attendance import attendance_record
    from learning.cohorts.discussion import post_create

    ana, ben = member_make(cohort).user, member_make(cohort).user
    facilitator = UserFactory()
    one, two, three, four = sessions_of(cohort)
    for session in (one, two, three):
        attend(session, ana)
        attend(session, ben, Attendance.Status.ABSENT)
    post(one, ana)
    attendance_record(
        session=four,
        by=facilitator,
        statuses={ana.pk: Attendance.Status.PRESENT, ben.pk: Attendance.Status.PRESENT},
        now=AFTER,
    )
    states = dict(CohortMember.objects.filter(cohort=cohort).values_list("user_id", "state"))
    # Ana attended all four but has posted in one session of the two asked for; Ben missed three.
    assert states == {ana.pk: "active", ben.pk: "active"}

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.now", lambda: AFTER)
        post_create(session=two, author=ana, body="What I will change: exit tickets.")
    states = dict(CohortMember.objects.filter(cohort=cohort).values_list("user_id", "state"))
    assert states == {ana.pk: "completed", ben.pk: "active"}
    assert CreditEntry.objects.filter(user=ana, source_key=f"cohort:{cohort.pk}").count() == 1
