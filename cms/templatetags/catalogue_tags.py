from django import template

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
    """The element's page in the framework explorer ("" when there is no explorer)."""
    explorer = _explorer(context)
    if explorer is None:
        return ""
    request = context.get("request")
    base = getattr(request, "_leap_explorer_url", None)
    if base is None:
        base = explorer.get_url(request)
        if request is not None:
            request._leap_explorer_url = base
    return base + explorer.reverse_subpage(
        "element", args=[element.framework.code, element.url_key]
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
