"""A framework in the explorer is built once and kept until the content changes
(`cms.selectors.public_fragments`): whatever changes what it shows is there on the next
request, visitors and signed-in people each see their own, and a change that commits while
a fragment is being built is not hidden by it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction
from wagtail.rich_text import RichText

from cms.models import FrameworkElement, MicroCredentialPage, PathwayAlignment
from cms.selectors import public_fragments
from cms.services import site_links_forget
from tests.factories import (
    MicroCredentialPageFactory,
    PathwayPageFactory,
    UserFactory,
    align,
)

pytestmark = pytest.mark.django_db

EXPLORER = "/frameworks/CTO/"


def shown(client) -> str:
    response = client.get(EXPLORER)
    assert response.status_code == 200
    return response.content.decode()


def tables_read(client) -> str:
    with CaptureQueriesContext(connection) as queries:
        shown(client)
    return " ".join(query["sql"] for query in queries.captured_queries)


def test_a_second_request_reads_the_framework_from_the_cache(client, sections):
    align(
        PathwayAlignment, PathwayPageFactory(parent=sections.pathways, title="Rollout"), ["CTO-1"]
    )
    assert "cms_pathwayalignment" in tables_read(client)
    second = tables_read(client)
    assert "cms_pathwayalignment" not in second and "cms_frameworkelement" not in second
    assert ">Rollout</a>" in shown(client)


def test_what_a_framework_shows_follows_every_change(client, sections):
    assert "Rollout" not in shown(client)  # kept without it

    pathway = PathwayPageFactory(parent=sections.pathways, title="Rollout")
    align(PathwayAlignment, pathway, ["CTO-1"])
    assert ">Rollout</a>" in shown(client)

    pathway.title = "Leading a Rollout"
    pathway.save_revision().publish()
    html = shown(client)
    assert ">Leading a Rollout</a>" in html and ">Rollout</a>" not in html

    PathwayAlignment.objects.filter(page=pathway).delete()
    assert "Leading a Rollout" not in shown(client)
    align(PathwayAlignment, pathway, ["CTO-1"])
    assert "Leading a Rollout" in shown(client)

    pathway.unpublish()
    assert "Leading a Rollout" not in shown(client)
    pathway.save_revision().publish()
    assert "Leading a Rollout" in shown(client)

    restriction = PageViewRestriction.objects.create(
        page=pathway, restriction_type=PageViewRestriction.LOGIN
    )
    assert "Leading a Rollout" not in shown(client)
    restriction.delete()
    assert "Leading a Rollout" in shown(client)

    element = FrameworkElement.objects.get(code="CTO-1")
    link = '<span class="element__code">CTO-1</span> {}</a>'
    assert link.format(element.name) in shown(client)
    element.name = "Leadership, renamed"
    element.save()
    assert link.format("Leadership, renamed") in shown(client)

    pathway.delete()
    assert "Leading a Rollout" not in shown(client)


def test_visitors_and_signed_in_people_each_see_their_own(client, sections):
    members_only = PathwayPageFactory(parent=sections.pathways, title="Members Pathway")
    PageViewRestriction.objects.create(
        page=members_only, restriction_type=PageViewRestriction.LOGIN
    )
    align(PathwayAlignment, members_only, ["CTO-1"])
    for _ in range(2):
        assert "Members Pathway" not in shown(client)
    client.force_login(UserFactory())
    for _ in range(2):
        assert ">Members Pathway</a>" in shown(client)
    client.logout()
    assert "Members Pathway" not in shown(client)


def test_a_change_that_commits_while_a_fragment_is_built_is_not_hidden_by_it(home):
    request = RequestFactory().get("/frameworks/CTO/")
    request.user = AnonymousUser()
    built = []

    def build(html):
        def make() -> dict[str, str]:
            built.append(html)
            if html == "read before the change":
                site_links_forget()  # the change commits while this one is being built
            return {"body": html}

        return make

    def shown(html) -> str:
        return public_fragments(request, "test", build(html))["body"]

    assert shown("read before the change") == "read before the change"
    assert shown("after") == "after"
    assert shown("not built again") == "after"
    assert built == ["read before the change", "after"]

    request.is_preview = True  # an editor's draft: built every time, never kept
    assert shown("a draft") == "a draft"
    del request.is_preview
    assert shown("not built again") == "after"


def test_the_home_page_follows_its_featured_pages_and_images(client, sections):
    badge = MicroCredentialPageFactory(parent=sections.micro_credentials, title="Using Data")
    badge.save_revision().publish()
    badge = MicroCredentialPage.objects.get(pk=badge.pk)
    html = client.get("/").content.decode()
    assert ">Using Data</a>" in html and 'class="badge-art"' in html
    assert "cms_microcredentialpage" not in tables_read_at(client, "/")  # kept

    badge.title = "Using Data Well"
    badge.save_revision().publish()
    assert ">Using Data Well</a>" in client.get("/").content.decode()

    # An image saved (its file replaced, say) builds the page afresh: its art may differ.
    assert "cms_microcredentialpage" not in tables_read_at(client, "/")
    badge.badge_image.save()
    assert "cms_microcredentialpage" in tables_read_at(client, "/")

    PathwayPageFactory(parent=sections.pathways, title="A New Pathway")
    assert ">A New Pathway</a>" in client.get("/").content.decode()


def test_a_preview_of_the_home_page_shows_the_draft_not_the_kept_page(client, home):
    assert "A draft paragraph" not in client.get("/").content.decode()  # the live page, kept
    home.body = [("paragraph", RichText("<p>A draft paragraph</p>"))]
    preview = home.make_preview_request()
    assert "A draft paragraph" in preview.content.decode()
    assert "A draft paragraph" not in client.get("/").content.decode()


def tables_read_at(client, url: str) -> str:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return " ".join(query["sql"] for query in queries.captured_queries)
