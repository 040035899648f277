"""Reads of the district webhooks' screens."""

from django.db.models import OuterRef, QuerySet, Subquery

from integrations.models import WebhookDelivery, WebhookEndpoint
from learning.models import District

LOG_LENGTH = 50


def webhook_endpoint_list(*, district: District) -> QuerySet[WebhookEndpoint]:
    """The district's endpoints (not the removed ones), each with its last delivery's time,
    state and answer (`last_at`, `last_state`, `last_status`)."""
    last = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        WebhookEndpoint.objects.filter(district=district, removed_at__isnull=True)
        .select_related("created_by")
        .annotate(
            last_at=Subquery(last.values("created_at")[:1]),
            last_state=Subquery(last.values("state")[:1]),
            last_status=Subquery(last.values("response_status")[:1]),
        )
    )


def webhook_delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first."""
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-pk")[
        :LOG_LENGTH
    ]
