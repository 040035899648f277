import re

import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.demo import site_tree_ensure
from cms.models import (
    BookIndexPage,
    FrameworkIndexPage,
    HomePage,
    MicroCredentialIndexPage,
    PathwayIndexPage,
    StandardPage,
)
from tests.factories import StandardPageFactory, UserFactory
from tests.sign_in import SignInClient


class PageTreeTests(WagtailPageTestCase):
    client_class = SignInClient  # editors sign in with their second factor

    @classmethod
    def setUpTestData(cls):
        cls.home = site_tree_ensure()
        cls.about = cls.home.get_children().get(slug="about").specific

    def test_home_page_sits_at_the_root_only(self):
        self.assertCanCreateAt(Page, HomePage)
        self.assertCanNotCreateAt(HomePage, HomePage)
        self.assertCanNotCreateAt(StandardPage, HomePage)
        self.assertEqual(HomePage.max_count, 1)

    def test_standard_pages_nest_under_home_and_each_other(self):
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        self.assertAllowedSubpageTypes(
            HomePage,
            {
                StandardPage,
                PathwayIndexPage,
                MicroCredentialIndexPage,
                BookIndexPage,
                FrameworkIndexPage,
            },
        )

    def test_pages_render_and_preview(self):
        self.assertPageIsRenderable(self.home)
        self.assertPageIsRenderable(self.about)
        # StreamFields are drawn by JavaScript in the editor, so the form data is given here.
        for page in (self.home, self.about):
            self.assertPageIsPreviewable(
                page,
                post_data=nested_form_data(
                    {
                        "title": page.title,
                        "slug": page.slug,
                        "intro": page.intro,
                        "body": streamfield(
                            [
                                ("heading", {"text": "Preview heading", "level": "h2"}),
                                ("quote", {"text": "A quote", "attribution": ""}),
                            ]
                        ),
                        # The home page's featured inlines, left empty.
                        **(
                            {
                                "featured_pathways": inline_formset([]),
                                "featured_micro_credentials": inline_formset([]),
                            }
                            if page is self.home
                            else {}
                        ),
                    }
                ),
            )

    def test_an_editor_creates_a_standard_page_through_the_admin_form(self):
        editor = UserFactory(is_superuser=True)
        self.client.force_login(editor)
        data = nested_form_data(
            {
                "title": "Privacy notice",
                "slug": "privacy",
                "intro": "What Leap keeps about you and why.",
                "body": streamfield(
                    [
                        ("heading", {"text": "What we keep", "level": "h2"}),
                        ("paragraph", rich_text("<p>Your name and e-mail address.</p>")),
                    ]
                ),
            }
        )
        self.assertCanCreate(self.home, StandardPage, data)
        page = StandardPage.objects.get(slug="privacy")
        self.assertEqual(page.body[0].value["text"], "What we keep")

    def test_a_call_to_action_needs_somewhere_to_go(self):
        editor = UserFactory(is_superuser=True)
        self.client.force_login(editor)
        data = nested_form_data(
            {
                "title": "Start here",
                "slug": "start",
                "intro": "",
                "body": streamfield(
                    [("call_to_action", {"title": "Begin", "text": "", "url": "", "label": "Go"})]
                ),
                "action-publish": "publish",
            }
        )
        response = self.client.post(
            f"/admin/pages/add/cms/standardpage/{self.home.pk}/", data, follow=True
        )
        self.assertContains(response, "Choose a page or enter a URL for the button.")
        self.assertFalse(StandardPage.objects.filter(slug="start").exists())


@pytest.mark.django_db
def test_home_page_has_the_accessible_layout(client, home):
    html = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert '<main id="main"' in html
    assert '<nav id="site-nav" class="site-nav" aria-label="Main">' in html
    assert "<header" in html and "<footer" in html
    assert '<html lang="en">' in html
    assert 'href="/about/"' in html  # pages marked "show in menus" are in the navigation


@pytest.mark.django_db
def test_navigation_shows_who_is_signed_in(client, home):
    anonymous = client.get("/").content.decode()
    assert "Log in" in anonymous and "Sign up" in anonymous

    user = UserFactory(display_name="Ana Díaz")
    client.force_login(user)
    signed_in = client.get("/").content.decode()
    assert "Ana Díaz" in signed_in
    assert "Log out" in signed_in and "Sign up" not in signed_in
    assert ">Editor</a>" not in signed_in  # a learner has no way into the CMS


@pytest.mark.django_db
def test_editors_see_a_link_to_the_cms(client, home):
    client.force_login(UserFactory(is_superuser=True))
    assert ">Editor</a>" in client.get("/").content.decode()


@pytest.mark.django_db
def test_home_page_costs_the_same_queries_whatever_the_menu_size(client, home):
    """With the menu (and what the page features) built, as after any change to the pages,
    and read from the cache."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cms.selectors import CONTENT_VERSION_KEY, SITE_LINKS_KEY

    client.force_login(UserFactory())
    client.get("/")  # warm the site and content-type caches

    def count_queries() -> tuple[int, int]:
        counts = []
        cache.delete_many([SITE_LINKS_KEY, CONTENT_VERSION_KEY])
        for _ in range(2):  # the menu built, then cached
            with CaptureQueriesContext(connection) as context:
                assert client.get("/").status_code == 200
            counts.append(len(context.captured_queries))
        return tuple(counts)

    few = count_queries()
    for _ in range(10):
        StandardPageFactory(parent=home)
    assert count_queries() == few
    assert few[1] < few[0]


@pytest.mark.django_db
def test_unknown_pages_answer_404_with_the_site_layout(client, home):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


@pytest.mark.django_db
def test_static_assets_are_local(client, home):
    html = client.get("/").content.decode()
    assert "/static/css/leap.css" in html
    for cdn in ("//cdn.", "googleapis", "unpkg", "jsdelivr", "cdnjs"):
        assert cdn not in html


def menu_reads(queries) -> list:
    return [q for q in queries if '"show_in_menus"' in q["sql"].partition(" WHERE ")[2]]


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_the_menu_is_read_from_the_cache_after_the_first_request(client, home, signed_in):
    """The header lists the menu pages to visitors and the footer to people signed in: the
    first request reads them (once), the next from the cache, with no page query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    StandardPageFactory(parent=home, title="About Leap", slug="about-leap")
    if signed_in:
        client.force_login(UserFactory())
    with CaptureQueriesContext(connection) as first:
        html = client.get("/verify/").content.decode()
    assert 'href="/about-leap/"' in html
    assert len(menu_reads(first.captured_queries)) == 1
    with CaptureQueriesContext(connection) as then:
        assert 'href="/about-leap/"' in client.get("/verify/").content.decode()
    pages = [
        q["sql"]
        for q in then.captured_queries
        if any(table in q["sql"] for table in ('FROM "wagtailcore_', 'JOIN "wagtailcore_'))
    ]
    assert pages == []  # no site, no menu, no accessibility statement's page


@pytest.mark.django_db
def test_the_cached_menu_follows_every_change_to_its_pages(client, home):
    """Published, retitled, restricted to people signed in, unpublished, moved, deleted: the
    next request shows the menu as it is now, and the accessibility link once there is a
    statement to link to."""
    from wagtail.models import PageViewRestriction

    def menu() -> list[str]:
        html = client.get("/verify/").content.decode()
        header = html.partition('class="site-nav__list"')[2].partition("</ul>")[0]
        return re.findall(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a>', header)

    before = menu()  # the site tree's own
    team = StandardPageFactory(parent=home, title="Our team", slug="team")
    assert menu() == [*before, ("/team/", "Our team")]
    news = StandardPageFactory(parent=home, title="News", slug="news")
    assert menu() == [*before, ("/team/", "Our team"), ("/news/", "News")]
    team.title = "The team"
    team.save_revision().publish()
    assert menu() == [*before, ("/team/", "The team"), ("/news/", "News")]
    restriction = PageViewRestriction.objects.create(page=news, restriction_type="login")
    assert menu() == [*before, ("/team/", "The team")]
    restriction.delete()
    assert menu()[-1] == ("/news/", "News")
    news.unpublish()
    assert menu() == [*before, ("/team/", "The team")]
    news.save_revision().publish()
    news.move(team, pos="last-child")  # no longer under the home page
    assert menu() == [*before, ("/team/", "The team")]
    team.delete()
    assert menu() == before

    link = '<a href="/accessibility/">Accessibility</a>'
    assert link in client.get("/verify/").content.decode()
    statement = Page.objects.get(slug="accessibility")
    statement.unpublish()
    assert "Accessibility</a>" not in client.get("/verify/").content.decode()
    statement.get_latest_revision().publish()
    assert link in client.get("/verify/").content.decode()


@pytest.mark.django_db
def test_the_catalogues_element_links_follow_the_explorer(client, sections):
    """A card's framework elements link into the explorer, whose address is cached with
    the menu: moved or unpublished, the next listing links where it is now (or nowhere)."""
    from cms.models import MicroCredentialAlignment
    from tests.factories import MicroCredentialPageFactory, element

    badge = MicroCredentialPageFactory(parent=sections.micro_credentials, title="Using Data")
    MicroCredentialAlignment.objects.create(page=badge, element=element("2.7"))
    badge.save_revision().publish()
    listing = sections.micro_credentials.url

    assert 'href="/frameworks/ISTE-E/2-7/"' in client.get(listing).content.decode()
    sections.frameworks.slug = "standards"
    sections.frameworks.save_revision().publish()
    html = client.get(listing).content.decode()
    assert 'href="/standards/ISTE-E/2-7/"' in html and "/frameworks/ISTE-E/" not in html
    sections.frameworks.unpublish()
    assert "/standards/ISTE-E/2-7/" not in client.get(listing).content.decode()


@pytest.mark.django_db
def test_links_read_before_a_change_are_not_stored_again_and_hosts_are_capped(home, rf):
    """A screen that read the links, then works out one more after a change forgot them,
    adds that one alone; past the cap of hosts (a wildcard ALLOWED_HOSTS), links are worked
    out once a request and not kept."""
    from django.core.cache import cache

    from cms import selectors
    from cms.services import site_links_forget

    request = rf.get("/")
    old_menu = selectors.site_menu(request)
    site_links_forget()  # a page changed while the screen was being made
    assert selectors.site_explorer_url(request) == ""  # (no explorer in this tree)
    assert cache.get(selectors.SITE_LINKS_KEY) == {"testserver:80": {"explorer": ""}}
    assert old_menu  # read before the change: kept by the screen, not by the cache

    cache.set(
        selectors.SITE_LINKS_KEY,
        {f"host{n}:80": {} for n in range(selectors.SITE_LINKS_HOSTS)},
    )
    request = rf.get("/")
    assert selectors.site_menu(request) == old_menu
    assert selectors.site_menu(request) is selectors.site_menu(request)  # once a request
    assert "testserver:80" not in cache.get(selectors.SITE_LINKS_KEY)
