"""Keyset pages (cms.pagination): every row once, in order, both ways, with the right
positions; rows added between pages neither repeat nor push others out; a cursor that is
not ours gives the first page; no name travels in a cursor; two queries a page at any
depth."""

import base64
import json
from datetime import timedelta

import pytest
from django.db.models import Count, Q
from django.http import QueryDict
from django.utils import timezone

from accounts.models import User
from cms.pagination import BEFORE, cursor_make, keyset_page
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Mixed directions, a boolean, many ties on the name: the primary key settles them. The name
# is text, so these cursors carry only the row's key.
ORDERING = ("-is_active", "display_name", "pk")
# Dates and numbers only, so these cursors carry the ordering values themselves.
BY_VALUES = ("-is_active", "-date_joined", "pk")
NAMES = ["Ana", "Bea", "Bea", "Bea", "Cy", "Dee", "Dee", "Eve", "Fin", "Gus", "Hal"]


@pytest.fixture
def people(db):
    made = []
    for n, name in enumerate(NAMES * 2):
        made.append(
            UserFactory(email=f"p{n}@pages.example", display_name=name, is_active=n % 3 != 0)
        )
    return made


def people_list():
    return User.objects.filter(email__endswith="@pages.example")


def expected_order():
    return list(people_list().order_by(*ORDERING).values_list("pk", flat=True))


def page_of(cursor=None, size=5, **kwargs):
    return keyset_page(people_list(), ordering=ORDERING, cursor=cursor, size=size, **kwargs)


def walk_forward(size=5):
    seen, pages, cursor = [], [], None
    while True:
        page = page_of(cursor, size)
        pages.append(page)
        seen += [person.pk for person in page.items]
        assert len(pages) <= len(NAMES) * 2, "the links go round in circles"
        if not page.next_cursor:
            return seen, pages
        cursor = page.next_cursor


def test_following_next_visits_every_row_once_in_order(people):
    seen, pages = walk_forward(size=5)
    assert seen == expected_order()
    assert [len(p.items) for p in pages] == [5, 5, 5, 5, 2]
    assert [(p.start, p.end, p.total) for p in pages[:2]] == [(1, 5, 22), (6, 10, 22)]
    assert (pages[-1].start, pages[-1].end) == (21, 22)
    assert pages[0].previous_cursor is None and pages[-1].next_cursor is None
    assert all(p.has_other_pages for p in pages)


def test_following_previous_from_the_last_page_gives_the_same_pages(people):
    _, forward = walk_forward(size=5)
    page, backward = forward[-1], []
    while page.previous_cursor is not None and len(backward) < 10:
        page = page_of(page.previous_cursor)
        backward.append(page)
    assert [[x.pk for x in p.items] for p in backward] == [
        [x.pk for x in p.items] for p in reversed(forward[:-1])
    ]
    assert [p.start for p in backward] == [16, 11, 6, 1]
    assert forward[1].previous_cursor == ""  # the first page, by no cursor at all


def test_previous_near_the_top_gives_the_whole_first_page(people):
    second = page_of(page_of().next_cursor)
    for n in range(3):  # newcomers ahead of everything seen
        UserFactory(email=f"new{n}@pages.example", display_name=f"Aa{n}")
    assert second.previous_cursor == ""
    first = page_of(second.previous_cursor)
    assert [x.pk for x in first.items] == expected_order()[:5]
    # Further down, "Previous" is the five rows just before, whatever came in ahead.
    third = page_of(page_of(second.next_cursor).previous_cursor)
    assert (third.start, len(third.items)) == (9, 5)
    assert page_of(third.previous_cursor).start == 4


def test_rows_added_between_pages_are_not_repeated_and_later_ones_come_once(people):
    first = page_of(size=5)
    before = UserFactory(email="early@pages.example", display_name="Aaron")  # sorts first
    after = UserFactory(email="late@pages.example", display_name="Zoe")  # after those seen
    seen, cursor = [x.pk for x in first.items], first.next_cursor
    second = page_of(cursor)
    assert second.start == 7  # the newcomer before it counts in the position
    while cursor and len(seen) < 100:
        page = page_of(cursor)
        seen += [x.pk for x in page.items]
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 23
    assert after.pk in seen and before.pk not in seen
    # Going back from the second page finds the newcomer at the front.
    assert before.pk in [x.pk for x in page_of(second.previous_cursor, size=6).items]


def test_a_list_that_fits_on_one_page_has_no_links(people):
    page = page_of(size=50)
    assert (page.start, page.end, page.total, page.has_other_pages) == (1, 22, 22, False)
    empty = keyset_page(User.objects.none(), ordering=ORDERING, cursor=None, size=5)
    assert (empty.items, empty.start, empty.end, empty.total) == ([], 0, 0, 0)


def encoded(value) -> str:
    return raw(json.dumps(value))


def raw(text: str) -> str:
    """A cursor of any text, JSON or not (json.dumps cannot write 1e400)."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# Cursors that reached the database, or broke before it, with a 500 (issue 16's review). For
# an ordering with a name (ORDERING), a cursor carries a key; the district members' screen
# asks with these too (tests/learning/test_district_member_pages.py).
BREAKING_CURSORS = [
    raw('["a",1e400]'),  # infinity, which int() cannot take
    raw('["a",Infinity]'),
    raw('["a",NaN]'),
    raw('["a",7.5]'),  # no key has a fraction
    raw("[" * 1000),  # too deep for the JSON reader
    raw('["a",' + "9" * 2000 + "]"),  # longer than any cursor of ours
    encoded(["a", 10**30]),  # no such key on any database
    encoded(["a", "Be\ud800a"]),  # a lone surrogate, which UTF-8 cannot hold
]
# The same for an ordering by values (BY_VALUES): a boolean, a time, a key.
WHEN = "2026-01-01T00:00:00+00:00"
BREAKING_VALUE_CURSORS = [
    raw(f'["a",[true,"{WHEN}",1e400]]'),
    raw(f'["a",[true,"{WHEN}",Infinity]]'),
    raw(f'["a",[true,"{WHEN}",NaN]]'),
    raw(f'["a",[true,"{WHEN}",7.5]]'),
    raw('["a",[true,Infinity,1]]'),  # nor is a time a number
    raw('["a",[true,"' + "2" * 2000 + '",1]]'),
    encoded(["a", [True, "2026-01-01T00:00:00\ud800", 1]]),
    encoded(["a", [True, "2026-01-01T00:00:00\x00", 1]]),  # PostgreSQL refuses NUL in text
    encoded(["a", [True, WHEN, 10**30]]),
]


@pytest.mark.parametrize(
    "cursor",
    [
        *BREAKING_CURSORS,
        "x",
        "!!!not base64!!!",
        encoded("just a string"),
        encoded(["a"]),
        encoded(["sideways", 1]),
        encoded(["a", "one"]),
        encoded(["a", None]),
        encoded(["a", [1]]),
        encoded(["a", {"pk": 1}]),
        # The ordering values, names among them, as cursors once carried: never again.
        encoded(["a", [True, "Bea", 1]]),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_a_cursor_that_is_not_ours_gives_the_first_page(people, cursor):
    page = page_of(cursor)
    assert [x.pk for x in page.items] == expected_order()[:5]
    assert page.start == 1


@pytest.mark.parametrize(
    "cursor",
    [
        *BREAKING_VALUE_CURSORS,
        encoded(["a", [True, WHEN]]),  # too short
        encoded(["a", [True, WHEN, "one"]]),
        encoded(["a", ["maybe", WHEN, 1]]),
        encoded(["a", [None, WHEN, 1]]),
        encoded(["a", [[1], WHEN, 1]]),
        encoded(["a", 1]),  # a key alone, for an ordering that carries values
    ],
)
def test_a_cursor_by_values_that_is_not_ours_gives_the_first_page(people, cursor):
    order = list(people_list().order_by(*BY_VALUES).values_list("pk", flat=True))
    page = keyset_page(people_list(), ordering=BY_VALUES, cursor=cursor, size=5)
    assert ([x.pk for x in page.items], page.start) == (order[:5], 1)


def test_no_name_travels_in_a_cursor(people):
    """A cursor ends up in logs, history and Referer headers: for an ordering by name it
    carries the row's key alone, and one by dates and numbers carries those."""
    third = page_of(page_of(page_of().next_cursor).next_cursor)
    for cursor in (third.next_cursor, third.previous_cursor):
        carried = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        assert carried[1] in [person.pk for person in people], carried
    by_values = keyset_page(people_list(), ordering=BY_VALUES, cursor=None, size=5)
    cursor = by_values.next_cursor
    last = by_values.items[-1]
    assert json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))) == [
        "a",
        [last.is_active, last.date_joined.isoformat(), last.pk],
    ]


def test_a_key_from_outside_the_list_gives_the_first_page(people):
    """The row a cursor names is read from the same list, so a key from elsewhere (another
    district's member, say) tells nothing about where it would sort."""
    stranger = UserFactory(email="stranger@elsewhere.example", display_name="Dee")
    page = page_of(encoded(["a", stranger.pk]))
    assert ([x.pk for x in page.items], page.start) == (expected_order()[:5], 1)


def test_datetime_columns_round_trip_and_a_naive_one_is_refused(people):
    now = timezone.now()
    for n, person in enumerate(people):
        User.objects.filter(pk=person.pk).update(date_joined=now - timedelta(minutes=n % 4))
    ordering = ("-date_joined", "pk")
    order = list(people_list().order_by(*ordering).values_list("pk", flat=True))
    first = keyset_page(people_list(), ordering=ordering, cursor=None, size=7)
    second = keyset_page(people_list(), ordering=ordering, cursor=first.next_cursor, size=7)
    assert [x.pk for x in first.items + second.items] == order[:14]
    naive = encoded(["a", [now.replace(tzinfo=None).isoformat(), 1]])
    assert keyset_page(people_list(), ordering=ordering, cursor=naive, size=7).start == 1


@pytest.mark.parametrize(
    "moment",
    ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"],
    ids=["past the last year in UTC", "before the first"],
)
def test_a_datetime_beyond_the_calendar_in_utc_gives_the_first_page(people, moment):
    ordering = ("-date_joined", "pk")
    order = list(people_list().order_by(*ordering).values_list("pk", flat=True))
    for direction in ("a", "b"):
        cursor = encoded([direction, [moment, people[0].pk]])
        page = keyset_page(people_list(), ordering=ordering, cursor=cursor, size=7)
        assert ([x.pk for x in page.items], page.start) == (order[:7], 1)


def test_the_longest_name_in_any_script_pages_on(people):
    """A name of 150 characters of four UTF-8 bytes each at a page's end: the next page
    follows it."""
    longest = "😀" * User._meta.get_field("display_name").max_length
    people_list().filter(pk=people[1].pk).update(display_name=longest)
    order = expected_order()
    at = order.index(people[1].pk)
    first = page_of(size=at + 1)  # the page ends with that name
    assert first.items[-1].display_name == longest
    assert [x.pk for x in page_of(first.next_cursor).items] == order[at + 1 : at + 6]


def test_a_cursor_past_everything_left_gives_the_first_page(people):
    _, pages = walk_forward()
    people_list().filter(pk__in=[x.pk for x in pages[-1].items]).delete()
    # Nothing is left after the cursor the page before the last one gave out.
    page = page_of(pages[-2].next_cursor)
    assert [x.pk for x in page.items] == expected_order()[:5]
    assert page.start == 1


def test_each_page_costs_two_queries_at_any_depth(people, django_assert_num_queries):
    _, pages = walk_forward(size=5)
    with django_assert_num_queries(2):
        page_of()
    with django_assert_num_queries(2):
        page_of(pages[3].next_cursor)
    with django_assert_num_queries(2):
        page_of(pages[3].previous_cursor)
    by_values = keyset_page(people_list(), ordering=BY_VALUES, cursor=None, size=5)
    with django_assert_num_queries(2):
        keyset_page(people_list(), ordering=BY_VALUES, cursor=by_values.next_cursor, size=5)


def test_extra_counts_are_over_the_whole_list(people):
    off = Count("pk", filter=Q(is_active=False))
    page = page_of(walk_forward()[1][2].next_cursor, counts={"off": off})
    assert page.counts == {"off": people_list().filter(is_active=False).count()}


def test_links_keep_the_other_parameters(people):
    query = QueryDict("role=learner&school=4&cursor=old&invitations=abc")
    page = page_of().linked(query, "cursor", path="/district/x/", anchor="#members")
    assert page.previous_url == ""
    assert page.next_url.startswith("/district/x/?")
    assert page.next_url.endswith("#members")
    linked = QueryDict(page.next_url.split("?", 1)[1].split("#")[0])
    assert linked.dict() == {
        "role": "learner",
        "school": "4",
        "invitations": "abc",
        "cursor": page.next_cursor,
    }
    third = page_of(page_of(page.next_cursor).next_cursor).linked(QueryDict(), "after")
    assert third.previous_url == f"?after={third.previous_cursor}"
    # Back to the first page: the cursor goes, the rest stays.
    second = page_of(page.next_cursor).linked(query, "cursor", anchor="#members")
    assert second.previous_url == "?role=learner&school=4&invitations=abc#members"
    assert page_of(page.next_cursor).linked(QueryDict(), "cursor").previous_url == "?"


def test_an_ordering_must_end_with_the_primary_key():
    with pytest.raises(ValueError):
        keyset_page(User.objects.all(), ordering=("display_name",), cursor=None, size=5)
    with pytest.raises(ValueError):
        keyset_page(User.objects.all(), ordering=("nonsense", "pk"), cursor=None, size=5)


def test_a_before_cursor_names_its_direction(people):
    row = people_list().order_by(*ORDERING)[10]
    page = page_of(cursor_make(row, ORDERING, BEFORE))
    assert [x.pk for x in page.items] == expected_order()[5:10]
    assert page.start == 6
