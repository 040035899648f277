"""The PD-credit ledger. Entries are added, never edited; one withdrawn (a revoked badge)
is marked void and stays on record."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class CreditEntry(models.Model):
    # Wagtail's reference index ("usage" in the admin) would write rows for every credit entry
    # on every save; nobody asks which credit entries point at a page or a person, so none is kept.
    wagtail_reference_index_ignore = True

    class Source(models.TextChoices):
        PATHWAY = "pathway", "Pathway completed"
        BADGE = "badge", "Micro-credential earned"
        COHORT = "cohort", "Book club or cohort"
        EXTERNAL = "external", "Badge earned elsewhere"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_entries"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    # What earned it, unique per learner so that telling the ledger twice credits once:
    # "pathway:<page id>", "badge:<assertion uuid>", "cohort:<id>", "external:<uuid>".
    source_key = models.CharField(max_length=80)
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=255)
    hours = models.DecimalField(
        max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )
    earned_on = models.DateField()
    url = models.URLField(blank=True, help_text="Where it can be verified, e.g. a badge.")
    # A badge's picture, as given by whoever recorded it (credentials: the assertion's
    # image); learning only shows it. A site path, so not a URLField.
    image_url = models.CharField(max_length=255, blank=True)
    expires_on = models.DateField(
        null=True, blank=True, help_text="When a badge stops being valid, if it does."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-earned_on", "-created_at"]
        verbose_name_plural = "credit entries"
        constraints = [
            models.UniqueConstraint(fields=["user", "source_key"], name="learning_credit_once")
        ]
        indexes = [
            models.Index(fields=["user", "earned_on"]),
            # A person's standing entries read from the index alone (the district members
            # screen's badges and hours for the page shown): the rows themselves are wide.
            # (It served the district dashboard before its roll-up, `ActivityYear`, and `page`
            # the heatmap before its groups, `DistrictBadgeCount`; dropping them would rebuild
            # a 17 MB index for little.)
            models.Index(
                fields=["user", "earned_on"],
                include=["source", "page", "hours"],
                condition=Q(voided_at__isnull=True),
                name="learning_credit_standing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.hours} h)"
