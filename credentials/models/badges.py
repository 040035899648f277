"""Open Badges: issuers, versioned badge classes and the assertions awarded to learners.

Issue badges only through `credentials.services.assertion_award`."""

import uuid
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Issuer(models.Model):
    """Who vouches for a badge: the platform, or a district under its own name (at most one
    profile per district; see `IssuingArrangement` for what a district issues)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    url = models.URLField(help_text="The issuer's home page; for hosted badges, on this site.")
    email = models.EmailField()
    description = models.TextField(blank=True)
    image = models.ImageField(upload_to="issuers/", blank=True)
    is_platform = models.BooleanField(default=False, editable=False)
    district = models.OneToOneField(
        "learning.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issuer",
        help_text="The district this profile belongs to; empty for the platform.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_platform"],
                condition=Q(is_platform=True),
                name="credentials_one_platform_issuer",
            ),
            models.CheckConstraint(
                condition=Q(is_platform=False) | Q(district__isnull=True),
                name="credentials_platform_issuer_has_no_district",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IssuingArrangement(models.Model):
    """A district issues this micro-credential to its own members under its own name.
    Everyone else (and members of districts without an arrangement) earn it from the
    platform."""

    issuer = models.ForeignKey(
        Issuer,
        on_delete=models.CASCADE,
        related_name="issuing_arrangements",
        limit_choices_to={"district__isnull": False},
    )
    micro_credential = models.ForeignKey(
        "cms.MicroCredentialPage", on_delete=models.CASCADE, related_name="issuing_arrangements"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "micro_credential"], name="credentials_one_arrangement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer} issues {self.micro_credential}"

    def clean(self):
        if self.issuer_id and self.issuer.district_id is None:
            raise ValidationError({"issuer": "Only a district's issuer profile can have one."})


class IssuerKey(models.Model):
    """A signing key of an issuer: Ed25519 (EdDSA) for Data Integrity proofs, P-256 (ES256)
    for VC-JWTs, one active of each. The private half is stored encrypted (see
    credentials.openbadges.keys); retired keys stay published so that what they signed
    still verifies."""

    class Algorithm(models.TextChoices):
        EDDSA = "EdDSA", "Ed25519 (Data Integrity proofs)"
        ES256 = "ES256", "P-256 (VC-JWT)"

    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="keys")
    algorithm = models.CharField(max_length=8, choices=Algorithm, default=Algorithm.EDDSA)
    kid = models.CharField(max_length=64, unique=True)
    public_jwk = models.JSONField()
    private_key_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "algorithm"],
                condition=Q(retired_at__isnull=True),
                name="credentials_one_active_key_per_issuer_and_algorithm",
            )
        ]
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.issuer} key {self.kid}"


class BadgeClass(models.Model):
    """A published version of an achievement. A change to what it takes to earn it (name,
    competency, requirements, rubric, alignments, image) makes a new version; assertions
    keep the version they were issued under. Each issuer of a micro-credential (the platform,
    a district) has its own versions in the one family."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="badge_classes")
    family = models.CharField(
        max_length=64,
        help_text="What the versions share, e.g. “micro-credential:12”: a learner holds one "
        "live badge per family.",
    )
    version = models.PositiveIntegerField(default=1)
    micro_credential = models.ForeignKey(
        "cms.MicroCredentialPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="badge_classes",
    )
    name = models.CharField(max_length=255)
    description = models.TextField()
    image = models.FileField(upload_to="badge-classes/")
    criteria_url = models.URLField()
    criteria_narrative = models.TextField()
    alignments = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    validity_months = models.PositiveSmallIntegerField(null=True, blank=True)
    pd_hours = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["family", "issuer", "version"], name="credentials_family_issuer_version"
            ),
            models.UniqueConstraint(
                fields=["family", "content_hash"], name="credentials_family_content"
            ),
        ]
        ordering = ["family", "-version"]
        verbose_name_plural = "badge classes"

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def image_is_svg(self) -> bool:
        return self.image.name.lower().endswith(".svg")

    @staticmethod
    def family_for(micro_credential_id: int) -> str:
        """The family of every version (and issuer) of a micro-credential's badge."""
        return f"micro-credential:{micro_credential_id}"


class AssertionQuerySet(models.QuerySet):
    def live(self):
        """Current, not revoked and not expired."""
        now = timezone.now()
        return self.filter(is_current=True, revoked=False).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gt=now)
        )


new_uuid = uuid.uuid4  # for fields declared after Assertion.uuid, which hides the module


class Assertion(models.Model):
    """One badge awarded to one person."""

    # Wagtail's reference index ("usage" in the admin) would write rows for every badge awarded
    # on every save; nobody asks which badges point at a page or a person, so none is kept.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    badge_class = models.ForeignKey(BadgeClass, on_delete=models.PROTECT, related_name="assertions")
    badge_family = models.CharField(max_length=64, editable=False)
    # Empty once the recipient deleted their account: the badge still verifies by the
    # hashed identity and salt below, and names no one (accounts.data_rights).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assertions",
    )
    recipient_email = models.EmailField(
        blank=True, help_text="The address the identity hash was made from (cleared on deletion)."
    )
    salt = models.CharField(max_length=64)
    identity_hash = models.CharField(max_length=80)
    # The recipient's `credential_subject` when awarded (kept if their account goes).
    subject_id = models.UUIDField(default=new_uuid, editable=False)
    issued_on = models.DateTimeField(default=timezone.now)
    expires_on = models.DateTimeField(null=True, blank=True)
    evidence_url = models.URLField(blank=True)
    narrative = models.TextField(blank=True)
    # The one live assertion per recipient and badge family; cleared by revocation or renewal.
    is_current = models.BooleanField(default=True)
    revoked = models.BooleanField(default=False)
    revocation_reason = models.CharField(max_length=500, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_public = models.BooleanField(
        default=False, help_text="The learner chose to show their name on the public page."
    )
    baked_image = models.FileField(upload_to="baked/", blank=True)
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssertionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "badge_family"],
                condition=Q(is_current=True),
                name="credentials_one_current_assertion",
            ),
            models.CheckConstraint(
                condition=Q(revoked=False) | ~Q(revocation_reason=""),
                name="credentials_revocation_has_reason",
            ),
        ]
        ordering = ["-issued_on"]
        indexes = [
            models.Index(fields=["recipient", "-issued_on"]),
            # The staff list of every issued badge, newest first (a million rows).
            models.Index(fields=["-issued_on"], name="credentials_assertion_issued"),
            # Its "Revoked: yes" filter (about one badge in a hundred), newest first.
            models.Index(
                fields=["-issued_on"],
                condition=Q(revoked=True),
                name="credentials_assertion_revoked",
            ),
            # Its expiry filter and column, and the daily expiry reminders.
            models.Index(fields=["expires_on"], name="credentials_assertion_expires"),
            # Its e-mail column, when sorted by.
            models.Index(fields=["recipient_email"], name="credentials_assertion_email"),
            # Searching it by part of an e-mail address uses a trigram index on PostgreSQL,
            # made by migration 0020 (SQLite has no such index; Django's state omits it).
        ]
        verbose_name = "issued badge"
        permissions = [
            ("award_assertion", "Can award badges (bulk award from CSV)"),
            ("revoke_assertion", "Can revoke badges"),
        ]

    def __str__(self) -> str:
        return f"{self.badge_class.name} → {self.recipient_email or 'a former member'}"

    def status_at(self, moment: datetime) -> "Assertion.Status":
        if self.revoked:
            return self.Status.REVOKED
        if self.expires_on and self.expires_on <= moment:
            return self.Status.EXPIRED
        return self.Status.VALID

    @property
    def status(self) -> "Assertion.Status":
        return self.status_at(timezone.now())


class StatusListEntry(models.Model):
    """Where an assertion's revocation bit sits in its issuer's Bitstring status lists
    (credentials.openbadges.status_list): list `number`, bit `index`. Indexes are drawn at
    random, and a list is only half filled, so a bit's place says nothing of when or to whom
    the badge was issued."""

    assertion = models.OneToOneField(
        Assertion, on_delete=models.CASCADE, related_name="status_entry"
    )
    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="status_entries")
    number = models.PositiveIntegerField(default=0)
    index = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "number", "index"], name="credentials_status_bit_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer} status list {self.number}, bit {self.index}"
