"""The book-club screens: who sees what (others get 404), what they show, and that the
cohort page and the members page cost a fixed number of queries."""

import base64
import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from learning.cohorts import services
from learning.models import Cohort, CohortMember, CohortSession, Membership, Post
from tests.factories import (
    MembershipFactory,
    MicroCredentialIndexPageFactory,
    MicroCredentialPageFactory,
    UserFactory,
    onboarded,
)
from tests.learning.cohorts.factories import (
    CHICAGO,
    cohort_start,
    district_member,
    member_make,
    next_week,
    other_district_admin,
    query_count,
    said,
    signed_in,
)
from tests.throttling import limit

pytestmark = pytest.mark.django_db


def start_form(book, facilitator, **changes) -> dict:
    """What a district admin types to start "Spring readers", Wednesdays at 4:30 pm."""
    return {
        "title": "Spring readers",
        "book": book.pk,
        "facilitators": [facilitator.pk],
        "start_date": next_week().isoformat(),
        "weekday": "3",
        "time_of_day": "16:30",
        "duration_minutes": "60",
        "time_zone": "America/Chicago",
        "visibility": "district",
        "min_attendance_percent": "75",
        "min_sessions_posted": "0",
        "reading_hours": "2",
        **changes,
    }


def test_a_district_admin_starts_a_book_club_and_sees_the_schedule(client, district, book, admin):
    signed_in(client, admin)
    home = client.get(reverse("learning:district_home", args=[district.slug]))
    assert "Start a book club" in home.content.decode()
    url = reverse("cohorts:create", args=[district.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, start_form(book, admin))
    cohort = Cohort.objects.get(title="Spring readers")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Chapter 1: Part 1 (pp. 1–10)" in page
    assert "Prompt 3b?" in page
    assert "4:30 p.m." in page
    assert cohort.sessions.count() == 3
    home = client.get(reverse("learning:district_home", args=[district.slug])).content.decode()
    assert "Spring readers" in home


def test_a_bad_start_date_is_shown_on_the_form_and_nothing_is_created(
    client, district, book, admin
):
    signed_in(client, admin)
    response = client.post(
        reverse("cohorts:create", args=[district.slug]),
        start_form(book, admin, title="Too late", start_date="2020-01-01", reading_hours="0"),
    )
    assert response.status_code == 400
    assert "The start date is in the past" in response.content.decode()
    assert not Cohort.objects.exists()


def test_a_facilitator_who_names_only_a_colleague_still_leads_the_club(client, district, book):
    fran = district_member(district, role=Membership.Role.FACILITATOR)
    colleague = district_member(district)
    signed_in(client, fran)
    url = reverse("cohorts:create", args=[district.slug])
    assert client.post(url, start_form(book, colleague)).status_code == 302
    cohort = Cohort.objects.get(title="Spring readers")
    leads = CohortMember.objects.filter(cohort=cohort, role=CohortMember.Role.FACILITATOR)
    assert {place.user for place in leads} == {fran, colleague}


def test_learners_and_other_districts_cannot_start_one(client, district):
    url = reverse("cohorts:create", args=[district.slug])
    signed_in(client, district_member(district))
    assert client.get(url).status_code == 404
    other_admin = other_district_admin()
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


def test_adding_a_member_from_the_roster(client, cohort, admin, district):
    teacher = district_member(district, user=UserFactory(display_name="Tess Teacher"))
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
    client, cohort, district
):
    teacher = onboarded(district_member(district))
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


def test_the_menu_has_no_book_clubs_for_people_without_one(client, district):
    signed_in(client, onboarded(district_member(district)))
    assert "Book clubs" not in client.get(reverse("learning:dashboard")).content.decode()


def test_running_a_club_says_what_happened_or_why_not(client, district, book, admin):
    cohort = cohort_start(district, book, admin, open_=False)
    signed_in(client, admin)

    def post(name, *args, data=None):
        url = reverse(f"cohorts:{name}", args=[cohort.pk, *args])
        return said(client.post(url, data or {}, follow=True))

    assert post("open") == [("success", "“Reading together” is open: people can join now.")]
    assert post("open") == [
        ("error", "“Reading together” is not being planned any more, so it cannot be opened.")
    ]
    first = cohort.sessions.get(number=1)
    assert post("session_split", first.pk) == [
        ("success", "Split in two; the later meetings moved a week.")
    ]
    assert post("session_merge", first.pk) == [("success", "Merged with the next meeting.")]
    last = cohort.sessions.order_by("number").last()
    assert post("session_merge", last.pk) == [
        ("error", f"“{last.title}” is the last meeting: there is no next one to merge it with.")
    ]
    assert post("session_remove", last.pk) == [("success", "Meeting removed.")]
    assert cohort.sessions.count() == 2
    later = (last.starts_at + dt.timedelta(days=7)).astimezone(CHICAGO)
    meeting = {"date": later.date().isoformat(), "time": "16:00", "duration_minutes": "60"}
    added = {f"add-{name}": value for name, value in {**meeting, "title": "Wrap-up"}.items()}
    assert post("session_add", data=added) == [("success", "Meeting “Wrap-up” added.")]
    wrap_up = cohort.sessions.get(title="Wrap-up")
    edited = {
        f"s{wrap_up.pk}-{name}": value for name, value in {**meeting, "title": "Ending"}.items()
    }
    assert post("session_edit", wrap_up.pk, data=edited) == [("success", "Meeting “Ending” saved.")]
    details = {
        "title": "Reading together again",
        "facilitators": [admin.pk],
        "visibility": "district",
        "min_attendance_percent": "75",
        "min_sessions_posted": "0",
        "reading_hours": "0",
    }
    assert post("edit", data=details) == [("success", "Saved.")]
    assert Cohort.objects.get(pk=cohort.pk).title == "Reading together again"


def test_answering_people_says_what_happened(client, district, book, admin):
    cohort = cohort_start(district, book, admin, visibility="code")
    cody, dana = (
        onboarded(district_member(district, user=UserFactory(display_name=name)))
        for name in ("Cody Reader", "Dana Reader")
    )
    for person in (cody, dana):
        signed_in(client, person)
        asked = client.post(reverse("cohorts:request"), {"code": cohort.join_code}, follow=True)
        assert said(asked) == [
            (
                "success",
                "You asked to join “Reading together”. The facilitator will let you know.",
            )
        ]
    wrong = client.post(reverse("cohorts:request"), {"code": "NOTACODE"}, follow=True)
    assert said(wrong) == [
        (
            "error",
            "That code does not match a book club you can join. Check it with your facilitator.",
        )
    ]

    signed_in(client, admin)

    def answer(person, what):
        place = CohortMember.objects.get(cohort=cohort, user=person)
        url = reverse("cohorts:member_answer", args=[cohort.pk, place.pk, what])
        return said(client.post(url, follow=True))

    assert answer(cody, "approve") == [("success", "Cody Reader is in.")]
    assert answer(cody, "approve") == [("error", "That request has already been answered.")]
    assert answer(dana, "decline") == [("success", "Dana Reader's request was declined.")]
    assert not CohortMember.objects.filter(cohort=cohort, user=dana).exists()
    assert answer(cody, "remove") == [("success", "Cody Reader is no longer in the group.")]

    teacher = onboarded(district_member(district))
    services.member_add(cohort=cohort, user=teacher, added_by=admin)
    signed_in(client, teacher)
    left = client.post(reverse("cohorts:leave", args=[cohort.pk]), follow=True)
    assert said(left) == [("success", "You left “Reading together”.")]
    assert CohortMember.objects.get(cohort=cohort, user=teacher).state == "left"


def test_a_member_signs_up_for_an_open_cohort(client, cohort, district):
    teacher = onboarded(district_member(district))
    signed_in(client, teacher)
    assert cohort.title in client.get(reverse("cohorts:list")).content.decode()
    response = client.post(reverse("cohorts:join", args=[cohort.pk]))
    assert response["Location"] == reverse("cohorts:detail", args=[cohort.pk])
    assert CohortMember.objects.get(cohort=cohort, user=teacher).state == "active"


def test_asking_with_a_code_and_the_facilitator_approves(client, district, book, admin):
    cohort = cohort_start(district, book, admin, visibility="code")
    teacher = onboarded(district_member(district, user=UserFactory(display_name="Cody")))
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


def test_wrong_book_club_codes_are_limited(client, settings, district, book, admin):
    cohort = cohort_start(district, book, admin, visibility="code")
    teacher = onboarded(district_member(district))
    limit(settings, "join-code", {"user": (2, 900)}, person=teacher)
    signed_in(client, teacher)
    for code in ("WRONG1", "WRONG2"):
        assert client.post(reverse("cohorts:request"), {"code": code}).status_code == 302
    refused = client.post(reverse("cohorts:request"), {"code": cohort.join_code})
    assert refused.status_code == 429
    assert "Too many codes that did not match" in refused.content.decode()
    assert not CohortMember.objects.filter(cohort=cohort, user=teacher).exists()


def test_an_invitation_is_accepted_by_the_invited_person_only(client, district, book, admin):
    cohort = cohort_start(district, book, admin, visibility="invitation")
    invited = onboarded(district_member(district))
    services.member_invite(cohort=cohort, user=invited, invited_by=admin)
    url = reverse("cohorts:invitation", args=[cohort.pk])
    signed_in(client, onboarded(district_member(district)))
    assert client.get(url).status_code == 404
    signed_in(client, invited)
    assert "Join the book club" in client.get(url).content.decode()
    client.post(url, {"answer": "accept"})
    assert CohortMember.objects.get(cohort=cohort, user=invited).state == "active"


def test_other_peoples_cohort_urls_answer_404(client, cohort, district, admin):
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
    other_admin = other_district_admin()
    stranger = onboarded(UserFactory())
    member = onboarded(district_member(district))
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


def test_a_session_of_another_cohort_answers_404(client, district, book, admin, cohort):
    other = cohort_start(district, book, admin, title="Other")
    foreign = other.sessions.first()
    signed_in(client, admin)
    url = reverse("cohorts:session_remove", args=[cohort.pk, foreign.pk])
    assert client.post(url).status_code == 404
    assert CohortSession.objects.filter(pk=foreign.pk).exists()


def fill(cohort, count: int, **fields) -> None:
    for _ in range(count):
        member_make(cohort, district_member(cohort.district), **fields)


def test_the_cohort_page_and_members_page_cost_the_same_for_10_and_200_members(
    client, district, book, admin
):
    small = cohort_start(district, book, admin, title="Small")
    large = cohort_start(district, book, admin, title="Large")
    fill(small, 10)
    fill(large, 200)
    for club in (large, small):
        fill(club, 3, state="waiting")
    signed_in(client, admin)
    for name in ("cohorts:detail", "cohorts:members", "cohorts:schedule"):
        assert query_count(client, reverse(name, args=[small.pk])) == query_count(
            client, reverse(name, args=[large.pk])
        ), name
    # A member sees their own progress too: still the same cost.
    reader = district_member(district)
    for cohort in (small, large):
        CohortMember.objects.create(cohort=cohort, user=reader)
    client.force_login(reader)
    assert query_count(client, reverse("cohorts:detail", args=[small.pk])) == query_count(
        client, reverse("cohorts:detail", args=[large.pk])
    )


def test_the_form_offers_a_completion_badge_and_the_cohort_keeps_it(
    client, district, book, admin, home
):
    index = MicroCredentialIndexPageFactory(parent=home)
    badge = MicroCredentialPageFactory(parent=index, title="Reading Together Practitioner")
    draft = MicroCredentialPageFactory(parent=index, title="Not Published Yet")
    draft.unpublish()
    signed_in(client, admin)
    url = reverse("cohorts:create", args=[district.slug])
    form = client.get(url).content.decode()
    assert "Badge earned on completion (optional)" in form
    assert "Reading Together Practitioner" in form
    assert "Not Published Yet" not in form
    fields = start_form(book, admin)
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


def test_each_meeting_links_to_its_discussion_and_attendance(client, cohort, admin, district):
    member = district_member(district)
    member_make(cohort, member)
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


def test_the_district_home_pages_its_book_clubs_at_a_fixed_cost(client, district, book, admin):
    """Ten book clubs a page, newest first, each with its reading and how many take part;
    a district's years of book clubs cost no more than three."""
    from tests.learning.cohorts.factories import cohort_make

    url = reverse("learning:district_home", args=[district.slug])
    signed_in(client, admin)

    def make(n, first_day):
        made = []
        for i in range(n):
            cohort = cohort_make(
                district=district,
                book=book,
                title=f"Club {first_day + i:02}",
                start_date=dt.date(2027, 1, first_day + i),
            )
            member_make(cohort, state=CohortMember.State.ACTIVE)
            made.append(cohort)
        return made

    make(3, 1)
    few = query_count(client, url)
    make(10, 4)
    assert query_count(client, url) == few
    html = client.get(url).content.decode()
    section = html.split('id="book-clubs"')[1].split("</section>")[0]
    shown = re.findall(r">(Club \d\d)</a>", section)
    assert shown == [f"Club {day:02}" for day in range(13, 3, -1)]
    assert "Showing 1–10 of 13" in section and "Leading Together" in section
    following = re.search(r'href="([^"]*book_clubs_cursor=[^"]*)" rel="next"', section)
    rest = client.get(following.group(1).replace("&amp;", "&")).content.decode()
    rest = rest.split('id="book-clubs"')[1].split("</section>")[0]
    assert re.findall(r">(Club \d\d)</a>", rest) == ["Club 03", "Club 02", "Club 01"]
    cursor = re.search(r"book_clubs_cursor=([^&#]*)", following.group(1)).group(1)
    direction, key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert (direction, key) == ("a", Cohort.objects.get(title="Club 04").pk)  # no title in it
