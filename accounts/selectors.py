"""Reads about people that more than one screen uses, and the queued work staff watch."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import (
    AuditEntry,
    BatchJob,
    Notification,
    NotificationSettings,
    OutboxMessage,
    User,
)


def notification_list(*, user: User) -> QuerySet[Notification]:
    """The person's notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


# The menu: what it shows a signed-in person depends on facts about them from every app
# (their unread notifications, reviewing, districts, book clubs). Each app names a function
# in LEAP_NAV_FACTS that returns its facts as expressions on the person's row (`OuterRef
# ("pk")`), and accounts.context_processors.navigation reads them all in one query, so
# accounts imports none of the apps above it.


def navigation_facts() -> dict:
    """`nav_unread`, the person's unread notifications, and `nav_editor`, whether they may
    open the editor (Wagtail's `access_admin`, as Django's model backend grants it: a
    superuser, or the permission held directly or through a group)."""
    person = OuterRef("pk")
    access_admin = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    return {
        "nav_unread": Coalesce(
            Subquery(
                Notification.objects.filter(user=person, read_at__isnull=True)
                .order_by()
                .values("user_id")
                .annotate(count=Count("pk"))
                .values("count")
            ),
            0,
        ),
        "nav_editor": ExpressionWrapper(
            Q(is_superuser=True)
            | Exists(access_admin.filter(user=person))
            | Exists(access_admin.filter(group__user=person)),
            output_field=BooleanField(),
        ),
    }


def navigation_facts_get(*, user: User) -> dict:
    """Every app's menu facts about the person (LEAP_NAV_FACTS), in one query."""
    names, sql, params, person = _navigation_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk if i == person else value for i, value in enumerate(params)])
        row = cursor.fetchone()
    # Flags come back as 0 and 1 from SQLite, as booleans from PostgreSQL.
    return dict(zip(names, row, strict=True)) if row else dict.fromkeys(names)


def navigation_fact_names() -> tuple[str, ...]:
    return _navigation_statement()[0]


# A stand-in for the person's id while the statement is compiled, found again among its
# parameters: no account has a negative id.
_SOMEONE = -7_654_321


@cache
def _navigation_statement() -> tuple[tuple[str, ...], str, list, int]:
    """The facts' names, and their query as SQL with its parameters and the index of the
    person's id among them. Django compiles the facts' nested subqueries in about ten times
    the time a plain query takes, on every signed-in page; the expressions never change, so
    they are compiled once a process."""
    facts = {}
    for path in settings.LEAP_NAV_FACTS:
        facts.update(import_string(path)())
    query = User.objects.filter(pk=_SOMEONE).values(**facts)
    sql, params = query.query.sql_with_params()
    params = list(params)
    if params.count(_SOMEONE) != 1:
        raise ImproperlyConfigured("A navigation fact uses a parameter the person's id is given.")
    names = tuple(query.query.values_select) + tuple(query.query.annotation_select)
    return names, sql, params, params.index(_SOMEONE)


def notification_settings_of(*, user: User) -> NotificationSettings:
    """The stored settings, or unsaved defaults: nothing is stored until the person saves."""
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)


# The audit log, read by platform staff (every entry) and district admins (their district's).

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor_email: str = ""  # part of the address is enough
    since: date | None = None  # whole days, in the site's time zone
    until: date | None = None
    district_id: int | None = None


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the current time zone: where a `__date` lookup
    puts the day's first moment. Comparing a timestamp with it needs no conversion row by
    row, and an index on the timestamp serves the comparison."""
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entry_list(*, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """The entries the filters keep, newest first."""
    entries = AuditEntry.objects.all()
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.actor_email:
        entries = entries.filter(actor_email__icontains=filters.actor_email.strip())
    if filters.since:
        entries = entries.filter(created_at__gte=day_start(filters.since))
    if filters.until:
        entries = entries.filter(created_at__lt=day_start(filters.until + timedelta(days=1)))
    if filters.district_id is not None:
        entries = entries.filter(district_id=filters.district_id)
    return entries.order_by("-pk")


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    newer: int | None  # the cursor of the page before (newer entries), if any
    older: int | None  # the cursor of the page after (older entries), if any


def audit_page_get(
    *,
    entries: QuerySet[AuditEntry],
    before: int | None = None,
    after: int | None = None,
    size: int = AUDIT_PAGE_SIZE,
) -> AuditPage:
    """One page of `entries` by keyset (one query whatever the page): the newest `size`, or
    those just older than entry `before`, or just newer than entry `after`."""
    if after is not None:
        found = list(entries.filter(pk__gt=after).order_by("pk")[: size + 1])
        page = list(reversed(found[:size]))
        newer = page[0].pk if len(found) > size else None
        return AuditPage(entries=page, newer=newer, older=page[-1].pk if page else after + 1)
    if before is not None:
        entries = entries.filter(pk__lt=before)
    found = list(entries[: size + 1])
    page = found[:size]
    newer = None
    if before is not None:  # came from newer entries: they are one link away
        newer = page[0].pk if page else before - 1
    return AuditPage(entries=page, newer=newer, older=page[-1].pk if len(found) > size else None)


def _outbox_attention(now: datetime | None) -> Q:
    waited_since = (now or timezone.now()) - timedelta(
        minutes=settings.LEAP_OUTBOX_ATTENTION_MINUTES
    )
    return Q(state=OutboxMessage.State.DEAD) | Q(
        state__in=OutboxMessage.ACTIVE_STATES, created_at__lt=waited_since
    )


def outbox_attention_list(*, now: datetime | None = None) -> QuerySet[OutboxMessage]:
    """Queued work staff should look at: given up, or not done after
    LEAP_OUTBOX_ATTENTION_MINUTES; oldest first."""
    return OutboxMessage.objects.filter(_outbox_attention(now)).order_by("created_at", "pk")


def outbox_attention_counts(*, now: datetime | None = None) -> dict[str, int]:
    """How many of those are given up (`dead`) and how many still waiting (`waiting`)."""
    dead = Q(state=OutboxMessage.State.DEAD)
    return OutboxMessage.objects.filter(_outbox_attention(now)).aggregate(
        dead=Count("pk", filter=dead), waiting=Count("pk", filter=~dead)
    )


def batch_list(*, kind: str, scope: str = "", limit: int = 10) -> list[BatchJob]:
    """The newest background jobs of a kind (within a scope), without their rows."""
    return list(
        BatchJob.objects.filter(kind=kind, scope=scope)
        .defer("rows")
        .select_related("created_by")
        .order_by("-created_at")[:limit]
    )


def batch_outcomes(job: BatchJob, labels: dict[str, str]) -> list[tuple[str, int]]:
    """The job's outcome counts with the screen's words for them."""
    return [(labels.get(outcome, outcome), count) for outcome, count in job.outcomes.items()]
