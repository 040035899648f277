"""Every write of the district integrations: API tokens (created, revoked, used) and
webhooks (integrations.webhooks)."""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.errors import LeapError
from accounts.models import AuditEntry, User
from integrations.models import TOKEN_PREFIX, ApiScope, ApiToken, api_token_hash
from learning.models import District

Action = AuditEntry.Action
# How long a new token lasts, in days: a token is a password that lives in another system,
# so it expires; a district makes a new one before then.
TOKEN_DAYS = (30, 90, 365)
# A token's last use is written at most this often (not on every request).
LAST_USED_EVERY = timedelta(minutes=1)


@transaction.atomic
def api_token_create(
    *, district: District, name: str, scopes: list[str], days: int, created_by: User
) -> tuple[ApiToken, str]:
    """A token for the district's API with these scopes, for `days` days. Returns the
    token and its secret, which is shown once: only its fingerprint is kept."""
    name = name.strip()
    if not name:
        raise LeapError("Give the token a name that says what will use it.")
    unknown = set(scopes) - set(ApiScope.values)
    if not scopes or unknown:
        raise LeapError("Choose at least one of the listed scopes.")
    if days not in TOKEN_DAYS:
        raise LeapError(f"A token lasts {', '.join(map(str, TOKEN_DAYS))} days.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        district=district,
        name=name[:100],
        scopes=[scope for scope in ApiScope.values if scope in scopes],
        token_hash=api_token_hash(secret),
        token_start=secret[:12],
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        action=Action.TOKEN_CREATED,
        actor=created_by,
        target=token,
        district=district,
        summary=f"Created the API token “{token.name}” ({', '.join(token.scopes)}) for {days} days",
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, revoked_by: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = revoked_by
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            action=Action.TOKEN_REVOKED,
            actor=revoked_by,
            target=token,
            district=token.district,
            summary=f"Revoked the API token “{token.name}”",
        )
    return token


def api_token_used(*, token: ApiToken) -> None:
    """Note that the token was used now: one UPDATE at most a minute, none in between."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
