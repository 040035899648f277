"""Catalogue pages cost the same number of SQL queries however many steps, requirements,
sections and alignments they have."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import (
    BookAlignment,
    FrameworkElement,
    MicroCredentialAlignment,
    PathwayAlignment,
)
from cms.selectors import CONTENT_VERSION_KEY
from tests.factories import (
    BookPageFactory,
    MicroCredentialPageFactory,
    PathwayPageFactory,
    step,
)

pytestmark = pytest.mark.django_db

ELEMENT_CODES = ["CTO-1", "CTO-2", "CTO-3", "DL-3B", "DL-8B", "EC-07", "2.5", "2.7", "3.2"]


def query_count(client, url: str) -> int:
    """The queries of a second request, with what is kept until the content changes (the
    explorer's frameworks) built afresh."""
    client.get(url)  # warm per-process caches (content types, site root paths)
    cache.delete(CONTENT_VERSION_KEY)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def align(alignment_model, page, size: int) -> None:
    elements = FrameworkElement.objects.filter(code__in=ELEMENT_CODES[:size])
    for order, element in enumerate(elements):
        alignment_model.objects.create(page=page, element=element, sort_order=order)


def pathway(sections, size: int, micro_credentials: list):
    steps = []
    for n in range(size):
        steps += [
            step("read", f"Read {n}", instructions="<p>Read.</p>", url="", book=None),
            step(
                "watch",
                f"Watch {n}",
                url="https://example.org/v",
                instructions="",
                transcript_url="",
            ),
            step("micro_credential", f"Earn {n}", micro_credential=micro_credentials[n].pk),
            step("discuss", f"Discuss {n}", prompt="Talk."),
        ]
    page = PathwayPageFactory(parent=sections.pathways, steps=steps)
    align(PathwayAlignment, page, size)
    return page


@pytest.mark.parametrize("logged_in", [False, True])
def test_pathway_page_queries_do_not_grow(client, sections, logged_in):
    if logged_in:
        from tests.factories import UserFactory

        client.force_login(UserFactory())
    credentials = [MicroCredentialPageFactory(parent=sections.micro_credentials) for _ in range(8)]
    small = pathway(sections, 1, credentials)
    large = pathway(sections, 8, credentials)
    assert query_count(client, large.url) == query_count(client, small.url)


def micro_credential(sections, size: int):
    requirement = {
        "type": "overview_question",
        "value": {"question": "Why?", "word_limit": 100, "required": True},
    }
    criterion = {
        "type": "criterion",
        "value": {"title": "C", "meets": "Meets.", "feedback_guidance": "Guide."},
    }
    page = MicroCredentialPageFactory(
        parent=sections.micro_credentials,
        requirements=[requirement] * size,
        rubric=[criterion] * size,
    )
    align(MicroCredentialAlignment, page, size)
    for prerequisite in [
        MicroCredentialPageFactory(parent=sections.micro_credentials) for _ in range(size)
    ]:
        page.prerequisites.create(required_page=prerequisite)
    return page


def test_micro_credential_page_queries_do_not_grow(client, sections):
    small, large = micro_credential(sections, 1), micro_credential(sections, 8)
    assert query_count(client, large.url) == query_count(client, small.url)


def book(sections, size: int):
    section = {
        "type": "section",
        "value": {"number": 1, "title": "S", "pages": "1–2", "discussion_prompts": ["Q?"]},
    }
    page = BookPageFactory(parent=sections.books, sections=[section] * size)
    align(BookAlignment, page, size)
    return page


def test_book_page_queries_do_not_grow(client, sections):
    small, large = book(sections, 1), book(sections, 8)
    assert query_count(client, large.url) == query_count(client, small.url)


def test_listings_and_explorer_queries_do_not_grow(client, sections):
    credentials = [MicroCredentialPageFactory(parent=sections.micro_credentials) for _ in range(8)]
    pathway(sections, 1, credentials)
    book(sections, 1)
    few = {
        url: query_count(client, url)
        for url in ("/pathways/", "/micro-credentials/", "/books/", "/frameworks/CTO/")
    }
    for _ in range(6):
        pathway(sections, 3, credentials)
        book(sections, 3)
    many = {url: query_count(client, url) for url in few}
    assert many == few
