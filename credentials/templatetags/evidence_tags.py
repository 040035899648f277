from django import template

from credentials.selectors.evidence import (
    attempts_get,
    submission_latest_get,
    submission_underway_list,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def evidence_state(context, page):
    """The signed-in learner's submission for a micro-credential page, and their attempts."""
    request = context["request"]
    if (
        not request.user.is_authenticated
        or page.pk is None
        or getattr(request, "is_preview", False)
    ):
        return None
    return {
        "latest": submission_latest_get(learner=request.user, page=page),
        "attempts": attempts_get(learner=request.user, page=page),
    }


@register.simple_tag(takes_context=True)
def submissions_underway(context):
    """The signed-in learner's drafts, submissions in review (with when a decision is due)
    and "not yet"s still to act on, for the dashboard."""
    user = context["request"].user
    return submission_underway_list(learner=user) if user.is_authenticated else []
