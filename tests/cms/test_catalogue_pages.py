"""Page types of the catalogue: where they may live, how editors create them, what
publishing requires, and what visitors see."""

import io

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.models import PageViewRestriction
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.demo import site_tree_ensure
from cms.models import (
    BookIndexPage,
    BookPage,
    FrameworkIndexPage,
    HomePage,
    MicroCredentialAlignment,
    MicroCredentialIndexPage,
    MicroCredentialPage,
    PathwayAlignment,
    PathwayIndexPage,
    PathwayPage,
    StandardPage,
)
from cms.validators import isbn_is_valid
from tests.factories import (
    BookIndexPageFactory,
    BookPageFactory,
    FrameworkIndexPageFactory,
    MicroCredentialIndexPageFactory,
    MicroCredentialPageFactory,
    PathwayIndexPageFactory,
    PathwayPageFactory,
    UserFactory,
    element,
)
from tests.sign_in import SignInClient

ALL_TYPES = {
    HomePage,
    StandardPage,
    PathwayIndexPage,
    PathwayPage,
    MicroCredentialIndexPage,
    MicroCredentialPage,
    BookIndexPage,
    BookPage,
    FrameworkIndexPage,
}


def png(width: int, height: int) -> ImageFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), "#0b5c8a").save(buffer, "PNG")
    return ImageFile(buffer, name=f"badge-{width}x{height}.png")


class CatalogueTestCase(WagtailPageTestCase):
    client_class = SignInClient  # editors sign in with their second factor

    @classmethod
    def setUpTestData(cls):
        cls.home = site_tree_ensure()
        cls.pathways = PathwayIndexPageFactory(parent=cls.home)
        cls.micro_credentials = MicroCredentialIndexPageFactory(parent=cls.home)
        cls.books = BookIndexPageFactory(parent=cls.home)
        cls.frameworks = FrameworkIndexPageFactory(parent=cls.home)
        cls.book = BookPageFactory(parent=cls.books, title="Leading Digital Change")
        cls.micro_credential = MicroCredentialPageFactory(
            parent=cls.micro_credentials, title="Data-Driven Instruction"
        )
        MicroCredentialAlignment.objects.create(
            page=cls.micro_credential, element=element("2.7"), sort_order=0
        )
        cls.pathway = PathwayPageFactory(parent=cls.pathways, title="Privacy for Leaders")
        PathwayAlignment.objects.create(page=cls.pathway, element=element("DL-3B"), sort_order=0)
        cls.editor = UserFactory(is_superuser=True)

    def setUp(self):
        self.client.force_login(self.editor)


class PageTreeRules(CatalogueTestCase):
    def test_every_type_declares_where_it_lives(self):
        for model in ALL_TYPES:
            assert model.parent_page_types is not None, model
            assert model.subpage_types is not None, model

    def test_index_pages_sit_under_home_once(self):
        for index in (PathwayIndexPage, MicroCredentialIndexPage, BookIndexPage):
            self.assertCanCreateAt(HomePage, index)
            self.assertCanNotCreateAt(StandardPage, index)
            self.assertEqual(index.max_count, 1)
        self.assertCanCreateAt(HomePage, FrameworkIndexPage)
        self.assertEqual(FrameworkIndexPage.max_count, 1)

    def test_items_live_only_under_their_own_index(self):
        self.assertAllowedParentPageTypes(PathwayPage, {PathwayIndexPage})
        self.assertAllowedParentPageTypes(MicroCredentialPage, {MicroCredentialIndexPage})
        self.assertAllowedParentPageTypes(BookPage, {BookIndexPage})
        self.assertCanNotCreateAt(HomePage, PathwayPage)
        self.assertCanNotCreateAt(BookIndexPage, MicroCredentialPage)
        self.assertCanNotCreateAt(PathwayPage, PathwayPage)
        self.assertAllowedSubpageTypes(FrameworkIndexPage, set())

    def test_every_page_renders(self):
        for page in (
            self.pathways,
            self.micro_credentials,
            self.books,
            self.frameworks,
            self.pathway,
            self.micro_credential,
            self.book,
        ):
            self.assertPageIsRenderable(page)
        self.assertPageIsRenderable(self.frameworks, route_path="/CTO/")
        self.assertPageIsRenderable(self.frameworks, route_path="/DL/DL-3B/")

    def test_every_page_previews(self):
        simple = nested_form_data({"title": "Preview", "slug": "preview", "intro": ""})
        for page in (self.pathways, self.micro_credentials, self.books, self.frameworks):
            self.assertPageIsPreviewable(page, post_data=simple)
        self.assertPageIsPreviewable(self.pathway, post_data=pathway_form_data())
        self.assertPageIsPreviewable(self.micro_credential, post_data=micro_credential_form_data())
        self.assertPageIsPreviewable(self.book, post_data=book_form_data())


def pathway_form_data(**overrides) -> dict:
    data = {
        "title": "Leading a 1:1 programme",
        "slug": "one-to-one",
        "summary": "Plan, launch and sustain a device programme.",
        "audience_roles": [],
        "level": "intermediate",
        "estimated_hours": "6.0",
        "outcomes": streamfield([("outcome", "Write a refresh plan")]),
        "alignments": inline_formset([{"element": element("CTO-2").pk}]),
        "prerequisites": inline_formset([]),
        "steps": streamfield(
            [
                (
                    "read",
                    {
                        "title": "Read the plan",
                        "estimated_minutes": 20,
                        "required": True,
                        "instructions": rich_text("<p>Skim it.</p>"),
                        "url": "",
                        "book": "",
                    },
                ),
                (
                    "reflect",
                    {
                        "title": "Reflect",
                        "estimated_minutes": 10,
                        "required": True,
                        "prompt": "What is missing?",
                    },
                ),
            ]
        ),
    }
    data.update(overrides)
    return nested_form_data(data)


def micro_credential_form_data(**overrides) -> dict:
    data = {
        "title": "Family Communication",
        "slug": "family-communication",
        "competency": "The educator communicates with families about learning technology.",
        "key_method": "Plan and run a two-way communication cycle.",
        "method_components": streamfield([]),
        "supporting_research": rich_text(""),
        "resources": streamfield([]),
        "requirements": streamfield(
            [("reflection", {"prompt": "What changed?", "word_limit": 300, "required": True})]
        ),
        "rubric": streamfield(
            [
                (
                    "criterion",
                    {
                        "title": "Two-way",
                        "meets": "Families answered.",
                        "feedback_guidance": "Ask how families replied.",
                    },
                )
            ]
        ),
        "audience_roles": [],
        "level": "introductory",
        "pd_hours": "3.0",
        "validity_months": "36",
        "reviewers_required": "1",
        "attempt_limit": "3",
        "badge_image": "",
        "alignments": inline_formset([]),
        "prerequisites": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def list_block(items: list) -> dict:
    """Form data for a ListBlock, as the editor's JavaScript posts it."""
    data = {"count": len(items)}
    for i, item in enumerate(items):
        data[str(i)] = {"value": item, "deleted": "", "order": i, "id": ""}
    return data


def book_form_data(**overrides) -> dict:
    data = {
        "title": "The Connected District",
        "slug": "connected-district",
        "authors": "M. Rivera",
        "publisher": "Leap Press",
        "year": "2024",
        "isbn": "978-0-306-40615-7",
        "cover_image": "",
        "summary": rich_text("<p>How districts connect.</p>"),
        "sections": streamfield(
            [
                (
                    "section",
                    {
                        "number": 1,
                        "title": "Start",
                        "pages": "1–10",
                        "discussion_prompts": list_block(["Where do you start?"]),
                    },
                )
            ]
        ),
        "audience_roles": [],
        "level": "introductory",
        "suggested_pd_hours": "8.0",
        "alignments": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


class CreatingThroughTheAdmin(CatalogueTestCase):
    def test_an_editor_creates_a_pathway_with_steps_and_alignments(self):
        self.assertCanCreate(self.pathways, PathwayPage, pathway_form_data())
        page = PathwayPage.objects.get(slug="one-to-one")
        self.assertEqual([block.block_type for block in page.steps], ["read", "reflect"])
        self.assertEqual(page.aligned_elements, [element("CTO-2")])
        self.assertEqual(page.required_step_count, 2)

    def test_the_same_element_twice_is_refused_with_a_message(self):
        data = pathway_form_data(
            alignments=inline_formset(
                [{"element": element("CTO-2").pk}, {"element": element("CTO-2").pk}]
            )
        )
        response = self.client.post(f"/admin/pages/add/cms/pathwaypage/{self.pathways.pk}/", data)
        self.assertContains(response, "Please correct the duplicate data for page and element")
        self.assertFalse(PathwayPage.objects.filter(slug="one-to-one").exists())

    def test_a_book_with_a_bad_isbn_is_refused(self):
        response = self.client.post(
            f"/admin/pages/add/cms/bookpage/{self.books.pk}/",
            book_form_data(isbn="978-0-306-40615-8"),
        )
        self.assertContains(response, "Enter a valid ISBN-10 or ISBN-13")
        self.assertCanCreate(self.books, BookPage, book_form_data())
        self.assertEqual(BookPage.objects.get(slug="connected-district").isbn, "9780306406157")


class PublishingAMicroCredential(CatalogueTestCase):
    add_url = property(
        lambda self: f"/admin/pages/add/cms/microcredentialpage/{self.micro_credentials.pk}/"
    )

    def test_a_draft_may_be_incomplete(self):
        data = micro_credential_form_data(requirements=streamfield([]), rubric=streamfield([]))
        response = self.client.post(self.add_url, data)
        self.assertEqual(response.status_code, 302)
        page = MicroCredentialPage.objects.get(slug="family-communication")
        self.assertFalse(page.live)

    def test_publishing_needs_a_requirement_and_a_criterion(self):
        data = micro_credential_form_data(
            requirements=streamfield([]), rubric=streamfield([]), **{"action-publish": "publish"}
        )
        response = self.client.post(self.add_url, data)
        self.assertContains(response, "Add at least one submission requirement before publishing.")
        self.assertContains(response, "Add at least one rubric criterion before publishing.")
        self.assertFalse(MicroCredentialPage.objects.filter(slug="family-communication").exists())

    def test_a_complete_micro_credential_publishes(self):
        data = micro_credential_form_data(**{"action-publish": "publish"})
        self.client.post(self.add_url, data)
        self.assertTrue(MicroCredentialPage.objects.get(slug="family-communication").live)

    def test_an_artifact_slot_must_accept_something(self):
        data = micro_credential_form_data(
            requirements=streamfield(
                [
                    (
                        "artifact",
                        {
                            "title": "Evidence",
                            "guidance": "Anything",
                            "file_types": [],
                            "allow_link": False,
                            "required": True,
                            "max_files": 1,
                        },
                    )
                ]
            ),
            **{"action-publish": "publish"},
        )
        response = self.client.post(self.add_url, data)
        self.assertContains(response, "Accept at least one kind of file")

    def test_badge_images_must_be_square_pngs_of_400_pixels_or_svgs(self):
        page = self.micro_credential
        for size, message in (((600, 400), "must be square"), ((300, 300), "at least 400")):
            page.badge_image = Image.objects.create(title="bad", file=png(*size))
            with pytest.raises(Exception, match=message):
                page.full_clean()
        page.badge_image = Image.objects.create(title="good", file=png(512, 512))
        page.full_clean()
        svg = ImageFile(
            io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'),
            name="badge.svg",
        )
        page.badge_image = Image.objects.create(title="svg", file=svg)
        page.full_clean()

    def test_a_badge_image_is_judged_by_its_content_not_its_name(self):
        page = self.micro_credential
        jpeg = io.BytesIO()
        PILImage.new("RGB", (512, 512), "#0b5c8a").save(jpeg, "JPEG")
        page.badge_image = Image.objects.create(
            title="badge", file=ImageFile(jpeg, name="badge.png")
        )
        with pytest.raises(Exception, match="must be a PNG or an SVG file"):
            page.full_clean()
        # A web page named .svg is not even stored: a browser would run it as a document.
        not_svg = io.BytesIO(b"<html><body>a web page</body></html>")
        with pytest.raises(Exception, match="“badge.svg” is not an SVG image"):
            Image.objects.create(title="badge", file=ImageFile(not_svg, name="badge.svg"))


class WhatVisitorsSee(CatalogueTestCase):
    def setUp(self):
        pass  # anonymous visitors

    def test_a_pathway_page_shows_steps_outcomes_and_alignment(self):
        html = self.client.get(self.pathway.url).content.decode()
        self.assertIn("Read the plan", html)
        self.assertIn("What stood out?", html)
        self.assertIn("DL-3B", html)
        self.assertIn(f"{self.frameworks.url}DL/DL-3B/", html)

    def test_a_micro_credential_page_shows_its_public_rubric(self):
        html = self.client.get(self.micro_credential.url).content.decode()
        self.assertIn("Patterns are named and backed by the data.", html)
        self.assertIn("every criterion meets", html)
        self.assertIn("Up to 200 words", html)
        self.assertIn("36 months", html)

    def test_the_explorer_lists_aligned_content_and_flags_leaps_breakdown(self):
        html = self.client.get(f"{self.frameworks.url}DL/").content.decode()
        self.assertIn("Student Data Privacy", html)
        self.assertIn("Privacy for Leaders", html)
        self.assertIn("Leap's breakdown", html)
        element_page = self.client.get(f"{self.frameworks.url}ISTE-E/2-7/").content.decode()
        self.assertIn("Data-Driven Instruction", element_page)
        self.assertNotIn("Leap's breakdown", element_page)
        covers = self.client.get(f"{self.frameworks.url}EC2/EC2-4/").content.decode()
        self.assertIn("Ongoing Professional Learning", covers)

    def test_unknown_frameworks_and_elements_answer_404(self):
        self.assertEqual(self.client.get(f"{self.frameworks.url}NOPE/").status_code, 404)
        self.assertEqual(self.client.get(f"{self.frameworks.url}CTO/DL-3B/").status_code, 404)

    def test_index_pages_filter_by_element_audience_and_level(self):
        PathwayPageFactory(parent=self.pathways, title="Coaching Cycles", level="advanced")
        url = self.pathways.url
        self.assertContains(self.client.get(url), "Coaching Cycles")
        by_element = self.client.get(url, {"element": "DL-3B"}).content.decode()
        self.assertIn("Privacy for Leaders", by_element)
        self.assertNotIn("Coaching Cycles", by_element)
        by_level = self.client.get(url, {"level": "advanced"}).content.decode()
        self.assertIn("Coaching Cycles", by_level)
        self.assertNotIn("Privacy for Leaders", by_level)

    def test_unknown_filter_values_are_reported_not_fatal(self):
        response = self.client.get(self.pathways.url, {"element": "XYZ-99", "level": "expert"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Some filters were not recognised")
        self.assertContains(response, "Privacy for Leaders")

    def test_the_filters_render_as_djangos_select_would(self):
        """The filter's selects are written out in Python for speed: the same HTML as
        Django's own widget, chosen option, error attributes and escaping included."""
        from django import forms

        from cms.forms import CatalogueFilterForm

        for data in ({}, {"element": "DL-3B", "level": "advanced"}, {"element": "<b>XYZ"}):
            form = CatalogueFilterForm(data)
            form.is_valid()
            for field in form:
                ours = str(field)
                field.field.widget = forms.Select(choices=field.field.widget.choices)
                self.assertHTMLEqual(ours, str(field))  # attributes in any order
        page = self.client.get(self.pathways.url, {"element": "DL-3B"}).content.decode()
        self.assertRegex(page, r'<option value="DL-3B" selected>[^<]*DL-3B')

        # Values and labels to escape, whole numbers, a group, a required field's attributes.
        choices = [
            ("", "Any"),
            ('a&b"<c>', 'Tom & "Jerry" <b>'),
            (3, "Three"),
            ("Group <1>", [(4, "Four"), ("x", "Ex")]),
        ]
        from cms.widgets import PlainSelect

        for value in (None, "", 3, "3", 4, 'a&b"<c>', "nothing"):
            attrs = {"id": "id_pick", "required": True, "aria-invalid": "true"}
            self.assertHTMLEqual(
                PlainSelect(choices=choices).render("pick", value, attrs),
                forms.Select(choices=choices).render("pick", value, attrs),
            )

    def test_index_pages_paginate(self):
        for n in range(13):
            PathwayPageFactory(parent=self.pathways, title=f"Extra {n:02d}")
        first = self.client.get(self.pathways.url).content.decode()
        self.assertIn("Page 1 of 2", first)
        second = self.client.get(self.pathways.url, {"page": 2}).content.decode()
        self.assertIn("Page 2 of 2", second)
        self.assertEqual(self.client.get(self.pathways.url, {"page": "x"}).status_code, 200)

    def test_page_links_keep_repeated_query_parameters(self):
        for n in range(13):
            extra = PathwayPageFactory(parent=self.pathways, title=f"Extra {n:02d}")
            PathwayAlignment.objects.create(page=extra, element=element("DL-3B"), sort_order=0)
        query = "element=2.7&element=DL-3B"
        first = self.client.get(f"{self.pathways.url}?{query}").content.decode()
        self.assertIn("Page 1 of 2", first)
        self.assertIn(f'href="?{query.replace("&", "&amp;")}&amp;page=2" rel="next"', first)
        second = self.client.get(f"{self.pathways.url}?{query}&page=2").content.decode()
        self.assertIn(f'href="?{query.replace("&", "&amp;")}&amp;page=1" rel="prev"', second)

    def test_search_finds_pathways_micro_credentials_and_books(self):
        self.assertContains(self.client.get("/search/", {"q": "privacy"}), "Privacy for Leaders")
        self.assertContains(
            self.client.get("/search/", {"q": "formative"}), "Data-Driven Instruction"
        )
        self.assertContains(self.client.get("/search/", {"q": "leading"}), "Leading Digital Change")
        self.assertContains(self.client.get("/search/", {"q": "zzzqqq"}), "0 results")
        self.assertEqual(self.client.get("/search/", {"q": "x" * 5000}).status_code, 200)

    def test_draft_and_private_pages_stay_out_of_listings_and_search(self):
        draft = PathwayPageFactory(parent=self.pathways, title="Secret Draft", live=False)
        self.assertNotContains(self.client.get(self.pathways.url), "Secret Draft")
        self.assertNotContains(self.client.get("/search/", {"q": "secret"}), "Secret Draft")
        self.assertEqual(self.client.get(f"/pathways/{draft.slug}/").status_code, 404)

    def test_learner_only_pages_send_visitors_to_the_allauth_log_in(self):
        PageViewRestriction.objects.create(
            page=self.pathway, restriction_type=PageViewRestriction.LOGIN
        )
        response = self.client.get(self.pathway.url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/accounts/login/?next="))
        self.client.force_login(UserFactory())
        self.assertEqual(self.client.get(self.pathway.url).status_code, 200)


def test_isbn_checksums():
    assert isbn_is_valid("978-0-306-40615-7")
    assert isbn_is_valid("0-306-40615-2")
    assert isbn_is_valid("0-8044-2957-X")
    assert not isbn_is_valid("978-0-306-40615-8")
    assert not isbn_is_valid("12345")
    assert not isbn_is_valid("")


def test_a_page_aligned_to_an_element_unpublished_later_can_still_be_saved(admin_client, sections):
    from tests.factories import PathwayPageFactory, align

    pathway = PathwayPageFactory(parent=sections.pathways, title="Leading a 1:1 programme")
    align(PathwayAlignment, pathway, ["CTO-2"])
    alignment = pathway.alignments.get()
    cto2 = element("CTO-2")
    cto2.live = False  # a content reviewer unpublished it
    cto2.save(update_fields=["live"])
    data = pathway_form_data(
        slug=pathway.slug,
        alignments=inline_formset(
            [{"id": alignment.pk, "element": cto2.pk, "ORDER": "1"}], initial=1
        ),
    )
    response = admin_client.post(f"/admin/pages/{pathway.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(pathway.alignments.values_list("element__code", flat=True)) == ["CTO-2"]
