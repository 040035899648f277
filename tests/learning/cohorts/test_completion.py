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
from learning.cohorts.reports import participation_member_list
from learning.models import Attendance, CohortMember, CreditEntry
from tests.factories import (
    MicroCredentialIndexPageFactory,
    MicroCredentialPageFactory,
    UserFactory,
)
from tests.learning.cohorts.factories import (
    attend,
    cohort_make,
    facilitator_make,
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


def at(day: int, hour: int = 12) -> dt.datetime:
    """A moment in February 2027 (UTC): meeting 3 has ended by the 18th, meeting 4 by the 25th."""
    return dt.datetime(2027, 2, day, hour, 0, tzinfo=dt.UTC)


def test_meeting_the_rule_completes_at_once_with_the_hours_so_far_and_the_reading(cohort, client):
    member = member_make(cohort, UserFactory(display_name="Ana Díaz"))
    one, two, three, four = sessions_of(cohort)
    attend(one, member.user)
    attend(two, member.user, Attendance.Status.LATE)  # late counts as attended
    post(one, member.user)
    # Two of the three meetings needed (75% of all four), posts in one session of two.
    assert completion_check(member=member, now=at(18)) is False
    attend(three, member.user)
    assert completion_check(member=member, now=at(18)) is False  # still one session posted
    post(three, member.user)

    # Meeting 4 is still ahead: the rule is met all the same, and completing does not wait.
    assert completion_check(member=member, now=at(18)) is True
    member.refresh_from_db()
    assert member.state == CohortMember.State.COMPLETED and member.completed_at == at(18)
    entry = CreditEntry.objects.get(user=member.user)
    # 60 + 90 + 60 minutes attended = 3.5 h, plus 2 h of reading.
    assert (entry.source, entry.source_key, entry.hours) == (
        "cohort",
        f"cohort:{cohort.pk}",
        Decimal("5.5"),
    )
    assert entry.page_id == cohort.book_id and entry.earned_on == dt.date(2027, 2, 18)

    # Checked again (another post, the nightly run): nothing more, the entry as it was.
    assert completion_check(member=member, now=at(19)) is False
    assert cohorts_completion_check(now=at(19)) == 0
    assert list(CreditEntry.objects.filter(user=member.user)) == [entry]

    # They come to meeting 4 too: that meeting's 1.5 h is an entry of its own, once.
    attend(four, member.user)
    assert completion_check(member=member, now=at(25)) is False
    assert completion_check(member=member, now=at(25)) is False
    assert cohorts_completion_check(now=at(26)) == 0
    later = CreditEntry.objects.get(
        user=member.user, source_key=f"cohort:{cohort.pk}:meeting:{four.pk}"
    )
    assert (later.source, later.hours, later.earned_on) == (
        "cohort",
        Decimal("1.5"),
        dt.date(2027, 2, 24),
    )
    assert later.title == "Empowered Educators (book club): meeting 4, Chapter 4"
    entry.refresh_from_db()
    assert entry.hours == Decimal("5.5")  # the ledger is never edited
    assert CreditEntry.objects.filter(user=member.user).count() == 2
    # The district's report and the final report count both lines.
    [place] = participation_member_list(district=cohort.district, now=AFTER)
    assert place.hours_credited == Decimal("7.0")

    signed_in(client, member.user)
    response = client.get(reverse("learning:transcript"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Empowered Educators (book club)" in page and "Book club or cohort" in page
    assert "Empowered Educators (book club): meeting 4, Chapter 4" in page
    assert '<td class="numeric">5.5</td>' in page and '<td class="numeric">1.5</td>' in page
    assert "2026–27 school year: 7 hours" in page


def test_completing_cannot_be_lost(cohort):
    member = member_make(cohort)
    one, two, three, _four = sessions_of(cohort)
    for session in (one, two, three):
        attend(session, member.user)
    first, second = post(one, member.user), post(two, member.user)
    assert completion_check(member=member, now=at(18)) is True
    # Afterwards a post is hidden and a mark changed: they stay completed, with their hours.
    second.hidden_at = at(19)
    second.save()
    Attendance.objects.filter(session=three, user=member.user).update(status="absent")
    assert progress_get(cohort=cohort, user_id=member.user_id).met is False
    assert completion_check(member=member, now=at(20)) is False
    assert cohorts_completion_check(now=at(20)) == 0
    member.refresh_from_db()
    assert member.state == CohortMember.State.COMPLETED
    [entry] = CreditEntry.objects.filter(user=member.user)
    assert entry.hours == Decimal("5.5") and first.hidden_at is None


def test_too_few_meetings_or_no_synthesis_means_not_yet(cohort):
    cohort.requires_synthesis = True
    cohort.min_sessions_posted = 0
    cohort.save()
    member = member_make(cohort)
    one, two, three, _four = sessions_of(cohort)
    attend(one, member.user)
    attend(two, member.user)
    attend(three, member.user, Attendance.Status.EXCUSED)  # excused is not attended
    progress = progress_get(cohort=cohort, user_id=member.user_id)
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


def test_the_nightly_check_completes_whoever_has_met_the_rule(cohort, home):
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
    early = member_make(running)  # half of the meetings already: done before the last one
    attend(running.sessions.get(number=1), early.user)
    assert cohorts_completion_check(now=AFTER) == 2
    assert set(CohortMember.objects.filter(state="completed").values_list("pk", flat=True)) == {
        done.pk,
        early.pk,
    }
    assert cohorts_completion_check(now=AFTER) == 0
    assert CreditEntry.objects.count() == 2


def complete_before_the_last(cohort, user=None) -> CohortMember:
    """A member who came to meetings 1 to 3 (no posts asked for) and completed on 18
    February, with meeting 4 still ahead: 5.5 hours credited."""
    cohort.min_sessions_posted = 0
    cohort.save()
    member = member_make(cohort, user)
    for session in sessions_of(cohort)[:3]:
        attend(session, member.user)
    assert completion_check(member=member, now=at(18)) is True
    return member


def test_the_nightly_check_credits_a_later_meeting_once(cohort):
    """A meeting recorded for a completed member without the immediate check (written
    straight to the table here) is credited by the nightly run, once."""
    member = complete_before_the_last(cohort)
    four = sessions_of(cohort)[-1]
    attend(four, member.user, Attendance.Status.LATE)
    assert cohorts_completion_check(now=AFTER) == 0
    assert cohorts_completion_check(now=AFTER) == 0
    assert sorted(CreditEntry.objects.values_list("source_key", "hours")) == [
        (f"cohort:{cohort.pk}", Decimal("5.5")),
        (f"cohort:{cohort.pk}:meeting:{four.pk}", Decimal("1.5")),
    ]


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


def test_completing_early_awards_the_badge_once(badge_cohort, django_capture_on_commit_callbacks):
    member = member_make(badge_cohort)
    one, two, three, four = sessions_of(badge_cohort)
    with django_capture_on_commit_callbacks(execute=True):
        for session in (one, two, three):
            attend(session, member.user)
        post(three, member.user, "I will start with a listening tour.", is_synthesis=True)
        assert completion_check(member=member, now=at(18)) is True
        attend(four, member.user)
        assert completion_check(member=member, now=at(25)) is False
        assert cohorts_completion_check(now=AFTER) == 0
    [assertion] = Assertion.objects.filter(recipient=member.user)
    assert assertion.badge_class.micro_credential_id == badge_cohort.completion_badge_id
    assert CreditEntry.objects.filter(user=member.user, source="cohort").count() == 2


def test_a_completed_member_who_checks_in_is_credited_for_that_meeting(cohort):
    from learning.cohorts.attendance import checkin_code, checkin_submit

    member = complete_before_the_last(cohort)
    four = sessions_of(cohort)[-1]
    arriving = four.starts_at + dt.timedelta(minutes=5)
    code = checkin_code(session=four, at=arriving)
    checkin_submit(session=four, user=member.user, code=code, now=arriving)
    checkin_submit(session=four, user=member.user, code=code, now=arriving)  # twice: once
    entry = CreditEntry.objects.get(source_key=f"cohort:{cohort.pk}:meeting:{four.pk}")
    assert entry.hours == Decimal("1.5") and entry.user == member.user


def test_a_mark_changed_after_the_credit_keeps_the_hours_and_says_so(cohort, client, monkeypatch):
    """The facilitator may correct a mark; the hours already credited stay on the
    transcript (the ledger is never edited), and the attendance page says so."""
    ana = complete_before_the_last(cohort, UserFactory(display_name="Ana Díaz")).user
    fran = facilitator_make(cohort, UserFactory(display_name="Fran Lee")).user
    four = sessions_of(cohort)[-1]
    monkeypatch.setattr("django.utils.timezone.now", lambda: AFTER)
    client.force_login(fran)
    url = reverse("cohort_participation:attendance", args=[cohort.pk, four.pk])
    client.post(url, {f"status_{ana.pk}": "present"})
    assert CreditEntry.objects.filter(user=ana).count() == 2

    # Present at meeting 4 was a mistake: the mark changes, the credit stays, and she is named.
    response = client.post(url, {f"status_{ana.pk}": "absent"}, follow=True)
    page = response.content.decode()
    assert Attendance.objects.get(session=four, user=ana).status == "absent"
    assert (
        "Ana Díaz was credited with this meeting&#x27;s hours when marked present or late. "
        "Credit once given is not taken back, so the hours stay on their transcript."
    ) in page
    assert "the hours stay on their transcript.</span>" in page  # the row's own note
    # Marked present again: still one entry for the meeting.
    client.post(url, {f"status_{ana.pk}": "present"})
    assert sorted(CreditEntry.objects.filter(user=ana).values_list("source_key", "hours")) == [
        (f"cohort:{cohort.pk}", Decimal("5.5")),
        (f"cohort:{cohort.pk}:meeting:{four.pk}", Decimal("1.5")),
    ]
    page = client.get(url).content.decode()
    assert "the hours stay on their transcript" not in page


def test_members_completed_before_the_credit_marks_are_not_credited_twice(cohort):
    """The migration that adds `credited_at` (learning …_attendance_credited_at) marks the
    meetings of members who completed under the old rule (after every meeting), so the
    nightly check adds nothing for them."""
    import importlib
    import pkgutil

    from django.apps import apps

    import learning.migrations

    # Found by its name, whatever number it has when merged.
    [name] = [
        module.name
        for module in pkgutil.iter_modules(learning.migrations.__path__)
        if module.name.endswith("_attendance_credited_at")
    ]
    fill = importlib.import_module(f"learning.migrations.{name}")
    member = member_make(cohort, state=CohortMember.State.COMPLETED, completed_at=AFTER)
    for session in sessions_of(cohort):
        attend(session, member.user)
    attend(sessions_of(cohort)[0], member_make(cohort).user)  # not completed: left alone
    fill.credited_at_fill(apps, None)
    assert set(Attendance.objects.values_list("user_id", "credited_at")) == {
        (member.user_id, AFTER),
        (CohortMember.objects.exclude(pk=member.pk).get().user_id, None),
    }
    assert cohorts_completion_check(now=AFTER) == 0
    assert not CreditEntry.objects.exists()


def test_the_member_sees_what_is_left_then_that_they_completed(cohort, client):
    cohort.requires_synthesis = True
    cohort.save()
    ana = member_make(cohort, UserFactory(display_name="Ana Díaz"))
    one, two, three, _four = sessions_of(cohort)
    attend(one, ana.user)
    attend(two, ana.user)
    post(one, ana.user)
    client.force_login(ana.user)
    url = reverse("cohorts:detail", args=[cohort.pk])
    page = client.get(url).content.decode()
    assert "Your progress" in page
    assert "Come to 3 of the 4 meetings: 2 so far." in page
    assert "Post in the discussion of 2 meetings: 1 so far." in page
    assert "a post on what you will take back to your classroom or school. Not written yet:" in page
    assert "Done</span>" not in page

    attend(three, ana.user)
    post(three, ana.user, "Next term I will start with a listening tour.", is_synthesis=True)
    page = client.get(url).content.decode()
    assert page.count("Done</span>") == 3  # the check runs when things are recorded; not yet
    assert completion_check(member=ana, now=at(18)) is True
    page = client.get(url).content.decode()
    assert "You completed this book club on 18 February 2027." in page
    assert "You are welcome at the meetings still ahead" in page
    assert "Come to 3 of the 4 meetings" not in page
