"""Bulk awards from a CSV file: every row is checked before anything is awarded, then the
rows are awarded in the background (accounts.batch), with a progress page."""

from dataclasses import dataclass, field
from functools import partial

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from accounts.batch import batch_start
from accounts.errors import LeapError
from accounts.models import BatchJob
from cms.models import MicroCredentialPage
from cms.spreadsheets import csv_rows
from credentials.models import BadgeClass
from credentials.selectors.badges import award_issuer_get, award_issuers_get
from credentials.services.badges import (
    Award,
    assertion_award_or_get,
    assertions_award,
    badge_class_for_micro_credential,
)
from credentials.services.issuers import issuer_platform
from learning import api as learning_api

REQUIRED_COLUMNS = ["email", "badge"]
OPTIONAL_COLUMNS = ["narrative", "evidence_url"]


@dataclass
class BulkAwardRow:
    line: int
    user: object
    page: MicroCredentialPage
    narrative: str
    evidence_url: str


@dataclass
class BulkAwardResult:
    errors: list[str] = field(default_factory=list)
    job: BatchJob | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _read(data: bytes) -> tuple[list[dict], list[str]]:
    try:
        rows = csv_rows(data, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS)
    except LeapError as error:
        return [], error.problems
    return [{**row.values, "_line": row.line} for row in rows], []


def bulk_award_check(data: bytes) -> tuple[list[BulkAwardRow], list[str]]:
    """The rows ready to award, or every problem found, each with its line number."""
    rows, errors = _read(data)
    if errors:
        return [], errors
    users = {
        user.email.lower(): user
        for user in get_user_model().objects.filter(
            email__in=[(row.get("email") or "").strip().lower() for row in rows]
        )
    }
    pages = {
        page.slug: page
        for page in MicroCredentialPage.objects.live().filter(
            slug__in=[(row.get("badge") or "").strip() for row in rows]
        )
    }
    checked, seen = [], {}
    check_url = URLValidator(schemes=["http", "https"])
    for row in rows:
        number = row["_line"]
        email = (row.get("email") or "").strip().lower()
        badge = (row.get("badge") or "").strip()
        evidence_url = (row.get("evidence_url") or "").strip()
        problems = []
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"“{email}” is not an e-mail address")
        else:
            if email not in users:
                problems.append(f"no Leap account uses {email}")
        if badge not in pages:
            problems.append(f"no published micro-credential has the slug “{badge}”")
        if evidence_url:
            try:
                check_url(evidence_url)
            except ValidationError:
                problems.append(f"the evidence URL “{evidence_url}” is not a web address")
        key = (email, badge)
        if key in seen:
            problems.append(f"it repeats line {seen[key]}")
        seen.setdefault(key, number)
        if problems:
            errors.append(f"Line {number}: " + "; ".join(problems) + ".")
        else:
            checked.append(
                BulkAwardRow(
                    line=number,
                    user=users[email],
                    page=pages[badge],
                    narrative=(row.get("narrative") or "").strip(),
                    evidence_url=evidence_url,
                )
            )
    return checked, errors


BATCH_KIND = "credentials.bulk_award"


def bulk_award_start(
    *, data: bytes, awarded_by, file_name: str = "", url_for=None
) -> BulkAwardResult:
    """Check every row of the CSV; when all are right, start awarding them in the
    background (accounts.batch) and return the job, else return every problem and start
    nothing. Uploading the same file again awards nothing twice, and finishes what an
    interrupted run left undone."""
    rows, errors = bulk_award_check(data)
    result = BulkAwardResult(errors=errors)
    if errors:
        return result
    result.job = batch_start(
        kind=BATCH_KIND,
        handler="credentials.services.bulk.bulk_award_row",
        rows=[
            {
                "line": row.line,
                "user": row.user.pk,
                "page": row.page.pk,
                "narrative": row.narrative,
                "evidence_url": row.evidence_url,
            }
            for row in rows
        ],
        created_by=awarded_by,
        label=f"Badges from {file_name}" if file_name else "Badges from a CSV file",
        url_for=url_for,
    )
    return result


# The badge class a job's rows are awarded, per published revision of the page and issuer:
# a file of thousands of rows for one micro-credential works out its badge (a snapshot of
# the page, its hash, a lookup) once per worker process, not once per row. A page published
# again while the job runs is a new revision, so the rows after it get its new version.
# One made in a transaction not yet committed is checked before it is handed out again (one
# query): if that transaction, or the savepoint of the row that made it, rolled back, the
# badge class does not exist and is worked out again.
_BADGE_CLASSES: dict[tuple, tuple[object, bool]] = {}
_BADGE_CLASSES_KEPT = 64


def _keep(key: tuple, badge_class, *, committed: bool) -> None:
    if key not in _BADGE_CLASSES and len(_BADGE_CLASSES) >= _BADGE_CLASSES_KEPT:
        _BADGE_CLASSES.clear()
    _BADGE_CLASSES[key] = (badge_class, committed)


def _badge_class(*, job: BatchJob, page: MicroCredentialPage, recipient, issuer=None):
    """The badge class the recipient is awarded from this page: the issuer is worked out
    here unless the caller did (for a whole chunk)."""
    issuer = issuer or award_issuer_get(page=page, recipient=recipient) or issuer_platform()
    key = (job.pk, job.created_at, page.pk, page.live_revision_id, issuer.pk)
    if key in _BADGE_CLASSES:
        badge_class, committed = _BADGE_CLASSES[key]
        if (
            committed
            or BadgeClass.objects.filter(
                pk=badge_class.pk, content_hash=badge_class.content_hash
            ).exists()
        ):
            return badge_class
    badge_class = badge_class_for_micro_credential(page=page, recipient=recipient)
    _keep(key, badge_class, committed=False)
    transaction.on_commit(partial(_keep, key, badge_class, committed=True))
    return badge_class


def _row_refusal(row: dict, user, page) -> LeapError | None:
    if user is None:
        return LeapError(f"Line {row['line']}: the account no longer exists or is deactivated.")
    if page is None:
        return LeapError(f"Line {row['line']}: the micro-credential is no longer published.")
    return None


def _how(row: dict) -> str:
    return f"Awarded from a CSV file (line {row['line']})"


def bulk_award_row(*, row: dict, job: BatchJob) -> str:
    """Award one checked row (the batch handler): "awarded", or "already_held" when the
    person holds the badge already (a row done twice, or a file uploaded again)."""
    user = get_user_model().objects.filter(pk=row["user"], is_active=True).first()
    page = MicroCredentialPage.objects.live().filter(pk=row["page"]).first()
    refusal = _row_refusal(row, user, page)
    if refusal is not None:
        raise refusal
    _assertion, created = assertion_award_or_get(
        recipient=user,
        badge_class=_badge_class(job=job, page=page, recipient=user),
        evidence=row["evidence_url"] or None,
        narrative=row["narrative"],
        awarded_by=job.created_by,
        how=_how(row),
    )
    return "awarded" if created else "already_held"


def bulk_award_chunk(*, rows: list[dict], job: BatchJob) -> list:
    """`bulk_award_row` for a chunk of rows at once (see `accounts.batch`): the people,
    pages and issuers read once for the chunk, and the badges awarded set-based by
    `assertions_award`. A row whose account or page has gone gets its `LeapError`."""
    users = {
        user.pk: user
        for user in get_user_model().objects.filter(
            pk__in={row["user"] for row in rows}, is_active=True
        )
    }
    pages = {
        page.pk: page
        for page in MicroCredentialPage.objects.live().filter(pk__in={row["page"] for row in rows})
    }
    districts_of = learning_api.districts_of_users(user_ids=users)
    district_ids_of = {
        user_id: [district.pk for district in districts]
        for user_id, districts in districts_of.items()
    }
    issuers = {
        page.pk: award_issuers_get(page=page, district_ids_of=district_ids_of)
        for page in pages.values()
    }
    platform = issuer_platform()
    badge_classes: dict[tuple[int, int], BadgeClass] = {}
    outcomes: list = [None] * len(rows)
    awards, numbers = [], []
    for number, row in enumerate(rows):
        user, page = users.get(row["user"]), pages.get(row["page"])
        outcomes[number] = _row_refusal(row, user, page)
        if outcomes[number] is not None:
            continue
        issuer = issuers[page.pk].get(user.pk) or platform
        if (page.pk, issuer.pk) not in badge_classes:
            badge_classes[page.pk, issuer.pk] = _badge_class(
                job=job, page=page, recipient=user, issuer=issuer
            )
        awards.append(
            Award(
                recipient=user,
                badge_class=badge_classes[page.pk, issuer.pk],
                evidence=row["evidence_url"],
                narrative=row["narrative"],
                how=_how(row),
            )
        )
        numbers.append(number)
    awarded = assertions_award(awards=awards, awarded_by=job.created_by, districts_of=districts_of)
    for number, (_assertion, created) in zip(numbers, awarded, strict=True):
        outcomes[number] = "awarded" if created else "already_held"
    return outcomes


bulk_award_row.for_chunk = bulk_award_chunk
