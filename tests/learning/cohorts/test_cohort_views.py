"""The book-club screens: who sees what (others get 404), what they show, and that the
cohort page and the members page cost a fixed number of queries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning.cohorts import services
from learning.models import Cohort, CohortMember, CohortSession, Membership, Post
from tests.factories import (
    DEFAULT_PASSWORD,
    MembershipFactory,
    MicroCredentialIndexPageFactory,
    MicroCredentialPageFactory,
    UserFactory,
    onboarded,
)
from tests.throttling import limit

from .conftest import district_member, make_cohort, next_week

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")


def signed_in(client, user):
    assert client.login(email=user.email, password=DEFAULT_PASSWORD)
    return client


def test_a_district_admin_starts_a_book_club_and_sees_the_schedule(client, riverside, book, admin):
    signed_in(client, admin)
    home = client.get(reverse("learning:district_home", args=[riverside.slug]))
    assert "Start a book club" in home.content.decode()
    url = reverse("cohorts:create", args=[riverside.slug])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "Spring readers",
            "book": book.pk,
            "facilitators": [admin.pk],
            "start_date": next_week().isoformat(),
            "weekday": "3",
            "time_of_day": "16:30",
            "duration_minutes": "60",
            "time_zone": "America/Chicago",
            "visibility": "district",
            "min_attendance_percent": "75",
            "min_sessions_posted": "0",
            "reading_hours": "2",
        },
    )
    cohort = Cohort.objects.get(title="Spring readers")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Chapter 1: Part 1 (pp. 1–10)" in page
    assert "Prompt 3b?" in page
    assert "4:30 p.m." in page
    assert cohort.sessions.count() == 3
    home = client.get(reverse("learning:district_home", args=[riverside.slug])).content.decode()
    assert "Spring readers" in home


def test_a_bad_start_date_is_shown_on_the_form_and_nothing_is_created(
    client, riverside, book, admin
):
    signed_in(client, admin)
    response = client.post(
        reverse("cohorts:create", args=[riverside.slug]),
        {
            "title": "Too late",
            "book": book.pk,
            "facilitators": [admin.pk],
            "start_date": "2020-01-01",
            "weekday": "3",
            "time_of_day": "16:30",
            "duration_minutes": "60",
            "time_zone": "America/Chicago",
            "visibility": "district",
            "min_attendance_percent": "75",
            "min_sessions_posted": "0",
            "reading_hours": "0",
        },
    )
    assert response.status_code == 400
    assert "The start date is in the past" in response.content.decode()
    assert not Cohort.objects.exists()


def test_learners_and_other_districts_cannot_start_one(client, riverside):
    url = reverse("cohorts:create", args=[riverside.slug])
    signed_in(client, district_member(riverside))
    assert client.get(url).status_code == 404
    other_admin = MembershipFactory(role=Membership.Role.DISTRICT_ADMIN).user
    signed_in(client, other_admin)
    assert client.get(url).status_code == 404


def test_editing_a_meeting_from_the_schedule_page(client, cohort, admin):
    signed_in(client, admin)
    first = cohort.sessions.order_by("number").first()
    new_day = first.starts_at.date() + dt.timedelta(days=1)
    prefix = f"s{first.pk}"
    response = client.post(
        reverse("cohorts:session_edit", args=[cohort.pk, first.pk]),
        {
            f"{prefix}-title": first.title,
            f"{prefix}-reading": first.reading,
            f"{prefix}-date": new_day.isoformat(),
            f"{prefix}-time": "17:15",
            f"{prefix}-duration_minutes": "90",
            f"{prefix}-place": "Library, room 2",
            f"{prefix}-video_url": "",
            f"{prefix}-prompts": "What surprised you?\nWhat will you try?",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.place == "Library, room 2"
    assert first.prompts == ["What surprised you?", "What will you try?"]
    local = first.starts_at.astimezone(CHICAGO)
    assert (local.date(), local.time()) == (new_day, dt.time(17, 15))


def test_an_overlapping_meeting_is_refused_on_the_page(client, cohort, admin):
    signed_in(client, admin)
    first, second = cohort.sessions.order_by("number")[:2]
    local = second.starts_at.astimezone(CHICAGO)
    prefix = f"s{first.pk}"
    response = client.post(
        reverse("cohorts:session_edit", args=[cohort.pk, first.pk]),
        {
            f"{prefix}-title": first.title,
            f"{prefix}-date": local.date().isoformat(),
            f"{prefix}-time": local.strftime("%H:%M"),
            f"{prefix}-duration_minutes": "60",
            f"{prefix}-prompts": "",
        },
    )
    assert response.status_code == 400
    assert "would overlap" in response.content.decode()
    assert CohortSession.objects.get(pk=first.pk).starts_at == first.starts_at


def test_adding_a_member_from_the_roster(client, cohort, admin, riverside):
    teacher = district_member(riverside, user=UserFactory(display_name="Tess Teacher"))
    signed_in(client, admin)
    page = client.get(reverse("cohorts:members", args=[cohort.pk])).content.decode()
    assert "Tess Teacher" in page
    response = client.post(
        reverse("cohorts:member_add", args=[cohort.pk]), {"add-user": teacher.pk}
    )
    assert response.status_code == 302
    assert CohortMember.objects.get(cohort=cohort, user=teacher).state == "active"


def test_someone_outside_the_district_cannot_be_added(client, cohort, admin):
    outsider = MembershipFactory().user
    signed_in(client, admin)
    response = client.post(
        reverse("cohorts:member_add", args=[cohort.pk]), {"add-user": outsider.pk}
    )
    assert response.status_code == 400
    assert not CohortMember.objects.filter(user=outsider).exists()


def test_the_member_page_shows_this_weeks_reading_prompts_and_next_meeting(
    client, cohort, riverside
):
    teacher = onboarded(district_member(riverside))
    services.member_join(cohort=cohort, user=teacher)
    first = cohort.sessions.order_by("number").first()
    CohortSession.objects.filter(pk=first.pk).update(
        place="Library", video_url="https://meet.example/abc"
    )
    Post.objects.create(session=first, author=teacher, body="My first thought.")
    signed_in(client, teacher)
    menu = client.get(reverse("learning:dashboard")).content.decode()
    assert 'href="/book-clubs/"' in menu and "Book clubs" in menu
    page = client.get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()
    assert page.count("(1 post)") == 2 and "(0 posts)" in page  # this week, and the schedule
    assert "This week" in page
    # The week's heading names the chapter; the reading adds only its pages.
    assert "<h3>Chapter 1: Part 1</h3>" in page
    assert "<strong>Read before the meeting:</strong> pages 1–10</p>" in page
    assert "Chapter 1: Part 1 (pp. 1–10)" not in page
    assert "· pages 11–20</p>" in page  # the whole schedule, meeting 2
    assert "Prompt 1a?" in page and "Prompt 1b?" in page
    assert "Library" in page and "https://meet.example/abc" in page
    assert "America/Chicago" in page.replace("_", "")
    assert "0 of 3 meetings held" in page


def test_the_menu_has_no_book_clubs_for_people_without_one(client, riverside):
    signed_in(client, onboarded(district_member(riverside)))
    assert "Book clubs" not in client.get(reverse("learning:dashboard")).content.decode()


def test_a_member_signs_up_for_an_open_cohort(client, cohort, riverside):
    teacher = onboarded(district_member(riverside))
    signed_in(client, teacher)
    assert cohort.title in client.get(reverse("cohorts:list")).content.decode()
    response = client.post(reverse("cohorts:join", args=[cohort.pk]))
    assert response["Location"] == reverse("cohorts:detail", args=[cohort.pk])
    assert CohortMember.objects.get(cohort=cohort, user=teacher).state == "active"


def test_asking_with_a_code_and_the_facilitator_approves(client, riverside, book, admin):
    cohort = make_cohort(riverside, book, admin, visibility="code")
    teacher = onboarded(district_member(riverside, user=UserFactory(display_name="Cody")))
    signed_in(client, teacher)
    client.post(reverse("cohorts:request"), {"code": cohort.join_code.lower()})
    place = CohortMember.objects.get(cohort=cohort, user=teacher)
    assert place.state == "requested"
    assert client.get(reverse("cohorts:detail", args=[cohort.pk])).status_code == 404
    signed_in(client, admin)
    assert "Cody" in client.get(reverse("cohorts:members", args=[cohort.pk])).content.decode()
    client.post(reverse("cohorts:member_answer", args=[cohort.pk, place.pk, "approve"]))
    place.refresh_from_db()
    assert place.state == "active"


def test_wrong_book_club_codes_are_limited(client, settings, riverside, book, admin):
    cohort = make_cohort(riverside, book, admin, visibility="code")
    teacher = onboarded(district_member(riverside))
    limit(settings, "join-code", {"user": (2, 900)}, person=teacher)
    signed_in(client, teacher)
    for code in ("WRONG1", "WRONG2"):
        assert client.post(reverse("cohorts:request"), {"code": code}).status_code == 302
    refused = client.post(reverse("cohorts:request"), {"code": cohort.join_code})
    assert refused.status_code == 429
    assert "Too many codes that did not match" in refused.content.decode()
    assert not CohortMember.objects.filter(cohort=cohort, user=teacher).exists()


def test_an_invitation_is_accepted_by_the_invited_person_only(client, riverside, book, admin):
    cohort = make_cohort(riverside, book, admin, visibility="invitation")
    invited = onboarded(district_member(riverside))
    services.member_invite(cohort=cohort, user=invited, invited_by=admin)
    url = reverse("cohorts:invitation", args=[cohort.pk])
    signed_in(client, onboarded(district_member(riverside)))
    assert client.get(url).status_code == 404
    signed_in(client, invited)
    assert "Join the book club" in client.get(url).content.decode()
    client.post(url, {"answer": "accept"})
    assert CohortMember.objects.get(cohort=cohort, user=invited).state == "active"


def test_other_peoples_cohort_urls_answer_404(client, cohort, riverside, admin):
    session = cohort.sessions.first()
    place = CohortMember.objects.get(cohort=cohort, user=admin)
    participant_urls = [reverse("cohorts:detail", args=[cohort.pk])]
    runner_gets = [
        reverse("cohorts:schedule", args=[cohort.pk]),
        reverse("cohorts:members", args=[cohort.pk]),
        reverse("cohorts:edit", args=[cohort.pk]),
    ]
    runner_posts = [
        reverse("cohorts:open", args=[cohort.pk]),
        reverse("cohorts:session_edit", args=[cohort.pk, session.pk]),
        reverse("cohorts:session_merge", args=[cohort.pk, session.pk]),
        reverse("cohorts:session_split", args=[cohort.pk, session.pk]),
        reverse("cohorts:session_remove", args=[cohort.pk, session.pk]),
        reverse("cohorts:session_add", args=[cohort.pk]),
        reverse("cohorts:member_add", args=[cohort.pk]),
        reverse("cohorts:member_invite", args=[cohort.pk]),
        reverse("cohorts:member_answer", args=[cohort.pk, place.pk, "remove"]),
    ]
    before = list(CohortSession.objects.values_list("pk", "starts_at", "number"))
    other_admin = MembershipFactory(role=Membership.Role.DISTRICT_ADMIN).user
    stranger = onboarded(UserFactory())
    member = onboarded(district_member(riverside))
    services.member_join(cohort=cohort, user=member)
    for user in (other_admin, stranger):
        signed_in(client, user)
        for url in participant_urls + runner_gets:
            assert client.get(url).status_code == 404, (user, url)
        for url in runner_posts:
            assert client.post(url).status_code == 404, (user, url)
    signed_in(client, member)
    assert client.get(participant_urls[0]).status_code == 200
    for url in runner_gets:
        assert client.get(url).status_code == 404, url
    for url in runner_posts:
        assert client.post(url).status_code == 404, url
    assert list(CohortSession.objects.values_list("pk", "starts_at", "number")) == before
    assert CohortMember.objects.get(pk=place.pk).state == "active"


def test_a_session_of_another_cohort_answers_404(client, riverside, book, admin, cohort):
    other = make_cohort(riverside, book, admin, title="Other")
    foreign = other.sessions.first()
    signed_in(client, admin)
    url = reverse("cohorts:session_remove", args=[cohort.pk, foreign.pk])
    assert client.post(url).status_code == 404
    assert CohortSession.objects.filter(pk=foreign.pk).exists()


def query_count(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def fill(cohort, count: int) -> None:
    for _ in range(count):
        user = district_member(cohort.district)
        CohortMember.objects.create(cohort=cohort, user=user)


def test_the_cohort_page_and_members_page_cost_the_same_for_10_and_200_members(
    client, riverside, book, admin
):
    small = make_cohort(riverside, book, admin, title="Small")
    large = make_cohort(riverside, book, admin, title="Large")
    fill(small, 10)
    fill(large, 200)
    for _ in range(3):
        CohortMember.objects.create(cohort=large, user=district_member(riverside), state="waiting")
        CohortMember.objects.create(cohort=small, user=district_member(riverside), state="waiting")
    signed_in(client, admin)
    for name in ("cohorts:detail", "cohorts:members", "cohorts:schedule"):
        assert query_count(client, reverse(name, args=[small.pk])) == query_count(
            client, reverse(name, args=[large.pk])
        ), name
    # A member sees their own progress too: still the same cost.
    reader = district_member(riverside)
    for cohort in (small, large):
        CohortMember.objects.create(cohort=cohort, user=reader)
    client.force_login(reader)
    assert query_count(client, reverse("cohorts:detail", args=[small.pk])) == query_count(
        client, reverse("cohorts:detail", args=[large.pk])
    )


def test_the_form_offers_a_completion_badge_and_the_cohort_keeps_it(
    client, riverside, book, admin, home
):
    index = MicroCredentialIndexPageFactory(parent=home)
    badge = MicroCredentialPageFactory(parent=index, title="Reading Together Practitioner")
    draft = MicroCredentialPageFactory(parent=index, title="Not Published Yet")
    draft.unpublish()
    signed_in(client, admin)
    url = reverse("cohorts:create", args=[riverside.slug])
    form = client.get(url).content.decode()
    assert "Badge earned on completion (optional)" in form
    assert "Reading Together Practitioner" in form
    assert "Not Published Yet" not in form
    fields = {
        "title": "Spring readers",
        "book": book.pk,
        "facilitators": [admin.pk],
        "start_date": next_week().isoformat(),
        "weekday": "3",
        "time_of_day": "16:30",
        "duration_minutes": "60",
        "time_zone": "America/Chicago",
        "visibility": "district",
        "min_attendance_percent": "75",
        "min_sessions_posted": "0",
        "reading_hours": "2",
    }
    refused = client.post(url, {**fields, "completion_badge": draft.pk})
    assert refused.status_code == 400
    assert not Cohort.objects.filter(title="Spring readers").exists()
    assert client.post(url, {**fields, "completion_badge": badge.pk}).status_code == 302
    cohort = Cohort.objects.get(title="Spring readers")
    assert cohort.completion_badge_id == badge.pk

    # Editing the details shows the badge chosen and can take it away.
    edit = client.get(reverse("cohorts:edit", args=[cohort.pk])).content.decode()
    assert f'<option value="{badge.pk}" selected>' in edit
    fields.pop("book")
    client.post(reverse("cohorts:edit", args=[cohort.pk]), {**fields, "completion_badge": ""})
    cohort.refresh_from_db()
    assert cohort.completion_badge_id is None


def test_each_meeting_links_to_its_discussion_and_attendance(client, cohort, admin, riverside):
    member = district_member(riverside)
    CohortMember.objects.create(cohort=cohort, user=member)
    sessions = list(cohort.sessions.order_by("number"))
    signed_in(client, admin)
    schedule = client.get(reverse("cohorts:schedule", args=[cohort.pk])).content.decode()
    for session in sessions:
        assert reverse("cohort_participation:discussion", args=[cohort.pk, session.pk]) in schedule
        assert reverse("cohort_participation:attendance", args=[cohort.pk, session.pk]) in schedule
    client.logout()
    signed_in(client, member)
    page = client.get(reverse("cohorts:detail", args=[cohort.pk])).content.decode()
    for session in sessions:
        assert reverse("cohort_participation:discussion", args=[cohort.pk, session.pk]) in page
    assert "Take attendance" not in page
