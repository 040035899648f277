"""The audit log: services record every sensitive action (an award, a revocation, a review
decision, a role or pool change, an export, a deletion) with `audit_record`, in their own
transaction, so the entry exists exactly when the change does. Who acted and from where
come from the request context (`accounts.request_context`) unless the service knows better
(an award made by a review decision is Leap's, not the reviewer's request's)."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from accounts import request_context
from accounts.models import AuditEntry, User

Action = AuditEntry.Action

# `actor=FROM_CONTEXT`: whoever is signed in to the request (or acting in a command).
FROM_CONTEXT = object()


def _frozen(text: object, limit: int) -> str:
    return " ".join(str(text or "").split())[:limit]


def _entry(
    *,
    action: str,
    target: models.Model | None,
    target_label: str,
    district,
    summary: str,
    details: dict | None,
    person: User | None,
    context,
) -> AuditEntry:
    return AuditEntry(
        action=action,
        actor=person,
        actor_name=_frozen(getattr(person, "display_name", ""), 150),
        actor_email=_frozen(getattr(person, "email", ""), 254),
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=_frozen(target_label or (str(target) if target is not None else ""), 300),
        district_id=district.pk if district is not None else None,
        district_name=_frozen(getattr(district, "name", ""), 200),
        summary=_frozen(summary, 500),
        details=details or {},
        ip=context.ip,
        user_agent=context.user_agent,
        request_id=context.request_id,
        origin=_frozen(context.origin, 200),
    )


def audit_record(
    *,
    action: str,
    target: models.Model | None = None,
    target_label: str = "",
    district=None,
    summary: str = "",
    details: dict | None = None,
    actor: User | None | object = FROM_CONTEXT,
) -> AuditEntry:
    """Add one entry. `target` is what the action was about (its label defaults to its
    str()); `district` (anything with `pk` and `name`) decides which district's admins may
    read it; `actor=None` means Leap acted on its own (a decision, a schedule)."""
    context = request_context.current()
    person = context.user if actor is FROM_CONTEXT else actor
    entry = _entry(
        action=action,
        target=target,
        target_label=target_label,
        district=district,
        summary=summary,
        details=details,
        person=person,
        context=context,
    )
    entry.save()
    return entry


def audit_record_many(
    *, action: str, records: list[dict], actor: User | None | object = FROM_CONTEXT
) -> list[AuditEntry]:
    """`audit_record` for many entries of one action by one actor (a bulk award), in one
    insert. Each record gives `target`, and may give `target_label`, `district`, `summary`
    and `details`."""
    context = request_context.current()
    person = context.user if actor is FROM_CONTEXT else actor
    return AuditEntry.objects.bulk_create(
        _entry(
            action=action,
            target=record.get("target"),
            target_label=record.get("target_label", ""),
            district=record.get("district"),
            summary=record.get("summary", ""),
            details=record.get("details"),
            person=person,
            context=context,
        )
        for record in records
    )


def export_record(
    *, what: str, district=None, target: models.Model | None = None, details: dict | None = None
) -> AuditEntry:
    """Someone downloaded `what` ("Issued badges CSV"): exports of people's data are audited
    like changes."""
    return audit_record(
        action=Action.DATA_EXPORTED,
        target=target,
        target_label=what,
        district=district,
        summary=f"Downloaded {what}",
        details=details,
    )


def person_label(user: User | None) -> str:
    """How an entry names a person it is about: name and e-mail, as they are now (no one,
    once their account is deleted)."""
    if user is None:
        return "a former member"
    return f"{user.display_name} ({user.email})" if user.display_name else user.email


# Access to the CMS and the admin: superuser, active, and Wagtail's groups (editors,
# moderators, …) are changed in the Wagtail and Django user admins.


def user_access_of(user: User) -> dict:
    """What a person may reach, as the audit log compares it."""
    return {
        "superuser": user.is_superuser,
        "staff": user.is_staff,
        "active": user.is_active,
        "groups": sorted(user.groups.values_list("name", flat=True)) if user.pk else [],
    }


def _access_changes(before: dict, after: dict) -> list[str]:
    changes = []
    for key, granted, withdrawn in (
        ("superuser", "Made a superuser", "No longer a superuser"),
        ("staff", "Given the Django admin", "No longer in the Django admin"),
        ("active", "Reactivated", "Deactivated"),
    ):
        if before[key] != after[key]:
            changes.append(granted if after[key] else withdrawn)
    added = sorted(set(after["groups"]) - set(before["groups"]))
    removed = sorted(set(before["groups"]) - set(after["groups"]))
    if added:
        changes.append("Added to " + ", ".join(added))
    if removed:
        changes.append("Removed from " + ", ".join(removed))
    return changes


def user_access_record(*, user: User, before: dict | None) -> AuditEntry | None:
    """Record what changed in the person's access since `before` (None: a new account, whose
    superuser status or groups are then the change). Nothing changed: no entry."""
    start = before or {"superuser": False, "staff": False, "active": True, "groups": []}
    changes = _access_changes(start, user_access_of(user))
    if not changes:
        return None
    return audit_record(
        action=Action.ROLE_CHANGED,
        target=user,
        target_label=person_label(user),
        summary="; ".join(changes),
        details={"before": start, "after": user_access_of(user)},
    )
