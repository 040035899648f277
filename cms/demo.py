"""Demo content for the site tree. Called by `seed_demo` after accounts' demo."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from accounts.demo import demo_user
from cms.demo_catalogue import catalogue_ensure
from cms.models import (
    BookIndexPage,
    HomePage,
    MicroCredentialIndexPage,
    PathwayIndexPage,
    StandardPage,
)
from cms.services import (
    CONTENT_REVIEWERS_GROUP,
    EDITORS_GROUP,
    editorial_workflow_ensure,
    frameworks_seed,
)


@dataclass
class DemoAccount:
    role: str
    email: str
    password: str
    name: str


@dataclass
class DemoReport:
    """What seed_demo made, gathered from every app's `demo.seed(report)` and printed last."""

    accounts: list[DemoAccount] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def add_account(self, *, role: str, email: str, password: str, name: str) -> None:
        self.accounts.append(DemoAccount(role=role, email=email, password=password, name=name))

    def add_line(self, line: str) -> None:
        self.lines.append(line)

    def render(self, *, site_url: str) -> str:
        width = max((len(account.role) for account in self.accounts), default=0)
        out = [f"Leap demo is ready at {site_url}/", "", "Demo accounts (e-mail / password):"]
        for account in self.accounts:
            out.append(f"  {account.role:<{width}}  {account.email}  /  {account.password}")
        out.extend(["", *self.lines] if self.lines else [])
        return "\n".join(out) + "\n"


HOME_INTRO = (
    "Professional learning for K-12 educators and district technology leaders: know where "
    "you stand, follow a plan made for you, and earn credentials anyone can verify."
)

HOME_BODY = [
    {"type": "heading", "value": {"text": "Know where you stand", "level": "h2"}},
    {
        "type": "paragraph",
        "value": (
            "<p>Rate yourself against the frameworks your district already uses: CoSN's "
            "Framework of Essential Skills of the K-12 CTO, the Digital Leap Success Matrix, "
            "the ISTE Essential Conditions and the ISTE Standards.</p>"
        ),
    },
    {"type": "heading", "value": {"text": "Learn your way", "level": "h2"}},
    {
        "type": "paragraph",
        "value": (
            "<p>Leap turns your self-assessment into a personal plan of pathways and "
            "micro-credentials. You choose what to take on, and in which order.</p>"
        ),
    },
    {"type": "heading", "value": {"text": "Earn credentials that mean something", "level": "h2"}},
    {
        "type": "paragraph",
        "value": (
            "<p>Submit evidence from your own practice. Trained reviewers assess it against a "
            "public rubric and tell you what to do next. Earned badges are Open Badges you "
            "can share and anyone can verify.</p>"
        ),
    },
    {
        "type": "quote",
        "value": {
            "text": "Professional learning works best when educators steer it.",
            "attribution": "The idea behind Leap",
        },
    },
]

STANDARD_PAGES = [
    {
        "slug": "about",
        "title": "About Leap",
        "intro": "Leap is an open-source platform for personalised, credit-bearing PD.",
        "body": [
            {
                "type": "paragraph",
                "value": (
                    "<p>Districts use Leap to run professional learning that educators steer: "
                    "self-assessment, pathways, micro-credentials reviewed against public "
                    "rubrics, and book-club cohorts, all mapped to published frameworks.</p>"
                ),
            }
        ],
    },
    {
        "slug": "accessibility",
        "title": "Accessibility",
        "show_in_menus": False,
        "intro": "Leap aims to meet WCAG 2.2 level AA.",
        "body": [
            {
                "type": "paragraph",
                "value": (
                    "<p>Every page works with a keyboard and a screen reader, text keeps its "
                    "contrast, and no information is carried by colour alone. If something "
                    "gets in your way, tell your district's Leap administrator.</p>"
                ),
            }
        ],
    },
]


def base_data_ensure() -> Page:
    """What migrations create and a database flush removes (Wagtail's default locale, tree
    root and root collection, the seeded frameworks). Returns the tree root."""
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    frameworks_seed()
    return Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))


@transaction.atomic
def site_tree_ensure() -> HomePage:
    """The home page under the tree's root, serving the default site, plus the standard pages.

    Pages that already exist are left as editors made them.
    """
    root = base_data_ensure()
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's migrations leave a placeholder "Welcome" page; the home page replaces it.
        for placeholder in root.get_children().filter(content_type__model="page"):
            if placeholder.is_leaf():
                placeholder.delete()
        home = root.add_child(
            instance=HomePage(title="Grow with technology, together", slug="home", intro=HOME_INTRO)
        )
        home.body = HOME_BODY
        home.save_revision().publish()
        home.refresh_from_db()

    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname = site.hostname or "localhost"
    site.port = site.port or 80
    site.site_name = "Leap"
    site.root_page = home
    site.save()

    for spec in STANDARD_PAGES:
        if not home.get_children().filter(slug=spec["slug"]).exists():
            page = home.add_child(
                instance=StandardPage(
                    title=spec["title"],
                    slug=spec["slug"],
                    intro=spec["intro"],
                    show_in_menus=spec.get("show_in_menus", True),
                )
            )
            page.body = spec["body"]
            page.save_revision().publish()
    return home


def seed(report: DemoReport) -> None:
    home = site_tree_ensure()
    catalogue_ensure(home)
    sections = [
        home.get_children().type(model).get()
        for model in (PathwayIndexPage, MicroCredentialIndexPage, BookIndexPage)
    ]
    editorial_workflow_ensure(sections=sections)
    demo_user("content editor").groups.add(Group.objects.get(name=EDITORS_GROUP))
    demo_user("content reviewer").groups.add(Group.objects.get(name=CONTENT_REVIEWERS_GROUP))
