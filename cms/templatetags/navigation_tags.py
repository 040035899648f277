from django import template

from cms import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu_items(context) -> list[selectors.MenuLink]:
    """The live pages under the site's home page that editors marked "show in menus": each
    with its pk, title and url."""
    return selectors.site_menu(context.get("request"))


@register.simple_tag(takes_context=True)
def site_page_url(context, slug: str) -> str:
    """The URL of the site's live page with this slug, or "" if there is none."""
    return selectors.site_page_url(context.get("request"), slug)
