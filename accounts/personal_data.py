"""What accounts (and allauth, which it configures) holds about a person, for the download and
for deleting the account (see `accounts.data_rights`)."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount

from accounts.data_rights import Section, SectionData
from accounts.models import AuditEntry, Notification, NotificationSettings, User


def _account(user: User) -> SectionData:
    return SectionData(
        records=[
            {
                "email": user.email,
                "name": user.display_name,
                "joined": user.date_joined,
                # The id your Open Badges 3.0 credentials name you by (credentialSubject.id).
                "badge_subject_id": f"urn:uuid:{user.credential_subject}",
                "last_log_in": user.last_login,
                "active": user.is_active,
                "staff": user.is_staff,
                "superuser": user.is_superuser,
                "groups": sorted(user.groups.values_list("name", flat=True)),
                "email_addresses": list(
                    EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
                ),
                "connected_accounts": list(
                    SocialAccount.objects.filter(user=user).values(
                        "provider", "uid", "date_joined", "last_login"
                    )
                ),
                "two_factor": [
                    {
                        "kind": found.get_type_display(),
                        "added": found.created_at,
                        "last_used": found.last_used_at,
                    }
                    for found in Authenticator.objects.filter(user=user)
                ],
            }
        ]
    )


def _notifications(user: User) -> SectionData:
    choice = NotificationSettings.objects.filter(user=user).values_list("email_mode", flat=True)
    notices = Notification.objects.filter(user=user).order_by("created_at")
    return SectionData(
        records=[
            {
                "email_choice": choice.first() or NotificationSettings.EmailMode.IMMEDIATE,
                "notifications": list(notices.values("message", "url", "created_at", "read_at")),
            }
        ]
    )


def _audit_log(user: User) -> SectionData:
    return SectionData(
        records=[
            {
                "when": entry.created_at,
                "action": entry.get_action_display(),
                "about": entry.target_label,
                "what_happened": entry.summary,
                "ip_address": entry.ip,
                "browser": entry.user_agent,
            }
            for entry in AuditEntry.objects.filter(actor=user).order_by("pk")
        ]
    )


SECTIONS = [
    Section(
        name="account",
        about="your account: name, e-mail addresses, connected sign-ins, two-factor methods",
        models=(
            "accounts.User",
            "account.EmailAddress",
            "socialaccount.SocialAccount",
            "mfa.Authenticator",
        ),
        export=_account,
    ),
    Section(
        name="notifications",
        about="your e-mail choice and every notification Leap gave you",
        models=("accounts.Notification", "accounts.NotificationSettings"),
        export=_notifications,
    ),
    Section(
        name="audit-log",
        about="sensitive actions you took (downloads, role changes, awards), as Leap's audit "
        "log recorded them",
        models=("accounts.AuditEntry",),
        export=_audit_log,
    ),
]

NOT_EXPORTED = {
    "account.EmailConfirmation": "a one-time key to confirm an address: a secret, deleted "
    "with the address",
    "socialaccount.SocialToken": "the access token from Google or Microsoft: a secret, "
    "deleted with the connection",
    "admin.LogEntry": "the Django admin's history of what staff changed there (the audit log "
    "keeps the sensitive changes); deleted with the account",
    "accounts.BatchJob": "a staff member's background job (a bulk award, an invitation list): "
    "the district's or Leap's work, about the people in its rows, not the one who started "
    "it; kept, without the link to the account",
}


def erase(*, user: User, revoke_badges: bool) -> list:
    """The account's own rows go with it (notifications, settings, addresses, connections,
    two-factor methods); the audit log keeps its entries, without the link to the account."""
    return []
