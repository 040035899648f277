from django import template

from learning import selectors
from learning.cohorts import schedule
from learning.invitation_note import invitation_note_get

register = template.Library()


def _for_learner(request, page) -> bool:
    """A signed-in visitor on a saved page; editors' previews show no learner state."""
    return (
        request.user.is_authenticated
        and page.pk is not None
        and not getattr(request, "is_preview", False)
    )


@register.simple_tag(takes_context=True)
def pathway_learner_state(context, pathway):
    """The signed-in learner's enrolment, progress and next action on a pathway page."""
    request = context["request"]
    if not _for_learner(request, pathway):
        return None
    return selectors.pathway_state_get(user=request.user, pathway=pathway)


@register.simple_tag(takes_context=True)
def micro_credential_learner_state(context, page):
    request = context["request"]
    if not _for_learner(request, page):
        return None
    return selectors.micro_credential_state_get(user=request.user, page=page)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def reading_beyond_title(session) -> str:
    """What a cohort session's reading adds to its title ("pages 23–58"), or ""."""
    return schedule.reading_beyond_title(title=session.title, reading=session.reading)


@register.inclusion_tag("account/snippets/invitation_note.html", takes_context=True)
def invitation_note(context):
    """The district an invitation link opened in this browser invites the person to, while
    that invitation can still be used."""
    return {"invitation": invitation_note_get(context["request"])}
