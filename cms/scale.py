"""Scale data, part two: the catalogue (`python manage.py seed_scale` explains the whole).

Books, micro-credentials and pathways under the demo's section pages, each slug starting
with `scale-`. Their content is the demo catalogue's (cms.demo_catalogue), so a page is as
long as a real one, under new titles made from a few word lists; alignments, audiences,
levels and the pathways' micro-credential and book steps are drawn from the plan's
generator.

Pages are made through Wagtail, each with one published revision, but not by
`save_revision().publish()`: that saves every page three times and sends `page_published`
(about 130 ms a page; 200 pages took over 40 s with their badge art). Here each page is
added to the tree once, already live, with its revision written beside it: the search and
reference indexes are updated as Wagtail updates them on every save, and the page is what
publishing would have left, minus its log entry. What `page_published` would have started
elsewhere is done by the apps that own it (credentials draws the badge art); nobody is
enrolled yet, so no enrolments need reconciling."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils.text import slugify
from wagtail.models import Page, ReferenceIndex, Revision
from wagtail.signal_handlers import disable_reference_index_auto_update

from accounts.scale import PREFIX, uuid_from
from cms.demo import site_tree_ensure
from cms.demo_catalogue import BOOKS, INDEX_PAGES, MICRO_CREDENTIALS, PATHWAYS, isbn13
from cms.models import (
    AudienceRole,
    BookAlignment,
    BookPage,
    FrameworkElement,
    HomePage,
    Level,
    MicroCredentialAlignment,
    MicroCredentialPage,
    PathwayAlignment,
    PathwayPage,
)

TOPICS = [
    "Student Data Privacy", "Device Refresh Planning", "Digital Citizenship",
    "Network Readiness", "Assistive Technology", "Blended Learning",
    "Cybersecurity Awareness", "Family Engagement Online", "Technology Budgeting",
    "Instructional Coaching", "Learning Analytics", "Open Educational Resources",
    "Accessible Course Design", "Computer Science for All", "Media Literacy",
    "Remote Learning Continuity", "AI in the Classroom", "Vendor Agreements",
    "Help-Desk Operations", "Broadband Equity",
]  # fmt: skip
CREDENTIAL_FORMS = [
    "Inventory", "Audit", "Readiness Review", "Action Plan", "Policy Review",
    "Lesson Redesign", "Coaching Cycle", "Community Briefing",
]  # fmt: skip
PATHWAY_FORMS = [
    "Foundations of", "Leading", "Getting Started with", "Deepening", "Planning for",
    "Sustaining",
]  # fmt: skip
BOOK_OPENINGS = ["The Quiet", "The Practical", "The Patient", "The Connected", "The Open"]
BOOK_NOUNS = ["Rollout", "Classroom", "District", "Network", "Library", "Campus"]
AUTHOR_NAMES = [
    "Marisol Ortega", "Theo Achterberg", "Priya Holt", "Samuel Adeyemi", "Ingrid Solberg",
    "Kenji Watanabe", "Lucia Ferraro", "Owen Gallagher",
]  # fmt: skip
LEVELS = [Level.INTRODUCTORY, Level.INTERMEDIATE, Level.ADVANCED]


def scale_pages():
    return Page.objects.filter(slug__startswith=PREFIX).type(
        PathwayPage, MicroCredentialPage, BookPage
    )


def present() -> bool:
    return scale_pages().exists()


def remove(report) -> None:
    """Through Wagtail (treebeard keeps the tree right; the search and reference indexes
    and revisions go with each page). The apps above removed what pointed at the pages."""
    count = scale_pages().count()
    scale_pages().delete()
    report.removed("pages", count)


def sections_ensure() -> dict[str, Page]:
    """The home page and the catalogue's section pages (made as the demo makes them, when
    missing), by model name."""
    home = site_tree_ensure()
    sections = {}
    for spec in INDEX_PAGES:
        model = spec["model"]
        page = model.objects.child_of(home).first()
        if page is None:
            page = _publish(
                home,
                model(
                    title=spec["title"], slug=spec["slug"], intro=spec["intro"], show_in_menus=True
                ),
                published_at=None,
            )
        sections[model.__name__] = page
    return sections


def _publish(parent: Page, page: Page, *, published_at) -> Page:
    """Add the page under `parent`, live, with its one revision as the live one."""
    page.live = True
    page.has_unpublished_changes = False
    page.draft_title = page.title
    if published_at is not None:
        page.first_published_at = page.last_published_at = published_at
        page.latest_revision_created_at = published_at
    # The page's inline alignments are saved after it, each updating the page's reference
    # index again; it is brought up to date once, below.
    with disable_reference_index_auto_update():
        parent.add_child(instance=page)
    revision = Revision.objects.create(
        content_object=page,
        base_content_type=page.get_base_content_type(),
        content=page.serializable_data(),
        object_str=str(page),
    )
    Page.objects.filter(pk=page.pk).update(
        latest_revision=revision,
        live_revision=revision,
        latest_revision_created_at=page.latest_revision_created_at or revision.created_at,
        first_published_at=page.first_published_at or revision.created_at,
        last_published_at=page.last_published_at or revision.created_at,
    )
    page.latest_revision = page.live_revision = revision
    ReferenceIndex.create_or_update_for_object(page)
    return page


class _Titles:
    """Titles from the word lists; a title made twice gets a part number."""

    def __init__(self):
        self.seen: dict[str, int] = {}

    def __call__(self, base: str) -> str:
        self.seen[base] = self.seen.get(base, 0) + 1
        count = self.seen[base]
        return base if count == 1 else f"{base}, part {count}"


def _slug(title: str, number: int) -> str:
    return f"{PREFIX}{slugify(title)[:60]}-{number}"


def _with_ids(rng, blocks: list[dict]) -> list[dict]:
    """StreamField raw data with block ids from the plan's generator (a step's id is the
    key learner progress refers to, so the same seed gives the same ids)."""
    return [{**block, "id": str(uuid_from(rng))} for block in blocks]


class _Draw:
    """What every page draws: alignments, audiences, a level, a publishing date."""

    def __init__(self, plan):
        self.rng = plan.rng
        self.now = plan.now
        self.elements = list(FrameworkElement.objects.live().order_by("framework__code", "code"))
        self.roles = list(AudienceRole.objects.order_by("code"))

    def alignments(self, model) -> list:
        chosen = self.rng.sample(self.elements, self.rng.randint(2, min(4, len(self.elements))))
        return [model(element=element, sort_order=i) for i, element in enumerate(chosen)]

    def audience(self) -> list:
        return self.rng.sample(self.roles, self.rng.randint(1, min(3, len(self.roles))))

    def level(self) -> str:
        return self.rng.choice(LEVELS)

    def published_at(self):
        return self.now - timedelta(
            days=self.rng.randint(30, 900), minutes=self.rng.randrange(1440)
        )


def _books(plan, index: Page, draw: _Draw, titles: _Titles) -> list[BookPage]:
    rng = plan.rng
    books = []
    for number in range(1, plan.books + 1):
        spec = BOOKS[(number - 1) % len(BOOKS)]
        topic = rng.choice(TOPICS)
        title = titles(f"{rng.choice(BOOK_OPENINGS)} {rng.choice(BOOK_NOUNS)}: {topic} in Practice")
        page = BookPage(
            title=title,
            slug=_slug(title, number),
            authors=" and ".join(rng.sample(AUTHOR_NAMES, rng.randint(1, 2))),
            publisher="Leap Scale Editions",
            year=rng.randint(2015, 2025),
            isbn=isbn13(f"979{rng.randrange(10**9):09d}"),
            summary=spec["summary"],
            sections=_with_ids(
                rng,
                [
                    {
                        "type": "section",
                        "value": {
                            "number": n,
                            "title": section_title,
                            "pages": pages,
                            "discussion_prompts": prompts,
                        },
                    }
                    for n, (section_title, pages, prompts) in enumerate(spec["sections"], 1)
                ],
            ),
            level=draw.level(),
            suggested_pd_hours=Decimal(rng.choice(["4.0", "6.0", "8.0", "10.0"])),
        )
        page.audience_roles = draw.audience()
        page.alignments = draw.alignments(BookAlignment)
        books.append(_publish(index, page, published_at=draw.published_at()))
    return books


def _micro_credentials(plan, index: Page, draw: _Draw, titles: _Titles) -> list:
    rng = plan.rng
    pages = []
    for number in range(1, plan.micro_credentials + 1):
        spec = MICRO_CREDENTIALS[(number - 1) % len(MICRO_CREDENTIALS)]
        title = titles(f"{rng.choice(TOPICS)} {rng.choice(CREDENTIAL_FORMS)}")
        page = MicroCredentialPage(
            title=title,
            slug=_slug(title, number),
            competency=spec["competency"],
            key_method=spec["key_method"],
            method_components=_with_ids(
                rng,
                [
                    {"type": "component", "value": {"title": t, "description": d}}
                    for t, d in spec["components"]
                ],
            ),
            supporting_research=spec["research"],
            resources=_with_ids(
                rng,
                [
                    {"type": "resource", "value": {"title": t, "url": u, "description": d}}
                    for t, u, d in spec["resources"]
                ],
            ),
            requirements=_with_ids(rng, spec["requirements"]),
            rubric=_with_ids(
                rng,
                [
                    {
                        "type": "criterion",
                        "value": {"title": t, "meets": m, "feedback_guidance": g},
                    }
                    for t, m, g in spec["rubric"]
                ],
            ),
            level=draw.level(),
            pd_hours=Decimal(rng.choice(["2.0", "3.0", "4.0", "5.0", "6.0"])),
            validity_months=rng.choice([None, None, 24, 36]),
            reviewers_required=2 if rng.random() < 0.2 else 1,
        )
        page.audience_roles = draw.audience()
        page.alignments = draw.alignments(MicroCredentialAlignment)
        pages.append(_publish(index, page, published_at=draw.published_at()))
    return pages


def _step(rng, spec: dict, books: list, credentials: list) -> dict:
    """A demo pathway's step, pointing at scale books and micro-credentials instead."""
    value = {key: item for key, item in spec.items() if key not in ("type", "minutes")}
    value["estimated_minutes"] = spec["minutes"]
    value.setdefault("required", True)
    if "book" in value:
        value["book"] = rng.choice(books).pk
    if "micro_credential" in value:
        value["micro_credential"] = rng.choice(credentials).pk
    return {"type": spec["type"], "value": value}


def _pathways(plan, index, draw: _Draw, titles: _Titles, books, credentials) -> list:
    rng = plan.rng
    pages = []
    for number in range(1, plan.pathways + 1):
        spec = PATHWAYS[(number - 1) % len(PATHWAYS)]
        title = titles(f"{rng.choice(PATHWAY_FORMS)} {rng.choice(TOPICS)}")
        steps = [_step(rng, step, books, credentials) for step in spec["steps"]]
        minutes = sum(s["value"]["estimated_minutes"] for s in steps if s["value"]["required"])
        page = PathwayPage(
            title=title,
            slug=_slug(title, number),
            summary=spec["summary"],
            level=draw.level(),
            outcomes=_with_ids(rng, [{"type": "outcome", "value": o} for o in spec["outcomes"]]),
            estimated_hours=(Decimal(minutes) / 60).quantize(Decimal("0.5")) or Decimal("0.5"),
            steps=_with_ids(rng, steps),
        )
        page.audience_roles = draw.audience()
        page.alignments = draw.alignments(PathwayAlignment)
        pages.append(_publish(index, page, published_at=draw.published_at()))
    return pages


def seed(plan, report) -> None:
    sections = sections_ensure()
    draw, titles = _Draw(plan), _Titles()
    books = _books(plan, sections["BookIndexPage"], draw, titles)
    credentials = _micro_credentials(plan, sections["MicroCredentialIndexPage"], draw, titles)
    pathways = _pathways(plan, sections["PathwayIndexPage"], draw, titles, books, credentials)
    for model, made in (
        (BookPage, books),
        (MicroCredentialPage, credentials),
        (PathwayPage, pathways),
    ):
        report.made(model, len(made))
    report.shared["pages"] = {
        "books": books,
        "micro_credentials": credentials,
        "pathways": pathways,
    }
    site = settings.SITE_URL.rstrip("/")
    for key, page in (
        ("home", HomePage.objects.first()),
        ("pathway", pathways[0]),
        ("micro_credential", credentials[0]),
        ("book", books[0]),
    ):
        report.url(key, f"{site}{page.url}")
