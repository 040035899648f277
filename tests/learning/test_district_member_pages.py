"""A district's members and open invitations a page at a time (issue 16): keyset pages, not
OFFSET; the members' progress figures worked out for the page shown only; the filters and
the other list's place kept by every link; everyone once, whoever joins between pages; a
cursor that is not ours gives page one; nobody from another district; the same queries at
any size and depth. Facilitators' roster too."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learning import selectors, services
from learning.models import Membership, School
from learning.selectors import MEMBER_ORDERING, ROSTER_ORDERING
from tests.cms.test_pagination import BREAKING_CURSORS
from tests.factories import DistrictFactory, MembershipFactory

pytestmark = pytest.mark.django_db

# Several people share a name: the order among them is settled by the membership's id.
NAMES = ["Ana Díaz", "Ben Cole", "Ben Cole", "Cam Lee", "Dev Rao", "Eli Park", "Eli Park"]


def home_url(district) -> str:
    return reverse("learning:district_home", args=[district.slug])


def members_of(district, n: int, *, start: int = 0, **kwargs) -> list[Membership]:
    return [
        MembershipFactory(
            district=district, user__display_name=f"{NAMES[i % len(NAMES)]} {i // 20}", **kwargs
        )
        for i in range(start, start + n)
    ]


def section(text: str, section_id: str) -> str:
    return text.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]


def shown_members(text: str, district) -> list[int]:
    return [
        int(pk)
        for pk in re.findall(
            rf'href="/district/{district.slug}/members/(\d+)/"', section(text, "members")
        )
    ]


def shown_invitations(text: str) -> list[str]:
    if 'class="table invitations"' not in text:
        return []
    return re.findall(r'<th scope="row">([^<]+)</th>', section(text, "invitations"))


def link(text: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', text)
    return html.unescape(found.group(1)) if found else None


def walk(client, url: str, *, part: str = "members", rel: str = "next") -> list[str]:
    """Every page from `url`, following one list's `rel` links: the texts."""
    texts = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.content.decode())
        assert len(texts) <= 10, "the links go round in circles"
        url = link(section(texts[-1], part), rel)
    return texts


def member_order(district, **filters) -> list[int]:
    return list(
        Membership.objects.filter(district=district, **filters)
        .order_by(*MEMBER_ORDERING)
        .values_list("pk", flat=True)
    )


def test_next_visits_every_member_once_active_first_by_name(client, district, district_admin):
    members_of(district, 70)
    members_of(district, 10, start=70, is_active=False)
    client.force_login(district_admin)
    pages = walk(client, home_url(district))
    assert [len(shown_members(text, district)) for text in pages] == [50, 31]
    assert [pk for text in pages for pk in shown_members(text, district)] == member_order(district)
    assert "81 members, active first, by name." in pages[0]
    assert "Showing 1–50 of 81" in pages[0] and "Showing 51–81 of 81" in pages[1]
    assert 'aria-label="Pages of members"' in pages[1]
    first_again = client.get(link(section(pages[1], "members"), "prev")).content.decode()
    assert shown_members(first_again, district) == shown_members(pages[0], district)


def test_figures_are_right_on_a_later_page_and_worked_out_for_it_alone(
    client, district, district_admin, catalogue
):
    members_of(district, 55)
    last = MembershipFactory(district=district, user__display_name="Zed Young").user
    services.enrolment_enrol(user=last, pathway=catalogue.pathway)
    services.badge_earned(
        user=last,
        micro_credential_id=catalogue.design.pk,
        title="Designing Learning",
        hours=5,
        earned_on=timezone.localdate(),
        key="k",
    )
    client.force_login(district_admin)
    first = client.get(home_url(district)).content.decode()
    second_url = link(section(first, "members"), "next")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(second_url)
    zed = next(m for m in response.context["members"] if m.user == last)
    assert (zed.enrolments, zed.pathways_completed, zed.badges, zed.hours_this_year) == (
        1,
        0,
        1,
        5,
    )
    row = response.content.decode().split("Zed Young", 1)[1].split("</tr>", 1)[0]
    assert '<td class="numeric">0 / 1</td>' in row and '<td class="numeric">5</td>' in row
    # The figures' query names the page's members and nobody else.
    [figures] = [q["sql"] for q in queries.captured_queries if "learning_enrolment" in q["sql"]]
    named = re.search(r'"learning_membership"\."id" IN \(([^)]*)\)', figures)
    assert named
    assert {int(pk) for pk in named.group(1).split(",")} == {
        m.pk for m in response.context["members"]
    }
    assert len(response.context["members"]) == 7


def test_a_member_removed_while_the_page_is_read_is_shown_without_figures(
    client, district, district_admin, monkeypatch
):
    """The page's rows are read, then the membership goes, then the figures are worked
    out: the page still answers, that row with no figures."""
    gone = members_of(district, 3)[0]
    figures = selectors._member_figures

    def removed_meanwhile(membership_ids):
        Membership.objects.filter(pk=gone.pk).delete()
        return figures(membership_ids)

    monkeypatch.setattr(selectors, "_member_figures", removed_meanwhile)
    client.force_login(district_admin)
    response = client.get(home_url(district))
    assert response.status_code == 200
    row = response.content.decode().split(gone.user.display_name, 1)[1].split("</tr>", 1)[0]
    assert '<td class="numeric">0 / 0</td>' in row and "<td>—</td>" in row


def test_the_filters_survive_paging(client, district, district_admin):
    north = School.objects.create(district=district, name="North Elementary")
    south = School.objects.create(district=district, name="South Middle")
    members_of(district, 60, school=north)
    members_of(district, 5, start=60, school=north, is_active=False)
    members_of(district, 5, start=65, school=north, role="facilitator")
    members_of(district, 20, start=70, school=south)
    client.force_login(district_admin)
    query = f"?school={north.pk}&role=learner&active=true"
    pages = walk(client, home_url(district) + query)
    expected = member_order(district, school=north, role="learner", is_active=True)
    assert len(expected) == 60
    assert [pk for text in pages for pk in shown_members(text, district)] == expected
    for text in pages:
        assert "60 members match these filters." in text
    assert "Showing 51–60 of 60" in pages[1]
    previous = link(section(pages[1], "members"), "prev")
    assert f"school={north.pk}" in previous and "role=learner" in previous
    assert "active=true" in previous and "cursor=" not in previous


def test_people_joining_between_pages_are_never_shown_twice(client, district, district_admin):
    members_of(district, 70)
    client.force_login(district_admin)
    first = client.get(home_url(district)).content.decode()
    seen = shown_members(first, district)
    ahead = MembershipFactory(district=district, user__display_name="Aaron Abbot")
    behind = MembershipFactory(district=district, user__display_name="Zoë Zimmer")
    rest = walk(client, link(section(first, "members"), "next"))
    seen += [pk for text in rest for pk in shown_members(text, district)]
    assert len(seen) == len(set(seen)) == 72
    assert behind.pk in seen and ahead.pk not in seen
    assert "Showing 52–73 of 73" in rest[0]  # the newcomer ahead counts in the position


@pytest.mark.parametrize("cursor", ["junk", "eyJ", "W10", "\x00", "WyJhIixbdHJ1ZV1d"])
def test_a_cursor_that_is_not_ours_gives_page_one(client, district, district_admin, cursor):
    members_of(district, 60)
    for n in range(30):
        services.invitation_send(
            district=district,
            email=f"new{n}@school.example",
            role="learner",
            invited_by=district_admin,
        )
    client.force_login(district_admin)
    plain = client.get(home_url(district)).content.decode()
    response = client.get(home_url(district), {"cursor": cursor, "invitations_cursor": cursor})
    assert response.status_code == 200
    text = response.content.decode()
    assert shown_members(text, district) == shown_members(plain, district)
    assert shown_invitations(text) == shown_invitations(plain)
    assert "Showing 1–50 of 61" in text and "Showing 1–25 of 30" in text


def test_a_cursor_that_would_break_the_query_gives_page_one(client, district, district_admin):
    """Cursors that once answered 500 (an infinite key, a lone surrogate in the name…)."""
    members_of(district, 55)
    client.force_login(district_admin)
    plain = shown_members(client.get(home_url(district)).content.decode(), district)
    for cursor in BREAKING_CURSORS:
        response = client.get(home_url(district), {"cursor": cursor})
        assert response.status_code == 200, cursor
        text = response.content.decode()
        assert shown_members(text, district) == plain, cursor
        assert "Showing 1–50 of 56" in text, cursor


def test_nobody_from_another_district_appears(client, district, district_admin):
    elsewhere = DistrictFactory()
    theirs = {m.pk for m in members_of(elsewhere, 60)}
    members_of(district, 60)
    client.force_login(district_admin)
    pages = walk(client, home_url(district))
    seen = {pk for text in pages for pk in shown_members(text, district)}
    assert seen == set(member_order(district))
    assert not seen & theirs


def test_open_invitations_page_by_their_own_cursor(client, district, district_admin):
    members_of(district, 60)
    for n in range(30):
        services.invitation_send(
            district=district,
            email=f"invitee{n:02d}@school.example",
            role="learner",
            invited_by=district_admin,
        )
    client.force_login(district_admin)
    first = client.get(home_url(district)).content.decode()
    members_two = link(section(first, "members"), "next")
    on_members_two = client.get(members_two).content.decode()
    pages = walk(client, link(section(on_members_two, "invitations"), "next"), part="invitations")
    assert len(pages) == 1
    invitations_two = pages[0]
    # The members stay on their second page while the invitations move on.
    assert shown_members(invitations_two, district) == shown_members(on_members_two, district)
    emails = shown_invitations(first) + shown_invitations(invitations_two)
    assert len(shown_invitations(first)) == 25 and len(emails) == len(set(emails)) == 30
    assert emails == [f"invitee{n:02d}@school.example" for n in range(29, -1, -1)]
    assert "30 invitations waiting, the latest sent first." in first
    assert "Showing 26–30 of 30" in invitations_two
    assert 'aria-label="Pages of invitations"' in invitations_two
    assert link(section(invitations_two, "invitations"), "next") is None
    assert link(section(first, "invitations"), "next").endswith("#invitations")


def count_queries(client, url) -> tuple[int, str]:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def test_queries_are_the_same_at_any_size_and_depth(client, district, district_admin):
    client.force_login(district_admin)
    url = home_url(district)

    def invite(start, n):
        for i in range(start, start + n):
            services.invitation_send(
                district=district,
                email=f"q{i}@school.example",
                role="learner",
                invited_by=district_admin,
            )

    members_of(district, 4)
    invite(0, 5)
    small, _ = count_queries(client, url)
    members_of(district, 75, start=4)
    invite(5, 25)
    large, first = count_queries(client, url)
    deeper, second = count_queries(client, link(section(first, "members"), "next"))
    deepest, _ = count_queries(client, link(section(second, "invitations"), "next"))
    filtered, _ = count_queries(client, f"{url}?role=learner&active=true")
    assert small == large == deeper == deepest == filtered
    assert len(shown_members(second, district)) == 30


def test_facilitators_roster_pages_through_active_members(client, district):
    facilitator = MembershipFactory(district=district, role="facilitator").user
    client.force_login(facilitator)
    url = home_url(district)
    members_of(district, 4)
    small, _ = count_queries(client, url)
    members_of(district, 56, start=4)
    gone = members_of(district, 5, start=60, is_active=False)
    large, first = count_queries(client, url)
    deeper, _ = count_queries(client, link(first, "next"))
    assert small == large == deeper
    texts = walk_roster(client, url)
    names = [n for text in texts for n in re.findall(r'<th scope="row">([^<]+)</th>', text)]
    expected = list(
        Membership.objects.filter(district=district, is_active=True)
        .order_by(*ROSTER_ORDERING)
        .values_list("user__display_name", flat=True)
    )
    assert [n.removesuffix(" (you)") for n in map(html.unescape, names)] == expected
    assert len(names) == 61
    assert "61 active members, by name." in texts[0] and "Showing 51–61 of 61" in texts[1]
    assert not {m.user.display_name for m in gone} & set(names)


def walk_roster(client, url: str) -> list[str]:
    texts = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        texts.append(response.content.decode())
        assert len(texts) <= 10, "the links go round in circles"
        url = link(texts[-1], "next")
    return texts
