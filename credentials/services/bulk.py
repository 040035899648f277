"""Bulk awards from a CSV file: every row is checked before anything is awarded."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from accounts.errors import LeapError
from cms.models import MicroCredentialPage
from cms.spreadsheets import csv_rows
from credentials.selectors.badges import award_issuer_get
from credentials.services.badges import assertion_award_or_get, badge_class_for_micro_credential

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
    awarded: int = 0
    already_held: int = 0

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


def bulk_award(*, data: bytes, awarded_by) -> BulkAwardResult:
    """Award every row of the CSV, or nothing: a file with any bad row changes nothing.
    Uploading the same file again awards nothing new."""
    rows, errors = bulk_award_check(data)
    result = BulkAwardResult(errors=errors)
    if errors:
        return result
    with transaction.atomic():
        badge_classes = {}
        for row in rows:
            # Each page's badge class once per issuer (a member's district, or the platform).
            issuer = award_issuer_get(page=row.page, recipient=row.user)
            key = (row.page.pk, issuer.pk if issuer else None)
            if key not in badge_classes:
                badge_classes[key] = badge_class_for_micro_credential(
                    page=row.page, recipient=row.user
                )
            _assertion, created = assertion_award_or_get(
                recipient=row.user,
                badge_class=badge_classes[key],
                evidence=row.evidence_url or None,
                narrative=row.narrative,
                awarded_by=awarded_by,
                how=f"Awarded from a CSV file (line {row.line})",
            )
            if created:
                result.awarded += 1
            else:
                result.already_held += 1
    return result
