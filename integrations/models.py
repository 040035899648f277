"""What a district's other systems use to reach Leap: API tokens (`ApiToken`) for the
read-only REST API, and webhooks (`WebhookEndpoint`, `WebhookDelivery`) that tell them as
things happen. Both belong to a district and are managed by its admins."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from learning.models import District

TOKEN_PREFIX = "leap_"


def api_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiScope(models.TextChoices):
    """What a token may read. Each names the endpoints it opens."""

    MEMBERS = "members", "Members and schools"
    PROGRESS = "progress", "Pathway enrolments and progress"
    ASSESSMENTS = "assessments", "Self-assessment results"
    BADGES = "badges", "Badges earned"
    COHORTS = "cohorts", "Book clubs and attendance"
    CREDIT = "credit", "PD hours"


class ApiToken(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(
        max_length=100, help_text="What uses it, e.g. “Student information system”."
    )
    scopes = models.JSONField(default=list)
    # The token is shown once; Leap keeps its fingerprint and its first characters (to tell
    # tokens apart in the list).
    token_hash = models.CharField(max_length=64, unique=True)
    token_start = models.CharField(max_length=16)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    def scope_labels(self) -> list[str]:
        labels = dict(ApiScope.choices)
        return [labels[scope] for scope in self.scopes if scope in labels]


class WebhookEvent(models.TextChoices):
    BADGE_AWARDED = "badge.awarded", "A badge is awarded"
    BADGE_REVOKED = "badge.revoked", "A badge is revoked"
    PATHWAY_COMPLETED = "pathway.completed", "A pathway is completed"
    COHORT_COMPLETED = "cohort.completed", "A book-club member completes the club"
    # Sent only when an admin asks, to try an endpoint; nobody subscribes to it.
    PING = "ping", "A test event"


# What an endpoint can subscribe to.
SUBSCRIBABLE_EVENTS = [event for event in WebhookEvent if event != WebhookEvent.PING]


class WebhookEndpoint(models.Model):
    """An HTTPS address of the district's that Leap tells about events, signing each
    delivery with the endpoint's secret (kept encrypted: it must be read to sign)."""

    district = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField("Address", max_length=500)
    events = models.JSONField(default=list)
    secret_encrypted = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when deliveries kept failing: nothing more is sent until an admin resumes it.
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_reason = models.CharField(max_length=255, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # Removed by an admin: kept (with its log) for the record, sent nothing, secret erased.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    def event_labels(self) -> list[str]:
        labels = dict(WebhookEvent.choices)
        return [labels[event] for event in self.events if event in labels]


class WebhookDelivery(models.Model):
    """One event for one endpoint, and how its delivery went (every try's last answer)."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed, will try again"
        GIVEN_UP = "given_up", "Failed, not sent"
        HELD = "held", "Held while the endpoint is paused"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField()
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    # Sending again (an admin's "send again", or resuming a paused endpoint) starts a new
    # round of tries, with runs queued for it; a run queued for an earlier round does
    # nothing, so one delivery has one chain of retries at a time.
    round = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="integrations_one_delivery_per_event"
            )
        ]
        indexes = [models.Index(fields=["endpoint", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"

    @property
    def can_send_again(self) -> bool:
        return self.state in (self.State.FAILED, self.State.GIVEN_UP)
