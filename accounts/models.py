import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.errors import LeapError


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create_user(email, password, **fields)

    def get_by_natural_key(self, email: str) -> "User":
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in to Leap. The e-mail address is the login; there is no username."""

    email = models.EmailField("e-mail address", max_length=254, unique=True)
    display_name = models.CharField(
        max_length=150, help_text="How the person is named on the site, e.g. “Ana Díaz”."
    )
    is_staff = models.BooleanField(
        default=False, help_text="May sign in to the Django admin at /django-admin/."
    )
    is_active = models.BooleanField(
        default=True, help_text="Unticked, the person can no longer sign in."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # The person as the subject of their Open Badges 3.0 credentials (`urn:uuid:…`): one
    # id for all their badges, which a wallet can hold them by, that says nothing of who
    # they are (the e-mail is only ever hashed).
    credential_subject = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = "user"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class Notification(models.Model):
    """An in-site notice (the list at /notifications/); an e-mail may go out beside it.
    Made only through `accounts.services.notify`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # A non-essential notice for someone who chose the daily digest: waiting for the next
    # digest e-mail (accounts.services.digests_send), which clears it.
    digest_pending = models.BooleanField(default=False)

    class Meta:
        # The table credentials made before notifications moved here (state-only move).
        db_table = "credentials_notification"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="credentials_user_id_42196d_idx")
        ]

    def __str__(self) -> str:
        return self.message


class NotificationSettings(models.Model):
    """A person's e-mail preference; until they first save it, the defaults apply.
    Essential e-mail (receipts, decisions on one's own work) goes whatever they choose."""

    class EmailMode(models.TextChoices):
        IMMEDIATE = "immediate", "Send each reminder and update as it happens"
        DIGEST = "digest", "Send one e-mail a day with everything new"
        NONE = "none", "Don't e-mail me reminders and updates"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email_mode = models.CharField(
        "E-mail me reminders and updates",
        max_length=20,
        choices=EmailMode.choices,
        default=EmailMode.IMMEDIATE,
        help_text="Receipts and decisions on your own work are always e-mailed.",
    )

    class Meta:
        db_table = "credentials_notificationsettings"
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"Notification settings of {self.user}"

    # The yes/no setting this choice replaced, kept so older callers read and write it:
    # yes is "immediate", no is "none".
    @property
    def email_non_essential(self) -> bool:
        return self.email_mode != self.EmailMode.NONE

    @email_non_essential.setter
    def email_non_essential(self, wanted: bool) -> None:
        self.email_mode = self.EmailMode.IMMEDIATE if wanted else self.EmailMode.NONE


# The audit log.


AUDIT_APPEND_ONLY = (
    "The audit log is append-only: its entries cannot be changed or deleted, only added."
)


class AuditEntryQuerySet(models.QuerySet):
    """Entries are never updated or deleted through the ORM. The one change allowed is the
    one Django makes when an actor's account is deleted: their link is cleared (the frozen
    name and e-mail stay), as the database trigger also allows (migration `audit_entry`)."""

    def update(self, **kwargs):
        if set(kwargs) <= {"actor", "actor_id"} and all(v is None for v in kwargs.values()):
            return super().update(**kwargs)
        raise LeapError(AUDIT_APPEND_ONLY)

    def delete(self):
        raise LeapError(AUDIT_APPEND_ONLY)

    def bulk_update(self, objs, fields, batch_size=None):
        raise LeapError(AUDIT_APPEND_ONLY)


class AuditEntry(models.Model):
    """One sensitive action: who (a link to the account while it exists, and their name and
    e-mail as they were), when, what, about what (a link and a label as it was), in which
    district, and from where (IP address, browser, or the task that did it). Made only
    through `accounts.audit.audit_record`; append-only in the ORM and in the database."""

    class Action(models.TextChoices):
        BADGE_AWARDED = "badge_awarded", "Badge awarded"
        BADGE_REVOKED = "badge_revoked", "Badge revoked"
        REVIEW_DECIDED = "review_decided", "Review decision"
        ROLE_CHANGED = "role_changed", "Role changed"
        POOL_CHANGED = "pool_changed", "Reviewer pool changed"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        WEBHOOK_CHANGED = "webhook_changed", "Webhook changed"
        DATA_EXPORTED = "data_exported", "Data exported"
        REPORT_SHARED = "report_shared", "Report shared"
        ACCOUNT_DELETED = "account_deleted", "Account deleted"

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    action = models.CharField(max_length=40, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Cleared when the account is deleted; the name and e-mail stay.",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    target_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    # A district's admins read the entries of their district. A plain id (accounts sits
    # below learning, which owns districts) with the name as it was.
    district_id = models.BigIntegerField(null=True, blank=True)
    district_name = models.CharField(max_length=200, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    origin = models.CharField(
        max_length=200, blank=True, help_text="“web”, or the task or command that acted."
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["created_at"], name="accounts_audit_created_idx"),
            models.Index(fields=["district_id", "-id"], name="accounts_audit_district_idx"),
            models.Index(fields=["action", "-id"], name="accounts_audit_action_idx"),
            models.Index(fields=["actor_email"], name="accounts_audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.target_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LeapError(AUDIT_APPEND_ONLY)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LeapError(AUDIT_APPEND_ONLY)

    @property
    def actor_label(self) -> str:
        """The actor as the log shows them: name and e-mail as they were, or Leap itself."""
        if not (self.actor_name or self.actor_email):
            return "Leap"
        if self.actor_name and self.actor_email:
            return f"{self.actor_name} ({self.actor_email})"
        return self.actor_name or self.actor_email


class OutboxMessage(models.Model):
    """Work to hand to Celery once the transaction that asked for it commits: a task by its
    dotted name and its JSON arguments. Written in the caller's transaction, so the work
    exists exactly when the change does; published at once after commit and, whatever
    failed (broker, worker, SMTP), again by the relay until the task says it is done.
    Made only through `accounts.jobs.job_enqueue_on_commit`; see `accounts.outbox`."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be handed to a worker"
        SENT = "sent", "Handed to a worker, not started"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        DEAD = "dead", "Given up"

    ACTIVE_STATES = (State.PENDING, State.SENT, State.RUNNING)

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    # Names the work in logs and on the staff screen (never the arguments, which may carry a
    # message's text or a link that signs someone in).
    label = models.CharField(max_length=300, blank=True)
    # Where a caller has a natural key (one bake per badge, one award per completion): a
    # second request for the same work is not recorded.
    dedupe_key = models.CharField(max_length=200, blank=True)
    # Bulk work (a bulk award's thousands of e-mails) is handed over at the broker's lowest
    # priority: a worker takes it only when nothing else waits, so one person's sign-in
    # link, or the badges' images, do not queue behind it.
    is_bulk = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # Runs started (each counts against the task's retry schedule) and times handed to the
    # broker; a delivery whose number is not the latest is a stale copy and does nothing.
    attempts = models.PositiveIntegerField(default=0)
    publication = models.PositiveIntegerField(default=0)
    # Pending: when to hand it over. Sent or running: when to take it as lost and hand it
    # over again.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="accounts_outbox_dedupe_key_unique",
            ),
        ]
        indexes = [
            # The relay: active messages whose time has come.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state__in=["pending", "sent", "running"]),
                name="accounts_outbox_due_idx",
            ),
            # The staff screen (given up, or waiting long) and the clean-up of done ones.
            models.Index(fields=["state", "created_at"], name="accounts_outbox_state_idx"),
        ]

    def __str__(self) -> str:
        return self.label or self.task_name


class BatchJob(models.Model):
    """A long staff action (a bulk award, a large invitation list) carried out in the
    background, row by row, after every row was checked up front (accounts.batch).

    `rows` holds what each row needs (ids and text, as JSON); `processed` counts the rows
    dealt with, so a run that stops (a worker killed, a deploy) is resumed where it was.
    Each row's handler is idempotent, so a row done twice is done once."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "In progress"
        DONE = "done", "Finished"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=60)  # e.g. "credentials.bulk_award"
    handler = models.CharField(max_length=200)  # dotted path of the row function
    label = models.CharField(max_length=200, blank=True)  # e.g. the uploaded file's name
    url = models.CharField(max_length=300, blank=True)  # its progress page
    # Who may see it beyond its author, e.g. "district:12"; empty for platform staff.
    scope = models.CharField(max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    rows = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    # How the rows came out, by the handler's word for it ("awarded", "already_held", …).
    outcomes = models.JSONField(default=dict)
    # Rows that could not be done when their turn came: [{"line": 12, "problem": "…"}].
    failures = models.JSONField(default=list)
    # Rows worth a word though done: [{"line": 3, "note": "ana@… is already a member"}].
    notes = models.JSONField(default=list)
    progress_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "progress_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid} ({self.processed}/{self.total})"

    @property
    def is_finished(self) -> bool:
        return self.state == self.State.DONE

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.processed * 100 // self.total
