"""Events the district's webhooks are told about, received from the apps below by signal.
Each signal is sent inside the transaction that made the change, so the deliveries (and
their outbox messages) are written with it, or not at all."""

from django.dispatch import receiver

from credentials.events import badge_awarded, badge_revoked, badges_awarded
from integrations import webhooks
from integrations.models import WebhookEvent
from learning.events import cohort_completed, pathway_completed


@receiver(badge_awarded)
def webhook_badge_awarded(sender, assertion, **kwargs):
    webhooks.webhook_badge_event(event=WebhookEvent.BADGE_AWARDED, assertion=assertion)


@receiver(badges_awarded)
def webhook_badges_awarded(sender, assertions, **kwargs):
    webhooks.webhook_badges_awarded(assertions=assertions)


@receiver(badge_revoked)
def webhook_badge_revoked(sender, assertion, **kwargs):
    webhooks.webhook_badge_event(event=WebhookEvent.BADGE_REVOKED, assertion=assertion)


@receiver(pathway_completed)
def webhook_pathway_completed(sender, enrolment, **kwargs):
    webhooks.webhook_pathway_completed(enrolment=enrolment)


@receiver(cohort_completed)
def webhook_cohort_completed(sender, member, **kwargs):
    webhooks.webhook_cohort_completed(member=member)
