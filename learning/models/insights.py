"""Insights shared outside Leap: a read-only link to a district's dashboard or framework
coverage, with the filters it was made with, aggregates only (never a name), that stops
working when it expires or a district admin revokes it."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from learning.models.districts import District


def shared_report_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SharedReport(models.Model):
    class Kind(models.TextChoices):
        DASHBOARD = "dashboard", "Dashboard"
        COVERAGE = "coverage", "Framework coverage"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="shared_reports")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The filters as the screen took them (its query string's fields).
    filters = models.JSONField(default=dict)
    title = models.CharField(max_length=200)
    # Only a fingerprint of the link's secret is kept: the link itself is shown once.
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_viewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.district})"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
