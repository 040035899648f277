"""Demo accounts, one per role, each with a verified e-mail address. The apps that own a
role attach it in their own `demo` modules (cms: editor groups; learning: district membership;
credentials: reviewer pools)."""

from allauth.account.models import EmailAddress

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
        report.add_account(role=role, email=email, password=password, name=name)
