"""Reads shared by the catalogue pages, the explorer and search. Frameworks, categories,
elements and crosswalks are read live only: a draft never reaches learners."""

import re
from collections.abc import Callable
from typing import NamedTuple
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site

from cms.models import (
    BookAlignment,
    BookPage,
    Framework,
    FrameworkElement,
    FrameworkIndexPage,
    MicroCredentialAlignment,
    MicroCredentialPage,
    PathwayAlignment,
    PathwayPage,
)

ALIGNMENT_MODELS = [
    ("pathways", PathwayAlignment, PathwayPage),
    ("micro_credentials", MicroCredentialAlignment, MicroCredentialPage),
    ("books", BookAlignment, BookPage),
]


# Badge images are shown from one rendition everywhere (160 CSS px, sharp at twice that).
BADGE_RENDITION = "width-320"


def badge_image_prefetch(lookup: str = "badge_image") -> Prefetch:
    """A micro-credential's badge image with its rendition, so a list of any length costs
    the same queries."""
    return Prefetch(lookup, get_image_model().objects.prefetch_renditions(BADGE_RENDITION))


def alignments_prefetch() -> Prefetch:
    return Prefetch("alignments__element", FrameworkElement.objects.select_related("framework"))


def visible_to(pages: QuerySet, user) -> QuerySet:
    """Live pages the user may open: public ones, and for signed-in people also those
    restricted to logged-in users (learner-only content). Password and group restrictions
    keep their pages out of listings."""
    pages = pages.live()
    if user is None or not user.is_authenticated:
        return pages.public()
    restricted = PageViewRestriction.objects.exclude(
        restriction_type=PageViewRestriction.LOGIN
    ).values_list("page__path", flat=True)
    for path in restricted:
        pages = pages.exclude(path__startswith=path)
    return pages


def catalogue_item_list(
    *, model, parent, user=None, element=None, audience=None, level=""
) -> QuerySet:
    """Children of an index page the user may see, with what listings show prefetched."""
    items = (
        visible_to(model.objects.child_of(parent), user)
        .prefetch_related(alignments_prefetch(), "audience_roles")
        .order_by("title")
    )
    if model is MicroCredentialPage:
        items = items.prefetch_related(badge_image_prefetch())
    if element is not None:
        items = items.filter(alignments__element=element)
    if audience is not None:
        items = items.filter(audience_roles=audience)
    if level:
        items = items.filter(level=level)
    return items.distinct()


def framework_list() -> QuerySet:
    return Framework.objects.live().with_element_counts()


class AlignedPage(NamedTuple):
    """What the explorer shows of a page aligned to an element: its title, as a link."""

    pk: int
    title: str
    url: str | None


def _site_root_paths(request: HttpRequest | None) -> list:
    # Page.get_url keeps Wagtail's site root paths on the request; share that copy, so the
    # explorer and the layout's {% pageurl %} tags look them up once between them.
    if request is None:
        return Site.get_site_root_paths()
    if not hasattr(request, "_wagtail_cached_site_root_paths"):
        request._wagtail_cached_site_root_paths = Site.get_site_root_paths()
    return request._wagtail_cached_site_root_paths


# A path below the site's root page that reverse() gives back as it is: ASCII slugs.
_PLAIN_PATH = re.compile(r"(?:[A-Za-z0-9_-]+/)*")


def _page_urls(page_model, url_paths: dict[int, str], request) -> dict[int, str | None]:
    """{page id: URL} as {% pageurl %} writes it, from each page's url_path, without
    building the pages. With one site (Leap's case) a page's URL is its path below the
    site's root page, as Page.get_url makes it; any other page (more sites, translations,
    a slug with other letters) is loaded and asked, so nothing differs from Wagtail."""
    root_paths = _site_root_paths(request)
    simple = (
        len({root.site_id for root in root_paths}) == 1
        and not getattr(settings, "WAGTAIL_I18N_ENABLED", False)
        and getattr(settings, "WAGTAIL_APPEND_SLASH", True)
    )
    urls: dict[int, str | None] = {}
    if simple:
        root_path = root_paths[0].root_path
        serve_root = reverse("wagtail_serve", args=("",))
        for pk, url_path in url_paths.items():
            below = url_path[len(root_path) :]
            if url_path.startswith(root_path) and _PLAIN_PATH.fullmatch(below):
                urls[pk] = serve_root + below
    missing = [pk for pk in url_paths if pk not in urls]
    if missing:
        for page in page_model.objects.filter(pk__in=missing):
            urls[page.pk] = page.get_url(request=request)
    return urls


def aligned_content_by_element(
    elements_filter: dict, user=None, request=None, *, pages: QuerySet | None = None
) -> dict[int, dict[str, list]]:
    """{element id: {"pathways": [...], "micro_credentials": [...], "books": [...]}}, each
    an AlignedPage, by title: the title and URL are all the explorer (and the district
    heatmap) shows, so no page is built. `pages` narrows which pages count (by default the
    ones `user` may see)."""
    by_element: dict[int, dict[str, list]] = {}
    # One set of visible pages for the three kinds: visible_to's rules do not depend on a
    # page's type, and each of its restriction look-ups is a query.
    visible = (pages if pages is not None else visible_to(Page.objects.all(), user)).values("pk")
    for key, alignment_model, page_model in ALIGNMENT_MODELS:
        rows = list(
            alignment_model.objects.filter(**elements_filter, page__in=visible)
            .order_by("page__title")
            .values_list("element_id", "page_id", "page__title", "page__url_path")
        )
        urls = _page_urls(page_model, {row[1]: row[3] for row in rows}, request)
        for element_id, page_id, title, _ in rows:
            page = AlignedPage(page_id, title, urls[page_id])
            by_element.setdefault(element_id, {}).setdefault(key, []).append(page)
    return by_element


def framework_explorer_get(
    *,
    framework: Framework,
    user=None,
    explorer: FrameworkIndexPage | None = None,
    request: HttpRequest | None = None,
) -> dict:
    """A framework's published categories (nested) and elements, each with its aligned
    content and, given the explorer page, its own page's URL (`explorer_url`). An element
    in a category not published yet is shown uncategorised, and a category inside an
    unpublished one at the top. The request, when given, makes links relative to the
    visitor's site, as {% pageurl %} does."""
    categories = list(framework.categories.filter(live=True))
    elements = list(framework.elements.filter(live=True))
    shown = {category.pk for category in categories}
    aligned = aligned_content_by_element({"element__framework": framework}, user, request)
    for element in elements:
        element.aligned = aligned.get(element.pk, {})
        if explorer is not None:
            element.explorer_url = explorer.element_url(element, request=request)
    elements_by_category: dict[int | None, list] = {}
    for element in elements:
        key = element.category_id if element.category_id in shown else None
        elements_by_category.setdefault(key, []).append(element)
    for category in categories:
        category.element_list = elements_by_category.get(category.pk, [])
        category.child_list = [c for c in categories if c.parent_id == category.pk]
    return {
        "top_categories": [c for c in categories if c.parent_id not in shown],
        "uncategorised": elements_by_category.get(None, []),
        "has_reconstructed": any(e.is_reconstructed for e in elements),
    }


def element_explorer_get(
    *, element: FrameworkElement, user=None, request: HttpRequest | None = None
) -> dict:
    """An element's aligned content and its links to other (published) frameworks, both
    ways."""
    crosswalks = [
        (row.get_relation_display(), row.target, row.note)
        for row in element.crosswalks_from.live().select_related("target__framework")
    ] + [
        (
            "is covered by" if row.relation == "covers" else "corresponds to",
            row.source,
            row.note,
        )
        for row in element.crosswalks_to.live().select_related("source__framework")
    ]
    category = element.category
    trail = [category.parent, category] if category is not None else []
    return {
        "aligned": aligned_content_by_element({"element": element}, user, request).get(
            element.pk, {}
        ),
        "crosswalks": crosswalks,
        # Area › category, leaving out any not published yet.
        "category_trail": [c for c in trail if c is not None and c.live],
    }


def explorer_page_get() -> FrameworkIndexPage | None:
    return FrameworkIndexPage.objects.live().first()


def staff_role_get(*, user) -> str | None:
    """For the second-factor rule (LEAP_STAFF_ROLE_RULES): editors, anyone who may use
    the CMS."""
    return "editor" if user.has_perm("wagtailadmin.access_admin") else None


def landing_get(*, user) -> str | None:
    """After log-in: editors (anyone who may use the CMS) in the CMS."""
    return reverse("wagtailadmin_home") if user.has_perm("wagtailadmin.access_admin") else None


# The home page.

HOME_PATHWAYS = 3
HOME_MICRO_CREDENTIALS = 4
FIGURES_CACHE_KEY = "cms:site-figures"
FIGURES_CACHE_SECONDS = 300


def home_featured_get(*, home, user) -> dict:
    """The pathways and micro-credentials the home page features: those editors chose, in
    their order, that the visitor may see; the newest published when they chose none.
    Also the frameworks Leap maps to, with the explorer's page of each."""
    chosen_pathways = [f.pathway_id for f in home.featured_pathways.all()]
    chosen_badges = [f.micro_credential_id for f in home.featured_micro_credentials.all()]

    def featured(model, chosen: list[int], count: int, *prefetch) -> list:
        pages = visible_to(model.objects.all(), user).prefetch_related(*prefetch)
        if chosen:
            found = {page.pk: page for page in pages.filter(pk__in=chosen)}
            return [found[pk] for pk in chosen if pk in found][:count]
        return list(pages.order_by("-first_published_at", "-pk")[:count])

    explorer = explorer_page_get()
    frameworks = list(framework_list().order_by("sort_order", "name"))
    for framework in frameworks:
        framework.explorer_url = explorer.framework_url(framework) if explorer else None
    return {
        "featured_pathways": featured(PathwayPage, chosen_pathways, HOME_PATHWAYS),
        "featured_micro_credentials": featured(
            MicroCredentialPage, chosen_badges, HOME_MICRO_CREDENTIALS, badge_image_prefetch()
        ),
        "frameworks": frameworks,
    }


def catalogue_figure_list() -> list[dict]:
    """What the catalogue offers, for the home page's figures."""
    return [
        {
            "value": MicroCredentialPage.objects.live().public().count(),
            "label": "micro-credentials to earn",
        },
        {"value": PathwayPage.objects.live().public().count(), "label": "pathways to follow"},
    ]


def _figures() -> list[dict]:
    figures = []
    for path in settings.LEAP_SITE_FIGURES:
        figures.extend(import_string(path)())
    return [figure for figure in figures if figure["value"]]


def site_figure_list() -> list[dict]:
    """Real numbers from the site (badges earned, educators learning, what there is to
    earn), counted by each app's function named in LEAP_SITE_FIGURES, in that order, and
    kept for five minutes. A number that is still zero is left out."""
    return cache.get_or_set(FIGURES_CACHE_KEY, _figures, FIGURES_CACHE_SECONDS)


# ---- the layout's links: the same on every screen, so read from the cache ----


class MenuLink(NamedTuple):
    """A page in the site's menu, as the layout links it."""

    pk: int
    title: str
    url: str


# Every host's links under one key, so one delete forgets them all. Kept at most this long,
# should a change be missed (a screen that read the old pages as a change committed may
# store them again after the change forgot them). Hosts are those ALLOWED_HOSTS lets in;
# past SITE_LINKS_HOSTS of them (a wildcard), links are worked out and not kept.
SITE_LINKS_KEY = "cms:site-links"
SITE_LINKS_SECONDS = 300
SITE_LINKS_HOSTS = 20


def _site_links(request: HttpRequest | None) -> tuple[dict | None, dict] | None:
    """Every host's cached links (read once a request, the first time the layout asks) and
    the request's host's own (None and the request's own when they are not to be kept). By
    host and port, as Wagtail finds a request's site, so a screen that shows only cached
    links looks up no site either."""
    if request is None:
        return None
    if not hasattr(request, "_leap_site_links"):
        request._leap_site_links = cache.get(SITE_LINKS_KEY) or {}
    every = request._leap_site_links
    host = f"{split_domain_port(request.get_host())[0]}:{request.get_port()}"
    if host not in every and len(every) >= SITE_LINKS_HOSTS:
        # Past the cap (a wildcard ALLOWED_HOSTS): worked out once a request, not kept.
        if not hasattr(request, "_leap_site_links_unkept"):
            request._leap_site_links_unkept = {}
        return None, request._leap_site_links_unkept
    return every, every.setdefault(host, {})


def _site_links_keep(request: HttpRequest, every: dict | None, name: str, value) -> None:
    """Add one link just worked out to the cache as it is now, not the request's copy: that
    copy may hold links read before a change forgot them, which must not come back."""
    if every is None:  # past the cap: not kept
        return
    host = f"{split_domain_port(request.get_host())[0]}:{request.get_port()}"
    current = cache.get(SITE_LINKS_KEY) or {}
    if host in current or len(current) < SITE_LINKS_HOSTS:
        current.setdefault(host, {})[name] = value
        cache.set(SITE_LINKS_KEY, current, SITE_LINKS_SECONDS)


def site_menu(request: HttpRequest | None) -> list[MenuLink]:
    """The live, public pages under the site's home page that editors show in menus: read
    from the cache (`SITE_LINKS_KEY`), which `cms.services.site_links_forget` empties
    whenever a page, a view restriction or a site changes. Six queries and about 6 ms
    when built; a cache read otherwise."""
    found = _site_links(request)
    if found is None:
        return []
    every, links = found
    if "menu" not in links:
        site = Site.find_for_request(request)
        pages = site.root_page.get_children().live().public().in_menu() if site else []
        links["menu"] = [MenuLink(page.pk, page.title, page.get_url(request)) for page in pages]
        _site_links_keep(request, every, "menu", links["menu"])
    return links["menu"]


def site_page_url(request: HttpRequest | None, slug: str) -> str:
    """The URL of the site's live page with this slug, or "" if there is none: cached as
    the menu is."""
    found = _site_links(request)
    if found is None:
        return ""
    every, links = found
    urls = links.setdefault("slugs", {})
    if slug not in urls:
        site = Site.find_for_request(request)
        page = site.root_page.get_descendants().live().filter(slug=slug).first() if site else None
        urls[slug] = page.get_url(request) if page else ""
        _site_links_keep(request, every, "slugs", urls)
    return urls[slug]


def site_explorer_url(request: HttpRequest | None) -> str:
    """The framework explorer's URL, ending in "/" (relative on the request's site), or ""
    when there is none: cached as the menu is, so the catalogue's links to elements cost
    no query."""
    found = _site_links(request)
    if found is not None and "explorer" in found[1]:
        return found[1]["explorer"]
    explorer = explorer_page_get()
    url = explorer.get_url(request) if explorer is not None else ""
    if url and not url.endswith("/"):
        url += "/"
    if found is not None:
        found[1]["explorer"] = url
        _site_links_keep(request, found[0], "explorer", url)
    return url


# ---- what every visitor of a kind sees alike: kept until the site's content changes ----

# The content's version: a token that `cms.services.site_links_forget` forgets whenever a
# page, a view restriction, a site or a framework's element changes (now, and again once
# the change commits). A fragment is kept with the version it was built under and used only
# while that version is current, and at most FRAGMENT_SECONDS.
CONTENT_VERSION_KEY = "cms:content-version"
FRAGMENT_SECONDS = 300


def public_fragments(
    request: HttpRequest, name: str, build: Callable[[], dict[str, str]]
) -> dict[str, str]:
    """The parts of HTML `build` makes ({name: HTML}), kept for every request to the same
    site by someone of the same kind (a visitor, or anyone signed in: `visible_to` shows all
    signed-in people the same pages) until the content changes. Read with the version in
    one cache round trip. A preview (an editor's draft) is always built, never kept.

    The version is fixed before `build` reads anything, so parts built from pages read
    before a change commits are kept under a version that change forgets."""
    if getattr(request, "is_preview", False):
        return _safe(build())
    site = Site.find_for_request(request)
    audience = "member" if request.user.is_authenticated else "public"
    key = f"cms:fragment:{site.pk if site else 0}:{audience}:{name}"
    found = cache.get_many([CONTENT_VERSION_KEY, key])
    version = found.get(CONTENT_VERSION_KEY)
    if version is None:
        version = uuid4().hex
        if not cache.add(CONTENT_VERSION_KEY, version, None):
            version = cache.get(CONTENT_VERSION_KEY) or version  # another request's, first
    kept = found.get(key)
    if kept is not None and kept[0] == version:
        return _safe(kept[1])
    parts = {part: str(html) for part, html in build().items()}
    cache.set(key, (version, parts), FRAGMENT_SECONDS)
    return _safe(parts)


def _safe(parts: dict[str, str]) -> dict[str, str]:
    # HTML this site's own templates made, escaped as they rendered it.
    return {part: mark_safe(html) for part, html in parts.items()}  # noqa: S308
