from django import template

from credentials.models import Submission
from credentials.services import attempts_for

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
    latest = (
        Submission.objects.filter(learner=request.user, micro_credential=page)
        .order_by("-attempt")
        .first()
    )
    return {"latest": latest, "attempts": attempts_for(learner=request.user, page=page)}
