"""Evidence: a learner's submission for a micro-credential, its answers and artifacts."""

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class _PrivateStorage(LazyObject):
    """settings.STORAGES["private"], looked up when first used (and again after the setting
    changes, as in tests), not when the model is loaded."""

    def _setup(self):
        self._wrapped = storages["private"]


_private = _PrivateStorage()


@receiver(setting_changed)
def _private_storage_reset(*, setting, **kwargs):
    if setting == "STORAGES":
        _private._wrapped = empty


def private_storage():
    """Evidence files live outside the public media URL space; only a view that checks
    permission serves them (settings.STORAGES["private"])."""
    return _private


def artifact_path(artifact, filename: str) -> str:
    # Neither the learner's name nor the file's original name appears in storage.
    return f"artifacts/{artifact.submission_id}/{uuid.uuid4().hex}"


class SubmissionQuerySet(models.QuerySet):
    def open(self):
        """Still the learner's or the reviewers' to act on."""
        return self.filter(state__in=Submission.OPEN_STATES)

    def counted(self):
        """Sent for review, whatever came of it: these use up attempts (withdrawn ones
        do not)."""
        return self.filter(state__in=Submission.COUNTED_STATES)

    def decided(self):
        return self.filter(state__in=Submission.DECIDED_STATES)

    def in_queue(self):
        """Sent and waiting for (or in) review."""
        return self.filter(state__in=Submission.QUEUE_STATES)


class Submission(models.Model):
    """One attempt at a micro-credential. Answers are keyed by the requirement block's id."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        EARNED = "earned", "Earned"
        NOT_YET = "not_yet", "Not yet"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # The state sets, defined once: the QuerySet methods above and every rule use these.
    OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.IN_REVIEW)
    QUEUE_STATES = (State.SUBMITTED, State.IN_REVIEW)
    DECIDED_STATES = (State.EARNED, State.NOT_YET)
    COUNTED_STATES = (*QUEUE_STATES, *DECIDED_STATES)

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    micro_credential = models.ForeignKey(
        "cms.MicroCredentialPage", on_delete=models.PROTECT, related_name="+"
    )
    attempt = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    answers = models.JSONField(default=dict, blank=True)
    # Goes up by one whenever the answers change. Every save says which revision it was
    # typed on, so a tab left open on an older one cannot silently overwrite newer text.
    revision = models.PositiveIntegerField(default=0, editable=False)
    privacy_confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the learner confirmed the artifacts show no student's personal "
        "information, or that consent is on file.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    assertion = models.ForeignKey(
        "credentials.Assertion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Pinned when submitted: reviewers assess against the requirements and rubric the learner
    # answered, and an earned decision awards that badge version, whatever editors do later.
    badge_class = models.ForeignKey(
        "credentials.BadgeClass", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requirements = models.JSONField(default=list, blank=True, editable=False)
    rubric = models.JSONField(default=list, blank=True, editable=False)
    # A new attempt starts from the one that was not yet earned: its answers and artifacts
    # are copied in, and its feedback is shown beside the form and to the next reviewer.
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "micro_credential"],
                condition=Q(state__in=["draft", "submitted", "in_review"]),
                name="credentials_one_open_submission",
            ),
            models.UniqueConstraint(
                fields=["learner", "micro_credential", "attempt"],
                name="credentials_submission_attempt_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"]),
            # A learner's submissions in a state, found from the learner rather than from
            # every submission in that state (the district dashboard's decisions were read
            # this way before their roll-up, `DecisionYear`).
            models.Index(fields=["learner", "state"], name="credentials_submission_learner"),
            # The lead report's queue and decisions, read
            # from the index alone: a submission's row is kilobytes of pinned requirements
            # and rubric, so scanning the rows of a period's 25,000 decisions read the table.
            models.Index(
                fields=["micro_credential"],
                include=["state"],
                condition=Q(state__in=["submitted", "in_review"]),
                name="credentials_submission_queue",
            ),
            models.Index(
                fields=["decided_at"],
                include=["micro_credential", "submitted_at", "state", "attempt", "learner"],
                condition=Q(state__in=["earned", "not_yet"]),
                name="credentials_submission_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"Submission {self.number}"

    @property
    def number(self) -> str:
        """What reviewers know the submission by: never the learner's name."""
        return f"S-{self.pk:05d}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_decided(self) -> bool:
        return self.state in self.DECIDED_STATES


class Artifact(models.Model):
    """A file or a link in one of the requirement's artifact slots."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="artifacts")
    slot_id = models.CharField(max_length=64)
    file = models.FileField(storage=private_storage, upload_to=artifact_path, blank=True)
    original_name = models.CharField(max_length=255, blank=True, help_text="Shown to the learner.")
    name = models.CharField(
        max_length=120, blank=True, help_text="Sanitised; the format's extension."
    )
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    url = models.URLField(max_length=1000, blank=True)
    # Reviewers and leads get only this copy (credentials/blind.py): no author, no names in
    # comments or tracked changes, no metadata, no scripts. `file` stays the learner's own.
    blind_file = models.FileField(
        storage=private_storage, upload_to=artifact_path, blank=True, editable=False
    )
    blind_size = models.PositiveBigIntegerField(default=0, editable=False)
    blind_removed = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text="What the reviewers' copy lacks besides metadata, told to the learner.",
    )
    blind_problem = models.CharField(
        max_length=300,
        blank=True,
        editable=False,
        help_text="Why no reviewers' copy could be made (a file kept from before copies were "
        "made, which today's checks refuse); the file is then withheld from review.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
                name="credentials_artifact_file_or_link",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.url

    @property
    def is_link(self) -> bool:
        return bool(self.url)

    @property
    def host(self) -> str:
        """Where a link goes, shown beside it so nobody follows it blind."""
        return (urlsplit(self.url).hostname or "") if self.url else ""

    @property
    def extension(self) -> str:
        return self.name.rsplit(".", 1)[-1] if "." in self.name else ""

    @property
    def blind_removed_words(self) -> str:
        """ "scripts and automatic actions": what the reviewers' copy lacks, in words."""
        parts = [part for part in self.blind_removed.split(", ") if part]
        return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)

    @property
    def withheld(self) -> bool:
        """A file reviewers cannot be given, because no clean copy of it could be made."""
        return bool(self.file) and bool(self.blind_problem)

    @property
    def blind_name(self) -> str:
        """The name reviewers see: the submission number, never the learner's file name
        (which often carries their name or school)."""
        return f"{self.submission.number}-artifact-{self.pk}.{self.extension}"


class AttemptAllowance(models.Model):
    """After the attempt limit, a lead reviewer or district admin may allow another
    attempt, with a note (usually after a coaching conversation)."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    micro_credential = models.ForeignKey(
        "cms.MicroCredentialPage", on_delete=models.CASCADE, related_name="+"
    )
    note = models.TextField(max_length=2000)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Another attempt for {self.learner}"


class DecisionYear(models.Model):
    """A learner's submissions decided in one school year (by the day on the site's clock):
    how many earned, how many not yet, and the time they waited for it, summed. Kept by the
    database on every write to the submissions (`credentials.decision_years`), so a
    district's dashboard reads a row a member a year. Never written by Leap's code."""

    # Found by the unique (user, year_start) index: no index of its own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year_start = models.DateField()  # the first day of the school year
    earned = models.IntegerField(default=0)
    not_yet = models.IntegerField(default=0)
    decided = models.IntegerField(default=0)  # earned and not yet
    waited_seconds = models.FloatField(default=0)  # from submission to decision, summed

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "year_start"], name="credentials_decision_year_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.year_start}: {self.earned} earned, {self.not_yet} not yet"


class DistrictDecisionYear(models.Model):
    """Changes to the decisions of a district's active members' submissions in one school
    year, by school and role: `DecisionYear`'s sums over a group of members. Triggers add a
    row for every change (`credentials.decision_years.DISTRICT_DECISIONS`), never updating
    one; `compact` sums each group's rows into one. The dashboard sums a district's rows: a
    few hundred, for any number of members. Ids, not foreign keys (see
    `learning.DistrictActivityYear`). Never written by Leap's code."""

    district_id = models.BigIntegerField()
    school_id = models.BigIntegerField(null=True)
    role = models.CharField(max_length=20)
    year_start = models.DateField()
    earned = models.BigIntegerField()
    not_yet = models.BigIntegerField()
    decided = models.BigIntegerField()
    waited_seconds = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["district_id"], name="credentials_ddec_district")]

    def __str__(self) -> str:
        return (
            f"district {self.district_id}, school {self.school_id}, {self.role}, {self.year_start}"
        )
