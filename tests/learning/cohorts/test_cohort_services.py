"""Creating and running a cohort: its schedule and its members (learning/cohorts/services.py)."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.errors import LeapError
from accounts.models import Notification
from learning.cohorts import services
from learning.models import Cohort, CohortMember, CohortSession, Post
from tests.factories import (
    BookPageFactory,
    MembershipFactory,
    PathwayPageFactory,
    UserFactory,
    step,
)
from tests.learning.cohorts.factories import CHICAGO, cohort_start, district_member, next_week

pytestmark = pytest.mark.django_db


def schedule_of(cohort):
    return list(CohortSession.objects.filter(cohort=cohort).order_by("number"))


def snapshot(cohort):
    return [
        (s.number, s.title, s.reading, s.starts_at, s.duration_minutes, s.prompts, s.place)
        for s in schedule_of(cohort)
    ]


# Creating.


def test_creating_a_cohort_generates_a_weekly_schedule_from_the_books_sections(
    district, book, admin
):
    cohort = cohort_start(
        district,
        book,
        admin,
        open_=False,
        start_date=next_week(),
        weekday=2,
        time_of_day=dt.time(18, 30),
        duration_minutes=90,
    )
    assert cohort.status == Cohort.Status.DRAFT
    assert cohort.time_zone == "America/Chicago"  # the district's
    sessions = schedule_of(cohort)
    assert [s.reading for s in sessions] == [
        "Chapter 1: Part 1 (pp. 1–10)",
        "Chapter 2: Part 2 (pp. 11–20)",
        "Chapter 3: Part 3 (pp. 21–30)",
    ]
    assert sessions[1].prompts == ["Prompt 2a?", "Prompt 2b?"]
    local = [s.starts_at.astimezone(CHICAGO) for s in sessions]
    assert all(d.weekday() == 2 and d.time() == dt.time(18, 30) for d in local)
    assert [(b.date() - a.date()).days for a, b in zip(local, local[1:], strict=False)] == [7, 7]
    assert all(s.duration_minutes == 90 for s in sessions)
    facilitators = CohortMember.objects.filter(cohort=cohort, role="facilitator")
    assert [f.user for f in facilitators] == [admin]


def test_a_pathway_cohort_has_one_session_per_step(district, home, admin):
    pathway = PathwayPageFactory(
        parent=home,
        steps=[
            step("read", "Read the plan", instructions="<p>Read.</p>", url="", book=None),
            step("discuss", "Compare", prompt="What differs?"),
        ],
    )
    cohort = services.cohort_create(
        district=district,
        created_by=admin,
        details=services.CohortDetails(title="Pathway group", facilitators=(admin,)),
        plan=services.CohortPlan(
            pathway=pathway, start_date=next_week(), weekday=0, time_of_day=dt.time(15, 0)
        ),
    )
    assert [(s.reading, s.prompts) for s in schedule_of(cohort)] == [
        ("Read: Read the plan", []),
        ("Discuss: Compare", ["What differs?"]),
    ]


def test_a_district_admin_may_name_someone_else_as_the_only_facilitator(district, book, admin):
    colleague = district_member(district)
    cohort = cohort_start(district, book, admin, facilitators=[colleague])
    assert list(CohortMember.objects.filter(cohort=cohort).values_list("user", "role")) == [
        (colleague.pk, "facilitator")
    ]


@pytest.mark.parametrize(
    "change, message",
    [
        (
            # Two days back: one day back in UTC is still today in the district's zone
            # for the first hours of each UTC day.
            {"start_date": timezone.localdate() - dt.timedelta(days=2)},
            "The start date is in the past",
        ),
        ({"facilitators": []}, "Choose at least one facilitator"),
        ({"title": "  "}, "Give the cohort a title"),
        ({"time_zone": "Mars/Olympus"}, "is not a time zone we know"),
    ],
)
def test_bad_details_are_refused_and_nothing_is_created(district, book, admin, change, message):
    with pytest.raises(LeapError, match=message):
        cohort_start(district, book, admin, **change)
    assert not Cohort.objects.exists()


def test_a_facilitator_from_another_district_is_refused(district, book, admin):
    outsider = MembershipFactory().user
    with pytest.raises(LeapError, match="must be members of Riverside Unified"):
        cohort_start(district, book, admin, facilitators=[admin, outsider])
    assert not Cohort.objects.exists()


def test_a_first_meeting_already_past_today_is_refused(district, book, admin):
    now = timezone.now()
    today = now.astimezone(CHICAGO)
    with pytest.raises(LeapError, match="already have started"):
        services.cohort_create(
            district=district,
            created_by=admin,
            details=services.CohortDetails(title="Today", facilitators=(admin,)),
            plan=services.CohortPlan(
                book=book,
                start_date=today.date(),
                weekday=today.weekday(),
                time_of_day=(today - dt.timedelta(minutes=5)).time(),
            ),
            now=now,
        )
    assert not Cohort.objects.exists()


def test_a_book_without_sections_is_refused(district, home, admin):
    empty = BookPageFactory(parent=home, sections=[])
    with pytest.raises(LeapError, match="has no sections"):
        cohort_start(district, empty, admin)


# The schedule.


def test_a_meeting_can_be_moved_and_the_schedule_is_renumbered(cohort):
    first, second, third = schedule_of(cohort)
    services.session_update(
        session=first,
        starts_at=third.starts_at + dt.timedelta(days=2),
        duration_minutes=75,
        place="Library",
        video_url="https://meet.example/x",
        prompts=["New?", " ", "Other?"],
    )
    sessions = schedule_of(cohort)
    assert [s.reading.split(":")[0] for s in sessions] == ["Chapter 2", "Chapter 3", "Chapter 1"]
    assert sessions[2].place == "Library" and sessions[2].prompts == ["New?", "Other?"]
    assert sessions[2].duration_minutes == 75


def test_moving_a_meeting_into_the_past_or_onto_another_is_refused_and_changes_nothing(cohort):
    before = snapshot(cohort)
    first, second, _ = schedule_of(cohort)
    with pytest.raises(LeapError, match="has passed"):
        services.session_update(
            session=second,
            starts_at=timezone.now() - dt.timedelta(hours=1),
            duration_minutes=60,
            prompts=["x"],
        )
    with pytest.raises(LeapError, match="would overlap"):
        services.session_update(
            session=first,
            starts_at=second.starts_at + dt.timedelta(minutes=30),
            duration_minutes=60,
            prompts=["x"],
        )
    assert snapshot(cohort) == before


def test_a_past_meeting_keeps_its_time_but_its_place_can_be_corrected(cohort):
    first = schedule_of(cohort)[0]
    later = first.starts_at + dt.timedelta(hours=2)
    services.session_update(
        session=first,
        starts_at=first.starts_at,
        duration_minutes=60,
        place="Room 4",
        prompts=first.prompts,
        now=later,
    )
    assert schedule_of(cohort)[0].place == "Room 4"


def test_merging_two_meetings_joins_readings_and_prompts_and_keeps_posts(cohort):
    first, second, third = schedule_of(cohort)
    post = Post.objects.create(session=second, author=cohort.created_by, body="Early thoughts")
    services.session_merge(session=first)
    sessions = schedule_of(cohort)
    assert len(sessions) == 2
    assert sessions[0].reading == "Chapter 1: Part 1 (pp. 1–10); Chapter 2: Part 2 (pp. 11–20)"
    assert sessions[0].prompts == ["Prompt 1a?", "Prompt 1b?", "Prompt 2a?", "Prompt 2b?"]
    assert sessions[0].starts_at == first.starts_at
    assert [s.number for s in sessions] == [1, 2]
    assert sessions[1].pk == third.pk
    post.refresh_from_db()
    assert post.session_id == first.pk


def test_the_last_meeting_has_nothing_to_merge_with(cohort):
    before = snapshot(cohort)
    with pytest.raises(LeapError, match="no next one"):
        services.session_merge(session=schedule_of(cohort)[-1])
    assert snapshot(cohort) == before


def test_splitting_shares_the_prompts_and_moves_later_meetings_a_week(cohort):
    first, second, third = schedule_of(cohort)
    services.session_split(session=second)
    sessions = schedule_of(cohort)
    assert [s.title for s in sessions] == [
        "Chapter 1: Part 1",
        "Chapter 2: Part 2 (part 1)",
        "Chapter 2: Part 2 (part 2)",
        "Chapter 3: Part 3",
    ]
    assert sessions[1].prompts == ["Prompt 2a?"] and sessions[2].prompts == ["Prompt 2b?"]
    local = [s.starts_at.astimezone(CHICAGO) for s in sessions]
    assert [(b.date() - a.date()).days for a, b in zip(local, local[1:], strict=False)] == [7, 7, 7]
    assert {d.time() for d in local} == {dt.time(16, 0)}
    assert [s.number for s in sessions] == [1, 2, 3, 4]


def test_a_meeting_can_be_added_and_removed(cohort):
    last = schedule_of(cohort)[-1]
    added = services.session_add(
        cohort=cohort,
        title="Wrap-up",
        starts_at=last.starts_at + dt.timedelta(days=7),
        prompts=["What will you change?"],
    )
    assert [s.title for s in schedule_of(cohort)][-1] == "Wrap-up" and added.number == 4
    services.session_remove(session=schedule_of(cohort)[0])
    assert [s.number for s in schedule_of(cohort)] == [1, 2, 3]
    assert schedule_of(cohort)[0].title == "Chapter 2: Part 2"


def test_adding_an_overlapping_or_past_meeting_is_refused(cohort):
    before = snapshot(cohort)
    first = schedule_of(cohort)[0]
    with pytest.raises(LeapError, match="would overlap"):
        services.session_add(
            cohort=cohort, title="Extra", starts_at=first.starts_at + dt.timedelta(minutes=10)
        )
    with pytest.raises(LeapError, match="has passed"):
        services.session_add(
            cohort=cohort, title="Extra", starts_at=timezone.now() - dt.timedelta(days=1)
        )
    assert snapshot(cohort) == before


def test_a_meeting_with_posts_is_not_removed(cohort):
    first = schedule_of(cohort)[0]
    Post.objects.create(session=first, author=cohort.created_by, body="Hello")
    with pytest.raises(LeapError, match="stays in the schedule"):
        services.session_remove(session=first)
    assert len(schedule_of(cohort)) == 3


# Members.


def test_district_members_sign_up_and_outsiders_cannot(cohort, district):
    teacher = district_member(district)
    place = services.member_join(cohort=cohort, user=teacher)
    assert place.state == CohortMember.State.ACTIVE and place.joined_at
    with pytest.raises(LeapError, match="already in"):
        services.member_join(cohort=cohort, user=teacher)
    outsider = MembershipFactory().user
    with pytest.raises(LeapError, match="Only members of Riverside Unified"):
        services.member_join(cohort=cohort, user=outsider)
    assert not CohortMember.objects.filter(user=outsider).exists()


def test_sign_up_needs_an_open_cohort_open_to_the_district(district, book, admin):
    draft = cohort_start(district, book, admin, open_=False)
    by_code = cohort_start(district, book, admin, visibility="code", title="Coded")
    teacher = district_member(district)
    for cohort in (draft, by_code):
        with pytest.raises(LeapError, match="not open for sign-up"):
            services.member_join(cohort=cohort, user=teacher)


def test_a_full_cohort_puts_newcomers_on_the_waiting_list_and_promotes_in_order(
    district, book, admin, django_capture_on_commit_callbacks
):
    cohort = cohort_start(district, book, admin, capacity=2)
    first, second, third, fourth = (district_member(district) for _ in range(4))
    for user in (first, second, third, fourth):
        services.member_join(cohort=cohort, user=user)
    states = dict(CohortMember.objects.filter(cohort=cohort).values_list("user", "state"))
    assert [states[u.pk] for u in (first, second, third, fourth)] == [
        "active",
        "active",
        "waiting",
        "waiting",
    ]
    # The facilitator holds no member's place.
    assert states[admin.pk] == "active"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.member_leave(place=CohortMember.objects.get(cohort=cohort, user=first))
    assert [p.user for p in promoted] == [third]
    states = dict(CohortMember.objects.filter(cohort=cohort).values_list("user", "state"))
    assert (states[first.pk], states[third.pk], states[fourth.pk]) == ("left", "active", "waiting")
    assert Notification.objects.filter(user=third, message__contains="A place opened").exists()
    assert [m.to for m in mail.outbox] == [[third.email]]
    assert "a place opened" in mail.outbox[0].body.lower()


def test_waiting_order_follows_when_people_joined_the_list_not_their_ids(district, book, admin):
    cohort = cohort_start(district, book, admin, capacity=1)
    holder, early, late = (district_member(district) for _ in range(3))
    services.member_join(cohort=cohort, user=holder)
    late_place = services.member_join(cohort=cohort, user=late)
    early_place = services.member_join(cohort=cohort, user=early)
    # `early` got on the list first although their row was made second.
    CohortMember.objects.filter(pk=early_place.pk).update(
        state_changed_at=late_place.state_changed_at - dt.timedelta(seconds=1)
    )
    services.member_leave(place=CohortMember.objects.get(cohort=cohort, user=holder))
    assert CohortMember.objects.get(pk=early_place.pk).state == "active"
    assert CohortMember.objects.get(pk=late_place.pk).state == "waiting"


def test_more_places_promote_as_many_as_fit(district, book, admin):
    cohort = cohort_start(district, book, admin, capacity=1)
    people = [district_member(district) for _ in range(4)]
    for user in people:
        services.member_join(cohort=cohort, user=user)
    services.cohort_update(
        cohort=cohort,
        details=services.CohortDetails(
            title=cohort.title, facilitators=(admin,), capacity=3, visibility=cohort.visibility
        ),
    )
    states = [CohortMember.objects.get(cohort=cohort, user=u).state for u in people]
    assert states == ["active", "active", "active", "waiting"]


def test_an_admin_adds_from_the_roster_and_a_full_cohort_means_the_waiting_list(
    district, book, admin
):
    cohort = cohort_start(district, book, admin, capacity=1)
    one, two = district_member(district), district_member(district)
    assert services.member_add(cohort=cohort, user=one, added_by=admin).state == "active"
    assert services.member_add(cohort=cohort, user=two, added_by=admin).state == "waiting"
    with pytest.raises(LeapError, match="already on the waiting list"):
        services.member_add(cohort=cohort, user=two, added_by=admin)
    with pytest.raises(LeapError, match="Only members of"):
        services.member_add(cohort=cohort, user=UserFactory(), added_by=admin)


def test_joining_with_a_code_waits_for_the_facilitator(district, book, admin):
    cohort = cohort_start(district, book, admin, visibility="code")
    teacher = district_member(district)
    code = f" {cohort.join_code[:4].lower()}-{cohort.join_code[4:]} "
    place = services.member_request(code=code, user=teacher)
    assert place.state == "requested"
    with pytest.raises(LeapError, match="already asked"):
        services.member_request(code=cohort.join_code, user=teacher)
    assert services.member_approve(place=place).state == "active"
    with pytest.raises(LeapError, match="already been answered"):
        services.member_approve(place=place)


def test_a_wrong_code_or_an_outsider_is_told_the_code_does_not_match(district, book, admin):
    cohort = cohort_start(district, book, admin, visibility="code")
    with pytest.raises(LeapError, match="does not match"):
        services.member_request(code="NOPE2345", user=district_member(district))
    with pytest.raises(LeapError, match="does not match"):
        services.member_request(code=cohort.join_code, user=MembershipFactory().user)
    assert CohortMember.objects.filter(cohort=cohort).count() == 1


def test_a_declined_request_is_removed_and_the_person_told(district, book, admin):
    cohort = cohort_start(district, book, admin, visibility="code")
    teacher = district_member(district)
    place = services.member_request(code=cohort.join_code, user=teacher)
    services.member_decline(place=place)
    assert not CohortMember.objects.filter(cohort=cohort, user=teacher).exists()
    assert Notification.objects.filter(user=teacher, message__contains="not accepted").exists()


def test_an_invitation_is_emailed_and_accepted_into_a_place(
    district, book, admin, django_capture_on_commit_callbacks
):
    cohort = cohort_start(district, book, admin, visibility="invitation")
    teacher = district_member(district)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        place = services.member_invite(cohort=cohort, user=teacher, invited_by=admin)
    assert place.state == "invited"
    assert [m.to for m in mail.outbox] == [[teacher.email]]
    assert f"/book-clubs/{cohort.pk}/invitation/" in mail.outbox[0].body
    assert "Dee Admin invited you" in mail.outbox[0].body
    assert services.member_accept(place=place).state == "active"


def test_the_last_facilitator_cannot_leave(cohort, admin):
    place = CohortMember.objects.get(cohort=cohort, user=admin)
    with pytest.raises(LeapError, match="needs a facilitator"):
        services.member_leave(place=place)
    assert CohortMember.objects.get(pk=place.pk).state == "active"
