"""Demo accounts, one per role, each with a verified e-mail address. The apps that own a
role attach it in their own `demo` modules (cms: editor groups; learning: district membership;
credentials: reviewer pools)."""

import time

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from .models import User

DEMO_ACCOUNTS = [
    # role, e-mail, display name, password
    ("learner", "learner@leap.example", "Maya Torres", "demo-learner-pass"),
    ("reviewer", "reviewer@leap.example", "Sam Okafor", "demo-reviewer-pass"),
    ("lead reviewer", "lead@leap.example", "Rosa Méndez", "demo-lead-pass"),
    ("content editor", "editor@leap.example", "Priya Raman", "demo-editor-pass"),
    ("content reviewer", "content-reviewer@leap.example", "Jonas Weber", "demo-approver-pass"),
    ("district admin", "district-admin@leap.example", "Daniel Brooks", "demo-district-pass"),
    ("facilitator", "facilitator@leap.example", "Grace Liu", "demo-facilitator-pass"),
    ("superuser", "admin@leap.example", "Alex Admin", "demo-admin-pass"),
]

# Staff need a second factor (accounts.second_factor): the demo's staff accounts share this
# authenticator key, so anyone trying the demo can sign in as them. Add it to an
# authenticator app, or print the current code with `python manage.py demo_code`.
DEMO_TOTP_SECRET = "LEAPDEMOSTAFFKEY234567ABCDEFGHIJ"
ROLES_WITHOUT_SECOND_FACTOR = {"learner", "facilitator"}


def demo_code(at: float | None = None) -> str:
    """The demo staff accounts' authenticator code at a time (now by default)."""
    counter = int(time.time() if at is None else at) // 30
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))


def demo_user(role: str) -> User:
    """The demo account for a role, e.g. demo_user("learner"); used by later apps' demos."""
    email = next(email for name, email, *_ in DEMO_ACCOUNTS if name == role)
    return User.objects.get(email=email)


def seed(report) -> None:
    for role, email, name, password in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first() or User(email=email)
        user.display_name = name
        user.is_active = True
        user.is_superuser = user.is_staff = role == "superuser"
        user.set_password(password)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        Authenticator.objects.filter(user=user).delete()
        if role not in ROLES_WITHOUT_SECOND_FACTOR:
            TOTP.activate(user, DEMO_TOTP_SECRET)
        report.add_account(role=role, email=email, password=password, name=name)
    report.add_line(
        "Staff accounts (all but the learner and the facilitator) also ask for a two-factor "
        f"code: run `python manage.py demo_code`, or add the key {DEMO_TOTP_SECRET} to an "
        "authenticator app."
    )
