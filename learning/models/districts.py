"""Districts, their schools and people, and the ways people join them."""

import hashlib
import secrets
from datetime import timedelta
from decimal import Decimal
from functools import cache
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

# Join codes avoid letters and digits that read alike (0/O, 1/I/L).
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


def join_code_new() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def join_code_normalise(code: str) -> str:
    """What people type, as stored: case, spaces and dashes do not matter."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA zone this machine knows ("America/Los_Angeles"), for districts' choice."""
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones())]


def time_zone_default() -> str:
    return settings.TIME_ZONE


domain_validator = RegexValidator(
    r"^(?=.{3,253}$)([a-z0-9](-?[a-z0-9])*\.)+[a-z]{2,63}$",
    "Enter a domain such as “springfield.k12.us”, without “@” or “www”.",
)


class District(models.Model):
    """A school district (or any organisation) whose people learn on Leap together."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    join_code = models.CharField(
        max_length=JOIN_CODE_LENGTH,
        unique=True,
        default=join_code_new,
        help_text="Anyone with this code can join as a learner. Change it to stop that.",
    )
    join_code_enabled = models.BooleanField(default=True)
    pd_hours_per_badge = models.DecimalField(
        "PD hours credited per badge",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Leave empty to credit each micro-credential's own hours.",
    )
    external_badge_issuers = models.TextField(
        "Issuers whose badges count",
        blank=True,
        help_text="Open Badges that members earned from these issuers count on their "
        "transcripts once Leap has verified them (checked again daily: a badge its issuer "
        "revokes stops counting), with the hours per badge set above, or none. One issuer "
        "per line: its id as its badges give it (a DID such as did:web:badges.example.org, "
        "or the address of its issuer profile). Leave empty to count none.",
    )

    reviewers_exclude_same_district = models.BooleanField(
        default=True,
        help_text="Reviewers from this district never assess its own people's evidence.",
    )
    time_zone = models.CharField(
        max_length=64,
        choices=time_zone_choices,
        default=time_zone_default,
        help_text="Where the district is: review deadlines count business days here.",
        error_messages={
            "invalid_choice": "“%(value)s” is not a time zone; choose one such as "
            "America/Los_Angeles."
        },
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Stored as people's typing is read (join_code_normalise), so it always matches.
        self.join_code = join_code_normalise(self.join_code)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if not join_code_normalise(self.join_code):
            raise ValidationError({"join_code": "Use letters and digits for the join code."})

    def external_badge_issuer_list(self) -> list[str]:
        return [line.strip() for line in self.external_badge_issuers.splitlines() if line.strip()]


class DistrictDomain(models.Model):
    """An e-mail domain the district owns: people whose verified address is on it join the
    district as learners automatically."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True, validators=[domain_validator])

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower()
        super().save(*args, **kwargs)


class School(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="schools")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "district", Lower("name"), name="learning_school_unique_name_per_district"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's place in a district. Deactivated memberships are kept for the record."""

    # Wagtail's reference index ("usage" in the admin) would write rows for every membership
    # on every save; nobody asks which memberships point at a page or a person, so none is kept.
    wagtail_reference_index_ignore = True

    class Role(models.TextChoices):
        LEARNER = "learner", "Learner"
        FACILITATOR = "facilitator", "Facilitator"
        DISTRICT_ADMIN = "district_admin", "District admin"

    class JoinedVia(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        JOIN_CODE = "join_code", "Join code"
        DOMAIN = "domain", "E-mail domain"
        ADMIN = "admin", "Added by an administrator"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(
        School, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.LEARNER)
    is_active = models.BooleanField(default=True)
    joined_via = models.CharField(max_length=20, choices=JoinedVia.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # The person's display name, kept by the database (learning 0022's triggers: set as the
    # row is written, and again when the person is renamed), so a district's members are
    # read by name from an index rather than sorted afresh. Whatever a save writes to it, the
    # database sets it from the person.
    member_name = models.CharField(max_length=150, blank=True, default="", editable=False)

    class Meta:
        ordering = ["district__name"]
        indexes = [
            models.Index(
                fields=["district", "-is_active", "member_name", "id"],
                name="learning_members_by_name",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "district"], name="learning_one_membership_per_district"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.district} ({self.get_role_display()})"


INVITATION_VALID_DAYS = 14
# An invitation may be sent again once this long has passed since the last e-mail, and at
# most this many times in all: enough for a lost message, too few to make Leap a spammer.
INVITATION_RESEND_INTERVAL = timedelta(minutes=10)
INVITATION_MAX_SENDS = 5


def invitation_expiry():
    return timezone.now() + timedelta(days=INVITATION_VALID_DAYS)


def invitation_token_hash(token: str) -> str:
    """What is stored of an invitation link's token: its SHA-256."""
    return hashlib.sha256((token or "").encode()).hexdigest()


class Invitation(models.Model):
    """An e-mailed, one-time link to join a district. Only a hash of the token is stored."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=20, choices=Membership.Role.choices, default=Membership.Role.LEARNER
    )
    school = models.ForeignKey(School, on_delete=models.SET_NULL, null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=invitation_expiry)
    # The last e-mail with a link (a resend makes a new link and a fresh expiry).
    sent_at = models.DateTimeField(default=timezone.now)
    send_count = models.PositiveSmallIntegerField(default=1)
    # Withdrawn by the district: its link says so and stops working.
    revoked_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Sent by a book club's facilitator to someone not yet in the district: joining the
    # district also gives them a place in the club (learning.cohorts.invitations).
    cohort = models.ForeignKey(
        "learning.Cohort",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address and district; inviting again replaces it.
            # A revoked one is kept, so its link can say it was withdrawn.
            models.UniqueConstraint(
                "district",
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="learning_one_open_invitation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.district}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        """Neither accepted nor withdrawn (it may have expired: a resend renews it)."""
        return self.accepted_at is None and self.revoked_at is None


class LearnerProfile(models.Model):
    """What onboarding asks: the person's role. The name lives on the user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_profile"
    )
    role = models.ForeignKey(
        "cms.AudienceRole", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    onboarded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"
