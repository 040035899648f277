from django import template
from wagtail.images.models import Filter
from wagtail.images.shortcuts import get_rendition_or_not_found

from cms import selectors as cms_selectors
from cms.models import BookPage, FrameworkIndexPage, MicroCredentialPage, PathwayPage
from cms.selectors import explorer_page_get

register = template.Library()


def _explorer(context):
    request = context.get("request")
    if request is None:
        return explorer_page_get()
    if not hasattr(request, "_leap_explorer_page"):
        request._leap_explorer_page = explorer_page_get()
    return request._leap_explorer_page


@register.simple_tag(takes_context=True)
def element_url(context, element) -> str:
    """The element's page in the framework explorer ("" when there is no explorer): its
    URL from the cache (`cms.selectors.site_explorer_url`), the element's path from the
    explorer's routes, with no page read."""
    base = cms_selectors.site_explorer_url(context.get("request"))
    if not base:
        return ""
    return base + FrameworkIndexPage.get_resolver().reverse(
        "element", element.framework.code, element.url_key
    )


@register.simple_tag(takes_context=True)
def framework_url(context, framework) -> str:
    explorer = _explorer(context)
    return explorer.framework_url(framework) if explorer else ""


@register.filter
def hours(value) -> str:
    """1.0 → "1 hour", 2.5 → "2.5 hours"."""
    number = f"{float(value):g}" if value is not None else "0"
    return f"{number} hour" if number == "1" else f"{number} hours"


@register.filter
def minutes(value) -> str:
    value = int(value or 0)
    if value < 60:
        return f"{value} min"
    hours_part, minutes_part = divmod(value, 60)
    return f"{hours_part} h {minutes_part} min" if minutes_part else f"{hours_part} h"


@register.filter
def step_heading(value) -> str:
    """A step's heading: its kind, then its title ("Watch: The first morning of a launch"),
    unless the title already starts with that word ("Read “The Quiet Rollout”", "Earn the
    … micro-credential"), which would make "Read: Read …"."""
    kind, title = value.block.kind_label, value.get("title", "").strip()
    first_word = title.split(maxsplit=1)[0].rstrip(":").lower() if title else ""
    if first_word == kind.lower():
        return title
    return f"{kind}: {title}"


@register.simple_tag
def badge_art(image, css_class: str = "badge-art"):
    """A badge image as an <img>, from the one rendition the lists prefetch
    (`cms.selectors.BADGE_RENDITION`), so a template cannot ask for another size and cost a
    query per badge. Decorative (alt=""): the badge's title is always written beside it."""
    if not image:
        return ""
    # The rendition the list prefetched, used as it is: Wagtail's get_rendition would also
    # write it to the cache, a round trip per badge on every view.
    wanted = image.clean_filter_for_svg(Filter(spec=cms_selectors.BADGE_RENDITION))
    rendition = image.find_existing_renditions(wanted).get(wanted)
    if rendition is None:
        rendition = get_rendition_or_not_found(image, cms_selectors.BADGE_RENDITION)
    return rendition.img_tag({"class": css_class, "alt": ""})


@register.filter
def card_meta(item) -> str:
    """The line under a catalogue card's title: the level, then what matters for its kind
    (a badge's PD credit, a pathway's time, a book's authors and year)."""
    parts = [item.get_level_display()]
    if isinstance(item, MicroCredentialPage):
        parts.append(f"{hours(item.pd_hours)} of PD credit")
    elif isinstance(item, PathwayPage):
        parts.append(hours(item.estimated_hours))
    elif isinstance(item, BookPage):
        parts.append(f"{item.authors} ({item.year})" if item.year else item.authors)
    return " · ".join(part for part in parts if part)
