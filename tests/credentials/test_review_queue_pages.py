"""A reviewer's queue a page at a time (issue 16): 25 assignments a page, soonest due first,
"Next" and "Previous" by keyset; every assignment once, whatever arrives between pages; the
totals over the whole queue; a cursor that is not ours gives page one; nobody else's work;
the same queries at any length and any depth; and the rows stay blind and light."""

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.fields import StreamField

from cms.models import MicroCredentialPage
from credentials.models import Review, Submission
from credentials.selectors.review import QUEUE_PAGE_SIZE
from credentials.services.review import pool_member_add
from tests.cms.test_pagination import raw
from tests.credentials.test_evidence import submitted
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:queue")


@pytest.fixture
def reviewer(db):
    from credentials.models import ReviewerPool

    user = UserFactory(email="sam@reviewers.example", display_name="Sam Okafor")
    pool_member_add(pool=ReviewerPool.objects.create(name="All micro-credentials"), user=user)
    return user


def assign(reviewer, micro_credential, *, due_in_hours: float) -> Review:
    """An open assignment for the reviewer, due in so many hours (negative: overdue)."""
    submission = Submission.objects.create(
        learner=UserFactory(),
        micro_credential=micro_credential,
        state="in_review",
        submitted_at=timezone.now(),
    )
    return Review.objects.create(
        submission=submission,
        reviewer=reviewer,
        due_at=timezone.now() + timedelta(hours=due_in_hours),
    )


def fill(reviewer, micro_credential, size: int, *, start: int = 0) -> list[Review]:
    # Four assignments share each due time: the order among them is settled by their id.
    due = timezone.now() + timedelta(days=1)
    made = []
    for n in range(start, start + size):
        made.append(assign(reviewer, micro_credential, due_in_hours=0))
        Review.objects.filter(pk=made[-1].pk).update(due_at=due + timedelta(hours=n // 4))
    return made


def shown(text: str) -> list[int]:
    """The assignments in the queue's table, in order, by the id in their links."""
    table = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in text else ""
    return [int(pk) for pk in re.findall(r'href="/review/(\d+)/"', table)]


def link(text: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', text)
    return html.unescape(found.group(1)) if found else None


def walk(client, *, rel: str = "next", start: str = QUEUE):
    """Every page from `start`, following `rel` links: the texts."""
    texts, url = [], start
    while url:
        response = client.get(url if url.startswith("/") else QUEUE + url)
        assert response.status_code == 200
        texts.append(response.content.decode())
        assert len(texts) <= 10, "the links go round in circles"
        url = link(texts[-1], rel)
    return texts


def queue_order(reviewer) -> list[int]:
    return list(
        Review.objects.filter(reviewer=reviewer, state="assigned")
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )


def test_each_page_shows_its_25_and_next_visits_every_assignment_once(
    client, reviewer, micro_credential
):
    fill(reviewer, micro_credential, 60)
    client.force_login(reviewer)
    pages = walk(client)
    assert [len(shown(text)) for text in pages] == [25, 25, 10]
    assert [pk for text in pages for pk in shown(text)] == queue_order(reviewer)
    assert "60 submissions waiting for you, soonest due first." in pages[0]
    assert "Showing 1–25 of 60" in pages[0]
    assert "Showing 26–50 of 60" in pages[1]
    assert "Showing 51–60 of 60" in pages[2]
    assert link(pages[0], "prev") is None and link(pages[-1], "next") is None
    nav = re.search(r'<nav class="pagination" aria-label="([^"]+)">', pages[1])
    assert nav and nav.group(1) == "Pages of your review queue"
    assert 'Next<span class="visually-hidden"> page of your assignments</span>' in pages[1]


def test_previous_walks_back_through_the_same_pages(client, reviewer, micro_credential):
    fill(reviewer, micro_credential, 60)
    client.force_login(reviewer)
    forward = walk(client)
    back = walk(client, rel="prev", start=link(forward[1], "next"))
    assert [shown(text) for text in back] == [shown(text) for text in reversed(forward)]


def test_work_arriving_between_pages_is_never_shown_twice(client, reviewer, micro_credential):
    fill(reviewer, micro_credential, 60)
    client.force_login(reviewer)
    first = client.get(QUEUE).content.decode()
    seen = shown(first)
    urgent = assign(reviewer, micro_credential, due_in_hours=-2)  # sorts before everything
    later = assign(reviewer, micro_credential, due_in_hours=24 * 30)  # sorts after everything
    rest = walk(client, start=link(first, "next"))
    seen += [pk for text in rest for pk in shown(text)]
    assert len(seen) == len(set(seen)) == 61
    assert later.pk in seen and urgent.pk not in seen
    assert "Showing 27–51 of 62" in rest[0]  # the newcomer ahead counts in the position
    assert "<strong>1 overdue.</strong>" in rest[0]
    # Back: the 25 just before, then the first page, full, with the newcomer at the top.
    back = client.get(QUEUE + link(rest[0], "prev")).content.decode()
    assert "Showing 2–26 of 62" in back and shown(back) == seen[:25]
    top = client.get(QUEUE + link(back, "prev")).content.decode()
    assert "Showing 1–25 of 62" in top and shown(top)[0] == urgent.pk


def test_done_work_does_not_unsettle_the_next_page(client, reviewer, micro_credential):
    fill(reviewer, micro_credential, 60)
    client.force_login(reviewer)
    first = client.get(QUEUE).content.decode()
    # Two reviews on the first page are finished before the reviewer moves on.
    Review.objects.filter(pk__in=shown(first)[:2]).update(
        state="completed", completed_at=timezone.now(), decision="earned"
    )
    second = client.get(QUEUE + link(first, "next")).content.decode()
    assert shown(second) == queue_order(reviewer)[23:48]
    assert "Showing 24–48 of 58" in second


@pytest.mark.parametrize(
    "cursor", ["junk", "eyJ", "WyJhIiwgWyJub3QgYSBkYXRlIiwgMV1d", "W10", "\x00", "a" * 3000]
)
def test_a_cursor_that_is_not_ours_gives_page_one(client, reviewer, micro_credential, cursor):
    fill(reviewer, micro_credential, 30)
    client.force_login(reviewer)
    response = client.get(QUEUE, {"cursor": cursor})
    assert response.status_code == 200
    text = response.content.decode()
    assert shown(text) == queue_order(reviewer)[:25]
    assert "Showing 1–25 of 30" in text


def test_a_cursor_that_would_break_the_query_gives_page_one(client, reviewer, micro_credential):
    """Cursors that once answered 500: a due time beyond the calendar in UTC, a key that is
    not a whole number, nesting too deep to read."""
    fill(reviewer, micro_credential, 30)
    client.force_login(reviewer)
    due = timezone.now().isoformat()
    cursors = [
        raw('["a",["9999-12-31T23:59:59-12:00",1]]'),
        raw('["b",["0001-01-01T00:00:00+14:00",1]]'),
        raw(f'["a",["{due}",1e400]]'),
        raw(f'["a",["{due}",-Infinity]]'),
        raw(f'["a",["{due}",2.5]]'),
        raw("[" * 1000),
    ]
    for cursor in cursors:
        response = client.get(QUEUE, {"cursor": cursor})
        assert response.status_code == 200, cursor
        text = response.content.decode()
        assert shown(text) == queue_order(reviewer)[:25], cursor
        assert "Showing 1–25 of 30" in text, cursor


def test_nobody_elses_work_appears_on_any_page(client, reviewer, micro_credential):
    other = UserFactory(display_name="Other Reviewer")
    theirs = {r.pk for r in fill(other, micro_credential, 40)}
    mine = fill(reviewer, micro_credential, 30)
    Review.objects.create(  # finished work is not in the queue either
        submission=mine[0].submission,
        reviewer=UserFactory(),
        due_at=timezone.now(),
        state="completed",
    )
    client.force_login(reviewer)
    pages = walk(client)
    seen = [pk for text in pages for pk in shown(text)]
    assert sorted(seen) == sorted(r.pk for r in mine)
    assert not theirs & set(seen)
    assert "30 submissions waiting for you" in pages[0]


def test_the_overdue_figure_counts_the_whole_queue(client, reviewer, micro_credential):
    for hours in range(30):
        assign(reviewer, micro_credential, due_in_hours=-1 - hours)
    fill(reviewer, micro_credential, 10)
    client.force_login(reviewer)
    pages = walk(client)
    assert all("<strong>30 overdue.</strong>" in text for text in pages)
    assert pages[0].count('class="is-overdue"') == 25
    assert pages[1].count('class="is-overdue"') == 5


def test_rows_stay_blind(client, reviewer, micro_credential, django_capture_on_commit_callbacks):
    learner = UserFactory(email="maya@school.example", display_name="Maya Torres")
    submission = submitted(learner, micro_credential, execute=django_capture_on_commit_callbacks)
    fill(reviewer, micro_credential, 30)
    client.force_login(reviewer)
    text = "".join(walk(client))
    assert submission.number in text
    assert micro_credential.title in text
    assert "Maya" not in text and "Torres" not in text and "maya@" not in text


def test_queries_are_the_same_at_any_length_and_depth(client, reviewer, micro_credential):
    client.force_login(reviewer)

    def count(url):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries.captured_queries), response.content.decode()

    fill(reviewer, micro_credential, 3)
    small, _ = count(QUEUE)
    fill(reviewer, micro_credential, 57, start=3)
    large, first = count(QUEUE)
    deeper, second = count(QUEUE + link(first, "next"))
    deepest, _ = count(QUEUE + link(second, "next"))
    assert small == large == deeper == deepest
    assert len(shown(second)) == QUEUE_PAGE_SIZE


def test_rows_read_no_answers_and_no_page_bodies(client, reviewer, micro_credential):
    fill(reviewer, micro_credential, 30)
    client.force_login(reviewer)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as queries:
        client.get(QUEUE)
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    heavy = [
        f'"{MicroCredentialPage._meta.db_table}"."{field.column}"'
        for field in MicroCredentialPage._meta.local_fields
        if isinstance(field, StreamField)
    ]
    heavy += [
        f'"credentials_submission"."{column}"' for column in ("answers", "requirements", "rubric")
    ]
    assert heavy[0].startswith('"cms_microcredentialpage"')
    assert not [column for column in heavy if column in sql]
