"""Badges earned elsewhere: a learner adds an Open Badge from another issuer (OB 2.0 or 3.0,
as a link, an image, JSON or a JWT); Leap verifies it as its public verifier does, for one
of the learner's own e-mail addresses, and keeps checking it every day. While it verifies,
it counts on the transcript of a learner whose district accepts such badges."""

import hashlib
import json
import logging
from datetime import timedelta
from urllib.parse import quote, urlencode, urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.errors import LeapError
from accounts.models import User
from credentials.models import ExternalBadge
from credentials.openbadges.ob2 import absolute
from credentials.verification.result import INVALID, NOT_RECIPIENT, UNREADABLE, Verification
from credentials.verification.unpack import Unreadable, presented_from_bytes, presented_from_text
from credentials.verification.verify import badge_verify
from learning import services as learning_services

logger = logging.getLogger(__name__)
RECHECK_AFTER = timedelta(hours=23)  # daily, with room for the schedule's own drift
# How a verification's verdict is kept; a fetch that failed is "could not be checked",
# which keeps what was known before.
KEPT_VERDICT = {
    "valid": ExternalBadge.Verdict.VALID,
    "expired": ExternalBadge.Verdict.EXPIRED,
    "revoked": ExternalBadge.Verdict.REVOKED,
}


def _given_text(*, text: str, data: bytes | None, name: str) -> tuple[str, str]:
    """What to keep, to check again later: the link, JSON or JWT (out of its image)."""
    try:
        if data is not None:
            presented = presented_from_bytes(data, name=name)
        else:
            presented = presented_from_text(text, source="a link")
    except Unreadable as error:
        raise LeapError(str(error)) from error
    if presented.url is not None:
        return presented.url, "a link" if data is None else presented.source
    if presented.token is not None:
        return presented.token, presented.source if data is not None else "a JWT"
    return json.dumps(presented.document), presented.source if data is not None else "JSON"


def _addresses(user: User) -> list[str]:
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return list(dict.fromkeys([user.email, *verified]))


def _verified_for(user: User, given: str) -> Verification:
    """The verification, checked against every address of the person's (one pass)."""
    return badge_verify(text=given, emails=_addresses(user))


def external_badge_add(
    *, holder: User, text: str = "", data: bytes | None = None, name: str = ""
) -> ExternalBadge:
    """Verify and add a badge from another issuer. Refused, with the reason and nothing
    saved, when it is not a badge, does not verify, is revoked, is not the holder's, or is
    Leap's own (those are on My badges already)."""
    given, given_as = _given_text(text=text, data=data, name=name)
    result = _verified_for(holder, given)
    if result.verdict == UNREADABLE:
        raise LeapError(result.unreadable)
    if result.verdict == NOT_RECIPIENT:
        raise LeapError(
            "This badge was not issued to any of your e-mail addresses, so it cannot be added "
            "to your profile. If it was issued to another address of yours, add that address "
            "to your account first."
        )
    if result.verdict not in ("valid", "expired"):
        raise LeapError(f"{result.headline}: {result.reason}")
    if _is_leaps_own(result):
        raise LeapError("This badge is one Leap issued: it is on My badges already.")
    badge = ExternalBadge(holder=holder, given=given, given_as=given_as)
    _record(badge, result)
    # A badge that names no id of its own is known by what was given, so it is added once.
    badge.badge_id = badge.badge_id or "sha256:" + hashlib.sha256(given.encode()).hexdigest()
    try:
        with transaction.atomic():
            badge.save()
            _count(badge)
    except IntegrityError as error:
        raise LeapError("You have added this badge already.") from error
    return badge


def _is_leaps_own(result: Verification) -> bool:
    own_did = "did:web:" + quote(urlsplit(settings.SITE_URL).netloc, safe="") + ":"
    return result.badge.id.startswith(absolute("/")) or result.badge.issuer_id.startswith(own_did)


def _record(badge: ExternalBadge, result: Verification) -> None:
    summary = result.badge
    badge.format = result.format
    badge.badge_id = summary.id[:500]
    badge.name = (summary.name or "An Open Badge")[:255]
    badge.issuer_name = summary.issuer_name[:255]
    badge.issuer_id = summary.issuer_id[:500]
    badge.issued_on = summary.issued_on
    badge.expires_on = summary.expires_on
    badge.verdict = KEPT_VERDICT.get(result.verdict, ExternalBadge.Verdict.INVALID)
    badge.reason = result.reason
    badge.checks = [check.as_json() for check in result.checks]
    badge.checked_at = result.now


def _count(badge: ExternalBadge) -> None:
    """Tell learning's ledger what the badge now is: counted while it verifies (where the
    holder's district lists its issuer)."""
    if badge.verdict == ExternalBadge.Verdict.VALID:
        check_url = ""
        if badge.badge_id.startswith(("https://", "http://")):
            check_url = absolute(reverse("verify")) + "?" + urlencode({"url": badge.badge_id})
        learning_services.external_badge_counted(
            user=badge.holder,
            issuer_id=badge.issuer_id,
            title=f"{badge.name} ({badge.issuer_name})" if badge.issuer_name else badge.name,
            earned_on=(badge.issued_on or badge.added_at or timezone.now()).date(),
            key=str(badge.uuid),
            url=check_url,
            expires_on=badge.expires_on.date() if badge.expires_on else None,
        )
    elif badge.verdict in (ExternalBadge.Verdict.REVOKED, ExternalBadge.Verdict.INVALID):
        learning_services.external_badge_withdrawn(
            user=badge.holder, key=str(badge.uuid), reason=badge.reason or badge.verdict
        )


def external_badge_recheck(*, badge: ExternalBadge) -> ExternalBadge:
    """Verify the badge again. A badge its issuer revoked, or that no longer verifies, stops
    counting; one whose sites could not be reached keeps what was known (and its credit),
    marked "could not be checked". A badge removed meanwhile stays removed."""
    badge_id = badge.badge_id
    result = _verified_for(badge.holder, badge.given)
    if result.unreachable and result.verdict in (UNREADABLE, INVALID):
        badge.verdict = ExternalBadge.Verdict.UNREACHABLE
        badge.reason = result.reason
        badge.checked_at = result.now
    else:
        _record(badge, result)
        badge.badge_id = badge_id  # what it is known by does not change
    with transaction.atomic():
        if not ExternalBadge.objects.select_for_update().filter(pk=badge.pk).exists():
            return badge  # removed while it was being checked
        badge.save()
        _count(badge)
    return badge


def external_badges_recheck_due(*, limit: int = 500) -> int:
    """Daily (beat): check again every badge not checked for a day, oldest first. A badge
    whose check fails unexpectedly is logged and marked checked, so it cannot hold up the
    others day after day."""
    due = ExternalBadge.objects.filter(checked_at__lte=timezone.now() - RECHECK_AFTER)
    count = 0
    for badge in due.select_related("holder").order_by("checked_at")[:limit]:
        try:
            external_badge_recheck(badge=badge)
        except Exception:
            logger.exception("Checking external badge %s again failed", badge.pk)
            ExternalBadge.objects.filter(pk=badge.pk).update(checked_at=timezone.now())
        count += 1
    return count


def external_badge_remove(*, badge: ExternalBadge) -> None:
    with transaction.atomic():
        learning_services.external_badge_withdrawn(
            user=badge.holder, key=str(badge.uuid), reason="Removed by its holder."
        )
        badge.delete()
