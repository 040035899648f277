from django import template

from learning import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def pathway_learner_state(context, pathway):
    """The signed-in learner's enrolment, progress and next action on a pathway page."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    return selectors.pathway_state(user=user, pathway=pathway)


@register.simple_tag(takes_context=True)
def micro_credential_learner_state(context, page):
    user = context["request"].user
    if not user.is_authenticated:
        return None
    return selectors.micro_credential_state(user=user, page=page)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
