"""What the site's menu needs to know about the signed-in person."""

from operator import getitem

from django.utils.functional import SimpleLazyObject

from accounts.selectors import navigation_fact_names, navigation_facts_get


def navigation(request) -> dict:
    """The menu's facts (LEAP_NAV_FACTS: `nav_unread`, `nav_editor`, `nav_district_slug`,
    `nav_book_clubs`, `nav_is_reviewer`, `nav_is_lead`), read together in one query when a
    template first uses one of them, so the Wagtail admin and JSON views pay nothing. None
    for visitors, with no query."""
    names = navigation_fact_names()
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return dict.fromkeys(names)
    facts = SimpleLazyObject(lambda: navigation_facts_get(user=user))
    return {name: SimpleLazyObject(lambda name=name: getitem(facts, name)) for name in names}
