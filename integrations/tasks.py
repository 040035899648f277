"""Celery tasks of the district integrations: thin wrappers around services, queued by name
after commit (`accounts.jobs`) or run by beat (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from accounts.outbox import MINUTE, outbox_task
from integrations import webhooks


# A send is bounded well inside this (integrations.webhook_http: about a minute at worst).
@outbox_task(time_limit=2 * MINUTE, retry_delays=webhooks.WEBHOOK_RETRY_DELAYS)
def webhook_deliver(delivery_id: int, round_: int = 1) -> str:
    """Send one webhook delivery (integrations.webhooks.webhook_deliver). A failure raises,
    so the outbox tries again after the next of WEBHOOK_RETRY_DELAYS."""
    return webhooks.webhook_deliver(delivery_id=delivery_id, round_=round_)


@shared_task
def webhook_deliveries_purge() -> int:
    """Daily (beat): forget old delivered and given-up deliveries."""
    return webhooks.webhook_deliveries_purge()
