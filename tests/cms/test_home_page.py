"""The home page: featured pathways and badges (chosen by editors, else the newest), the
frameworks, real figures from the site, and calls to action for visitors."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms import selectors as cms_selectors
from cms.models import HomePageFeaturedMicroCredential, HomePageFeaturedPathway
from cms.selectors import BADGE_RENDITION, FIGURES_CACHE_KEY
from credentials.services.badges import assertion_award, badge_class_for_micro_credential
from tests.factories import (
    MicroCredentialPageFactory,
    PathwayPageFactory,
    UserFactory,
    onboarded,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_figures():
    cache.delete(FIGURES_CACHE_KEY)
    yield
    cache.delete(FIGURES_CACHE_KEY)


def published(page):
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


def test_visitors_see_what_leap_is_and_how_to_start(client, sections):
    badge = published(
        MicroCredentialPageFactory(parent=sections.micro_credentials, title="Using Data")
    )
    PathwayPageFactory(parent=sections.pathways, title="Data in the Classroom")
    html = client.get("/").content.decode()
    assert "Create your free account" in html
    assert "Browse micro-credentials" in html
    assert "Using Data" in html and "Data in the Classroom" in html
    # The badge's art, with empty alt text because its title is beside it.
    rendition = badge.badge_image.get_rendition(BADGE_RENDITION)
    assert f'src="{rendition.url}"' in html
    # The frameworks Leap maps to, each linking to the explorer.
    for name in (
        "Framework of Essential Skills of the K-12 CTO",
        "Digital Leap Success Matrix",
        "ISTE Essential Conditions",
        "ISTE Standards for Educators",
    ):
        assert name in html
    assert 'href="/frameworks/CTO/"' in html


def test_every_badge_card_is_one_component_from_the_prefetched_rendition(
    client, sections, monkeypatch
):
    """The home page, the issuer's page and the catalogue draw a badge card from one
    include (components/badge_card.html) and its art from cms.selectors.BADGE_RENDITION,
    the spec the lists prefetch: changing the spec changes every screen, never only some."""
    import re

    from credentials.services.issuers import issuer_platform

    monkeypatch.setattr(cms_selectors, "BADGE_RENDITION", "width-200")
    badge = published(
        MicroCredentialPageFactory(parent=sections.micro_credentials, title="Using Data")
    )
    src = badge.badge_image.get_rendition("width-200").url
    issuer = issuer_platform()
    cards = []
    for url in ("/", f"/public/issuers/{issuer.uuid}", sections.micro_credentials.url):
        html = client.get(url, HTTP_ACCEPT="text/html").content.decode()
        card = re.search(r'<li class="card card--badge">.*?</li>', html, re.S)
        assert card is not None, url
        card = card.group(0)
        assert f'src="{src}"' in card and 'alt=""' in card and 'class="badge-art"' in card
        assert f'href="{badge.url}">Using Data</a>' in card
        assert f"{badge.get_level_display()} · 3 hours of PD credit" in card
        cards.append(card)
    assert "width-320" not in "".join(cards)


def test_the_figures_are_counted_from_the_site(client, sections):
    page = published(MicroCredentialPageFactory(parent=sections.micro_credentials))
    published(MicroCredentialPageFactory(parent=sections.micro_credentials))
    learners = [onboarded(UserFactory()) for _ in range(3)]
    badge_class = badge_class_for_micro_credential(page=page)
    for learner in learners[:2]:
        assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    figures = client.get("/").context["figures"]
    assert figures == [
        {"value": 2, "label": "badges earned"},
        {"value": 3, "label": "educators learning"},
        {"value": 2, "label": "micro-credentials to earn"},
    ]  # no pathways yet: a zero is left out, never made up
    html = client.get("/").content.decode()
    assert "educators learning" in html and "pathways to follow" not in html


def test_the_figures_are_kept_briefly(client, sections):
    client.get("/")
    MicroCredentialPageFactory(parent=sections.micro_credentials)
    assert client.get("/").context["figures"] == []  # cached
    cache.delete(FIGURES_CACHE_KEY)
    assert client.get("/").context["figures"] == [
        {"value": 1, "label": "micro-credentials to earn"}
    ]


def test_editors_choose_what_is_featured(client, home, sections):
    newest = [
        MicroCredentialPageFactory(parent=sections.micro_credentials, title=f"Badge {n}")
        for n in range(6)
    ]
    pathways = [PathwayPageFactory(parent=sections.pathways, title=f"Path {n}") for n in range(5)]
    context = client.get("/").context
    assert [p.title for p in context["featured_micro_credentials"]] == [
        "Badge 5",
        "Badge 4",
        "Badge 3",
        "Badge 2",
    ]
    assert len(context["featured_pathways"]) == 3

    draft = MicroCredentialPageFactory(parent=sections.micro_credentials, title="Draft")
    draft.unpublish()
    for order, page in enumerate([newest[1], draft, newest[0]]):
        HomePageFeaturedMicroCredential.objects.create(
            page=home, micro_credential=page, sort_order=order
        )
    HomePageFeaturedPathway.objects.create(page=home, pathway=pathways[2], sort_order=0)
    context = client.get("/").context
    # In the editors' order; a draft is never shown.
    assert [p.title for p in context["featured_micro_credentials"]] == ["Badge 1", "Badge 0"]
    assert [p.title for p in context["featured_pathways"]] == ["Path 2"]


def test_home_page_queries_do_not_grow(client, sections):
    def count() -> int:
        cache.delete(FIGURES_CACHE_KEY)
        client.get("/")  # warm renditions and per-process caches
        cache.delete(FIGURES_CACHE_KEY)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries.captured_queries)

    published(MicroCredentialPageFactory(parent=sections.micro_credentials))
    PathwayPageFactory(parent=sections.pathways)
    few = count()
    for _ in range(8):
        published(MicroCredentialPageFactory(parent=sections.micro_credentials))
        PathwayPageFactory(parent=sections.pathways)
    assert count() == few


@pytest.mark.needs_redis
def test_badge_art_is_drawn_from_the_prefetched_rendition_without_writing_the_cache(
    client, sections, monkeypatch
):
    """Wagtail's get_rendition writes the rendition to the cache each time it is asked: a
    round trip per badge on every view of the home page and the catalogue. The badge art
    uses the rendition the list prefetched as it is."""
    from tests.costs import redis_commands

    for title in ("Using Data", "Coaching Peers", "Leading Change"):
        published(MicroCredentialPageFactory(parent=sections.micro_credentials, title=title))
    for url in ("/", sections.micro_credentials.url):
        client.get(url)
        with redis_commands(monkeypatch) as commands:
            html = client.get(url).content.decode()
        assert html.count('class="badge-art"') >= 3, url
        assert "SET" not in commands, (url, commands)
