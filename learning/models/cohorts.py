"""Book-club cohorts: a district's group reading a book (or working through a pathway)
together over several weeks: its sessions, members, facilitators, RSVPs, attendance,
discussion and the reminders sent about it.

Times are stored as aware UTC instants; a cohort's `time_zone` (an IANA name, the
district's by default) is what its schedule is written and shown in.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .districts import District


def _token() -> str:
    return secrets.token_urlsafe(24)


def _join_code() -> str:
    # Eight characters people can read aloud: no 0/O, 1/I/L.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Cohort(models.Model):
    """A district's book club or pathway cohort."""

    class Visibility(models.TextChoices):
        DISTRICT = "district", "Open to everyone in the district"
        INVITATION = "invitation", "By invitation only"
        CODE = "code", "With a join code the facilitator approves"

    class Status(models.TextChoices):
        DRAFT = "draft", "Being planned"
        OPEN = "open", "Open"
        FINISHED = "finished", "Finished"
        CANCELLED = "cancelled", "Cancelled"

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="cohorts")
    title = models.CharField(max_length=200)
    # Exactly one of the two (a check constraint says so).
    book = models.ForeignKey(
        "cms.BookPage", null=True, blank=True, on_delete=models.PROTECT, related_name="cohorts"
    )
    pathway = models.ForeignKey(
        "cms.PathwayPage", null=True, blank=True, on_delete=models.PROTECT, related_name="cohorts"
    )
    description = models.TextField(blank=True)
    time_zone = models.CharField(max_length=64, help_text="An IANA name, e.g. America/Chicago.")
    start_date = models.DateField()
    capacity = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Empty: no limit."
    )
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.DISTRICT
    )
    join_code = models.CharField(max_length=12, default=_join_code, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    # Completion rule, evaluated by learning.cohorts.completion.
    min_attendance_percent = models.PositiveSmallIntegerField(
        default=75, validators=[MaxValueValidator(100)]
    )
    min_sessions_posted = models.PositiveSmallIntegerField(
        default=0, help_text="Sessions in whose discussion the member posted at least once."
    )
    requires_synthesis = models.BooleanField(
        default=True, help_text="A final synthesis post: what they will change."
    )
    reading_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="The district's allowance for reading, added to meeting hours.",
    )
    # A micro-credential awarded on completion, if any (credentials awards it).
    completion_badge = models.ForeignKey(
        "cms.MicroCredentialPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(book__isnull=False) & Q(pathway__isnull=True))
                | (Q(book__isnull=True) & Q(pathway__isnull=False)),
                name="learning_cohort_book_or_pathway",
            )
        ]

    def __str__(self) -> str:
        return self.title


class CohortMember(models.Model):
    """A person's place in a cohort. Facilitators are members with the facilitator role."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        FACILITATOR = "facilitator", "Facilitator"

    class State(models.TextChoices):
        ACTIVE = "active", "Taking part"
        WAITING = "waiting", "On the waiting list"
        REQUESTED = "requested", "Asked to join (waiting for the facilitator)"
        INVITED = "invited", "Invited"
        LEFT = "left", "Left"
        COMPLETED = "completed", "Completed"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(max_length=20, choices=State.choices, default=State.ACTIVE)
    # Waiting-list order: the earliest waiting is promoted first.
    state_changed_at = models.DateTimeField(auto_now_add=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The secret in the member's calendar-feed URL; resetting it replaces it.
    calendar_token = models.CharField(max_length=64, default=_token, unique=True)
    share_synthesis_as_evidence = models.BooleanField(default=False)

    class Meta:
        ordering = ["cohort", "state_changed_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="learning_one_cohort_place")
        ]
        indexes = [models.Index(fields=["cohort", "state", "state_changed_at"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.cohort}"


class CohortSession(models.Model):
    """One meeting of a cohort and the reading or steps due for it."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    reading = models.CharField(
        max_length=255, blank=True, help_text="What to read or do before, e.g. “Chapter 2”."
    )
    # The book section numbers (or pathway step ids) this session covers.
    covers = models.JSONField(default=list, blank=True)
    prompts = models.JSONField(default=list, blank=True, help_text="Discussion prompts, in order.")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    place = models.CharField(max_length=255, blank=True)
    video_url = models.URLField(blank=True)
    summary = models.TextField(blank=True, help_text="The facilitator's notes after meeting.")
    # The secret behind the rotating check-in code (a new code every minute).
    checkin_secret = models.CharField(max_length=64, default=_token)

    class Meta:
        ordering = ["cohort", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "number"], name="learning_session_number")
        ]

    def __str__(self) -> str:
        return f"{self.cohort}: {self.number}. {self.title}"


class Rsvp(models.Model):
    class Answer(models.TextChoices):
        GOING = "going", "Going"
        NOT_GOING = "not_going", "Not going"

    session = models.ForeignKey(CohortSession, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=20, choices=Answer.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="learning_one_rsvp")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_answer_display()} ({self.session})"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        LATE = "late", "Late"
        ABSENT = "absent", "Absent"
        EXCUSED = "excused", "Excused"

    class Via(models.TextChoices):
        FACILITATOR = "facilitator", "Taken by the facilitator"
        CHECK_IN = "check_in", "Checked in with the meeting's code"

    # The statuses that count as having come to the meeting.
    ATTENDED = (Status.PRESENT, Status.LATE)

    session = models.ForeignKey(CohortSession, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    via = models.CharField(max_length=20, choices=Via.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)
    # When this meeting's hours went on the person's transcript (in their completion entry,
    # or, for a meeting after they completed, an entry of its own). Set once, never cleared:
    # the ledger is not edited, so a mark changed afterwards does not take the hours back.
    credited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="learning_one_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_status_display()} ({self.session})"

    @property
    def is_attended(self) -> bool:
        return self.status in self.ATTENDED

    @property
    def credited_without_attendance(self) -> bool:
        """Credited while marked present or late, and marked otherwise since."""
        return self.credited_at is not None and not self.is_attended


class Post(models.Model):
    """A post in a session's discussion: a thread (no parent) or a reply to one."""

    session = models.ForeignKey(CohortSession, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_posts"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(help_text="Markdown, rendered sanitised.")
    is_synthesis = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["session", "created_at"])]

    def __str__(self) -> str:
        return f"Post by {self.author} in {self.session}"


class CohortMessage(models.Model):
    """A facilitator's message to the whole cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


class ReminderSent(models.Model):
    """What was sent to whom, so that each reminder goes once even when beat runs twice or
    a worker dies mid-send: a row is claimed before the e-mail is queued."""

    kind = models.CharField(max_length=40)  # e.g. "meeting-2d", "meeting-3h", "no-post"
    key = models.CharField(max_length=80)  # e.g. "session:<id>"
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "user"], name="learning_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} to {self.user}"
