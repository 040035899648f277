"""The framework explorer links each aligned page from its title and url path alone: the
links are still the pages' own URLs, hidden pages stay hidden, and no page is built."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction, Site

from cms.models import (
    BookAlignment,
    MicroCredentialAlignment,
    PathwayAlignment,
)
from cms.selectors import CONTENT_VERSION_KEY
from tests.costs import pages_built
from tests.factories import (
    BookPageFactory,
    HomePageFactory,
    MicroCredentialPageFactory,
    PathwayIndexPageFactory,
    PathwayPageFactory,
    UserFactory,
    align,
)

pytestmark = pytest.mark.django_db

EXPLORER = "/frameworks/CTO/"
ELEMENT_PAGE = "/frameworks/CTO/CTO-1/"


def links(html: str) -> dict[str, str]:
    """{link text: href} for the plain links of a page (the aligned pages' titles)."""
    return {text: href for href, text in re.findall(r'<a href="([^"]*)">([^<]+)</a>', html)}


@pytest.fixture
def aligned(sections):
    """A pathway, a micro-credential and a book aligned to CTO-1, and pathways no visitor
    may see listed: a draft and a password-protected one; and one for signed-in people."""
    pathway = PathwayPageFactory(
        parent=sections.pathways, title="Leading a Rollout", slug="rollout"
    )
    badge = MicroCredentialPageFactory(parent=sections.micro_credentials, title="Data Coaching")
    book = BookPageFactory(parent=sections.books, title="The Quiet Rollout")
    align(MicroCredentialAlignment, badge, ["CTO-1"])
    align(BookAlignment, book, ["CTO-1"])
    draft = PathwayPageFactory(parent=sections.pathways, title="Draft Pathway", live=False)
    password = PathwayPageFactory(parent=sections.pathways, title="Password Pathway")
    PageViewRestriction.objects.create(
        page=password, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    members = PathwayPageFactory(parent=sections.pathways, title="Members Pathway")
    PageViewRestriction.objects.create(page=members, restriction_type=PageViewRestriction.LOGIN)
    for page in (pathway, draft, password, members):
        align(PathwayAlignment, page, ["CTO-1"])
    return [pathway, badge, book], members


def test_aligned_links_are_the_pages_own_urls(client, aligned, sections):
    pages, members = aligned
    # A slug with other letters than ASCII is percent-encoded in its URL.
    cafe = PathwayPageFactory(parent=sections.pathways, title="Café Club", slug="café-club")
    align(PathwayAlignment, cafe, ["CTO-1"])
    pages.append(cafe)
    for url in (EXPLORER, ELEMENT_PAGE):
        shown = links(client.get(url).content.decode())
        for page in pages:
            assert shown[page.title] == page.url, (url, page.title)
        # Two levels below the site's root page: the catalogue section, then the page.
        assert shown["Leading a Rollout"] == "/pathways/rollout/"
        assert shown["Café Club"] == "/pathways/caf%C3%A9-club/"
        for hidden in ("Draft Pathway", "Password Pathway", "Members Pathway"):
            assert hidden not in shown, (url, hidden)

    client.force_login(UserFactory())
    for url in (EXPLORER, ELEMENT_PAGE):
        shown = links(client.get(url).content.decode())
        assert shown["Members Pathway"] == members.url
        assert "Password Pathway" not in shown


def test_element_links_lead_to_the_element_pages(client, aligned):
    html = client.get(EXPLORER).content.decode()
    assert f'<a href="{ELEMENT_PAGE}"><span class="element__code">CTO-1</span>' in html
    assert client.get(ELEMENT_PAGE).status_code == 200


def test_the_explorer_builds_no_aligned_page_and_costs_the_same_with_more(
    client, aligned, sections
):
    def cost(url: str) -> tuple[int, int]:
        client.get(url)  # warm per-process caches
        cache.delete(CONTENT_VERSION_KEY)  # the framework built afresh, not kept
        with pages_built() as built, CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(built), len(queries.captured_queries)

    few = {url: cost(url) for url in (EXPLORER, ELEMENT_PAGE)}
    for n in range(5):
        page = PathwayPageFactory(parent=sections.pathways, title=f"Extra {n}")
        align(PathwayAlignment, page, ["CTO-1", "CTO-2"])
    many = {url: cost(url) for url in few}
    assert many == few
    assert all(built == 0 for built, _ in many.values())


def test_a_page_of_another_site_keeps_its_full_url(client, aligned):
    """With two sites, a link to the other site's page is absolute, as {% pageurl %} makes
    it; the explorer asks Wagtail for it."""
    other_home = HomePageFactory(parent=Page.get_first_root_node(), slug="other")
    Site.objects.create(hostname="other.example", port=80, root_page=other_home)
    other_pathway = PathwayPageFactory(
        parent=PathwayIndexPageFactory(parent=other_home), title="Elsewhere", slug="elsewhere"
    )
    align(PathwayAlignment, other_pathway, ["CTO-1"])
    shown = links(client.get(EXPLORER).content.decode())
    assert shown["Elsewhere"] == "http://other.example/pathways/elsewhere/"
    assert shown["Leading a Rollout"] == "/pathways/rollout/"
    assert f'<a href="{ELEMENT_PAGE}">' in client.get(EXPLORER).content.decode()
