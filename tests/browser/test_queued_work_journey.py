"""Platform staff find given-up work under Settings → Queued work, see how much there is,
and retry an e-mail with the keyboard; it goes, and the count goes down."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.email import email_to_dict
from accounts.models import OutboxMessage
from tests.browser.helpers import log_in_to_cms, visit
from tests.factories import UserFactory


def given_up_email(subject: str) -> OutboxMessage:
    data = email_to_dict(mail.EmailMessage(subject, "Hello", to=["ana@school.example"]))
    return OutboxMessage.objects.create(
        task_name="accounts.tasks.email_deliver",
        args=[data],
        label=f"e-mail '{subject}' to ana@school.example",
        state=OutboxMessage.State.DEAD,
        attempts=11,
        created_at=timezone.now() - timedelta(days=2),
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )


def summary(*, given_up: int) -> str:
    return f"{given_up} given up, 0 waiting more than 60 minutes"


def test_staff_retry_a_given_up_email_from_the_queued_work_screen(live_server, site, page):
    UserFactory(email="ops@leap.example", is_superuser=True, is_staff=True)
    first = given_up_email("Your badge is ready")
    given_up_email("Welcome to Leap")
    # Straight to the screen: the dashboard's check for a newer Wagtail, shown to
    # superusers, reaches outside the site.
    log_in_to_cms(page, live_server.url, "ops@leap.example", to="/admin/queued-work/")
    visit(page, live_server.url + "/admin/queued-work/", "queued work", screens=True)
    expect(page.get_by_role("heading", name=summary(given_up=2))).to_be_visible()
    row = page.get_by_role("row", name="Your badge is ready")
    expect(row).to_contain_text("Given up")
    expect(row).to_contain_text("ConnectionRefusedError")

    retry = page.get_by_role("button", name=f"Retry {first.label}")
    retry.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("is queued again.")).to_be_visible()
    expect(page.get_by_role("heading", name=summary(given_up=1))).to_be_visible()
    first.refresh_from_db()
    assert first.state == OutboxMessage.State.DONE
    assert [m.subject for m in mail.outbox] == ["Your badge is ready"]
