"""Rules that keep the catalogue honest: drafts never leak, structure cannot loop, codes
stay URL-safe, and a micro-credential cannot be published empty by any route."""

import re

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import PageViewRestriction

from cms.models import (
    FrameworkCategory,
    FrameworkElement,
    MicroCredentialPage,
    MicroCredentialPrerequisite,
    PathwayPrerequisite,
)
from tests.factories import (
    BookPageFactory,
    MicroCredentialPageFactory,
    PathwayPageFactory,
    UserFactory,
    step,
)

pytestmark = pytest.mark.django_db


def test_draft_pages_never_show_through_steps_or_prerequisites(client, sections):
    draft_credential = MicroCredentialPageFactory(
        parent=sections.micro_credentials, title="Secret Draft Credential", live=False
    )
    draft_book = BookPageFactory(parent=sections.books, title="Secret Draft Book", live=False)
    pathway = PathwayPageFactory(
        parent=sections.pathways,
        steps=[
            step("micro_credential", "Earn it", micro_credential=draft_credential.pk),
            step("read", "Read it", instructions="<p>Read.</p>", url="", book=draft_book.pk),
        ],
    )
    PathwayPrerequisite.objects.create(page=pathway, required_page=draft_credential)
    credential = MicroCredentialPageFactory(parent=sections.micro_credentials)
    MicroCredentialPrerequisite.objects.create(page=credential, required_page=draft_credential)

    for url in (pathway.url, credential.url):
        html = client.get(url).content.decode()
        assert "Secret Draft" not in html, url


def test_learner_only_pages_are_listed_for_signed_in_people_only(client, sections):
    private = PathwayPageFactory(parent=sections.pathways, title="Members Only Pathway")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    password = PathwayPageFactory(parent=sections.pathways, title="Password Pathway")
    PageViewRestriction.objects.create(
        page=password, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    assert "Members Only Pathway" not in client.get("/pathways/").content.decode()
    client.force_login(UserFactory())
    listing = client.get("/pathways/").content.decode()
    assert "Members Only Pathway" in listing
    assert "Password Pathway" not in listing
    assert "Members Only Pathway" in client.get("/search/", {"q": "members"}).content.decode()


def test_a_bad_filter_does_not_drop_the_good_ones(client, sections):
    PathwayPageFactory(parent=sections.pathways, title="Advanced One", level="advanced")
    PathwayPageFactory(parent=sections.pathways, title="Introductory One", level="introductory")
    html = client.get("/pathways/", {"level": "advanced", "element": "NOPE"}).content.decode()
    assert "Advanced One" in html
    assert "Introductory One" not in html
    assert "Some filters were not recognised" in html


@pytest.mark.parametrize("code", ["CTO 2", "CTO/2", "<b>", "-x"])
def test_codes_must_be_url_safe(code):
    element = FrameworkElement.objects.get(code="CTO-2")
    element.code = code
    with pytest.raises(ValidationError):
        element.full_clean()


def test_categories_cannot_loop_or_cross_frameworks():
    area = FrameworkCategory.objects.get(code="DL-1")
    top = FrameworkCategory.objects.get(code="DL-C1")
    top.parent = area
    with pytest.raises(ValidationError, match="inside itself"):
        top.full_clean()
    area.parent = FrameworkCategory.objects.get(code="CTO-C1")
    with pytest.raises(ValidationError, match="same framework"):
        area.full_clean()


def test_micro_credential_prerequisites_cannot_loop(sections):
    first = MicroCredentialPageFactory(parent=sections.micro_credentials)
    second = MicroCredentialPageFactory(parent=sections.micro_credentials)
    MicroCredentialPrerequisite.objects.create(page=second, required_page=first)
    MicroCredentialPrerequisite.objects.create(page=first, required_page=second)
    with pytest.raises(ValidationError, match="require itself"):
        first.full_clean()


def test_an_empty_micro_credential_cannot_be_published_outside_the_form(sections):
    page = MicroCredentialPageFactory(parent=sections.micro_credentials, live=False)
    page.requirements = []
    revision = page.save_revision(clean=False)
    with pytest.raises(ValidationError, match="at least one submission requirement"):
        revision.publish()
    assert not MicroCredentialPage.objects.get(pk=page.pk).live


def test_element_names_keep_their_commas():
    assert FrameworkElement.objects.get(code="DL-4A").name == (
        "Funded, Ongoing Professional Learning Plan"
    )
    assert FrameworkElement.objects.get(code="DL-7A").name == "Scalable, Reliable Network"


def test_explorer_headings_do_not_skip_levels(client, sections):
    for code in ("EC", "CTO", "DL"):
        html = client.get(f"/frameworks/{code}/").content.decode()
        levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (code, levels)


def test_uploaded_files_are_sandboxed(client, settings):
    settings.DEBUG = True  # media is served by Django only in development
    response = client.get(settings.MEDIA_URL + "nothing.svg")
    assert "sandbox" in response["Content-Security-Policy"]
