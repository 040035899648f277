from django import template
from wagtail.models import Site

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu_items(context):
    """The live pages under the site's home page that editors marked "show in menus"."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return []
    return list(site.root_page.get_children().live().public().in_menu().specific(defer=True))


@register.simple_tag(takes_context=True)
def site_page_url(context, slug: str) -> str:
    """The URL of the site's live page with this slug, or "" if there is none."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return ""
    page = site.root_page.get_descendants().live().filter(slug=slug).first()
    return page.get_url(request) if page else ""
