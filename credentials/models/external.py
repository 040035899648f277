"""Badges that learners earned from other issuers and added to their Leap profile: kept as
they were given (a link, the JSON or JWT, or the text baked in an image), so Leap can
verify them again every day, with the last verification's answer."""

import uuid

from django.conf import settings
from django.db import models


class ExternalBadge(models.Model):
    class Verdict(models.TextChoices):
        VALID = "valid", "Verified"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked by its issuer"
        INVALID = "invalid", "No longer verifies"
        UNREACHABLE = "unreachable", "Could not be checked"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_badges"
    )
    # What the holder gave: a URL, JSON or a JWT (an image's baked text, not the image).
    given = models.TextField()
    given_as = models.CharField(max_length=40)
    format = models.CharField(max_length=60)
    # The badge's own id (its assertion or credential URL), so it is added once per person.
    badge_id = models.CharField(max_length=500, blank=True)
    name = models.CharField(max_length=255)
    issuer_name = models.CharField(max_length=255, blank=True)
    issuer_id = models.CharField(max_length=500, blank=True)
    issued_on = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateTimeField(null=True, blank=True)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    reason = models.TextField(blank=True)
    checks = models.JSONField(default=list)
    checked_at = models.DateTimeField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-added_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "badge_id"],
                condition=~models.Q(badge_id=""),
                name="credentials_external_badge_once",
            )
        ]
        indexes = [models.Index(fields=["checked_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.issuer_name})"
