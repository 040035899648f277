"""Settings → Queued work: platform staff see what was given up and what has waited long,
with a count, and retry it; no one else sees or retries anything."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.email import email_to_dict
from accounts.models import OutboxMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

State = OutboxMessage.State
PAGE = "/admin/queued-work/"
MENU_LINK = '"url": "/admin/queued-work/"'  # in the admin menu's data


def email_message(*, state: str, age: timedelta = timedelta(0), subject: str = "Welcome"):
    data = email_to_dict(mail.EmailMessage(subject, "Hello", to=["ana@school.example"]))
    return OutboxMessage.objects.create(
        task_name="accounts.tasks.email_deliver",
        args=[data],
        label=f"e-mail '{subject}' to ana@school.example",
        state=state,
        attempts=11 if state == State.DEAD else 1,
        created_at=timezone.now() - age,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_superuser=True))
    return client


def retry_url(message: OutboxMessage) -> str:
    return f"{PAGE}{message.pk}/retry/"


def test_staff_see_what_was_given_up_and_what_waited_long_with_a_count(staff_client):
    email_message(state=State.DEAD, age=timedelta(days=2), subject="Given up")
    email_message(state=State.PENDING, age=timedelta(hours=3), subject="Waiting long")
    email_message(state=State.PENDING, subject="Just queued")
    email_message(state=State.DONE, age=timedelta(days=1), subject="Delivered")
    html = staff_client.get(PAGE).content.decode()
    assert "1 given up, 1 waiting more than 60 minutes" in html
    assert "Given up" in html and "Waiting long" in html
    assert "Just queued" not in html and "Delivered" not in html
    assert html.count(">Retry</button>") == 2
    assert "ConnectionRefusedError" in html  # why it failed
    assert "Hello" not in html  # never the message itself
    assert MENU_LINK in staff_client.get("/admin/").content.decode()


def test_with_nothing_to_see_staff_are_told_so(staff_client):
    email_message(state=State.DONE)
    html = staff_client.get(PAGE).content.decode()
    assert "Nothing needs you: all queued work was handed over and finished in time" in html
    assert 'class="listing"' not in html


def test_retry_tries_a_given_up_email_again_at_once(
    staff_client, django_capture_on_commit_callbacks
):
    message = email_message(state=State.DEAD, age=timedelta(days=2), subject="Given up")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(retry_url(message), follow=True)
    assert "“e-mail &#x27;Given up&#x27; to ana@school.example” is queued again." in (
        response.content.decode()
    )
    assert [m.subject for m in mail.outbox] == ["Given up"]
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.DONE, 1)  # a fresh schedule


def test_work_running_or_done_is_not_retried(staff_client, django_capture_on_commit_callbacks):
    for state in (State.RUNNING, State.DONE):
        message = email_message(state=state, age=timedelta(hours=2))
        with django_capture_on_commit_callbacks(execute=True):
            response = staff_client.post(retry_url(message), follow=True)
        assert "running or done already, so there is nothing to retry" in (
            response.content.decode()
        )
        message.refresh_from_db()
        assert message.state == state
    assert mail.outbox == []


def test_retrying_is_a_post_to_a_message_that_exists(staff_client):
    message = email_message(state=State.DEAD)
    assert staff_client.get(retry_url(message)).status_code == 405
    assert staff_client.post(f"{PAGE}999999/retry/").status_code == 404
    message.refresh_from_db()
    assert message.state == State.DEAD


def refused(response) -> bool:
    """The admin's answer to someone it lets in who may not use this screen: back to the
    dashboard, told they may not."""
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_no_one_else_sees_or_retries_queued_work(client):
    message = email_message(state=State.DEAD)
    # Not signed in: the admin's log-in page.
    assert client.get(PAGE)["Location"].startswith("/admin/login/")
    assert client.post(retry_url(message))["Location"].startswith("/admin/login/")
    # A learner, who has no admin at all: sent to the admin's log-in page too.
    client.force_login(UserFactory())
    assert client.get(PAGE)["Location"].startswith("/admin/login/")
    assert client.post(retry_url(message))["Location"].startswith("/admin/login/")
    # An editor (the CMS, not the platform's workings): refused.
    editor = UserFactory()
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert refused(client.get(PAGE))
    assert refused(client.post(retry_url(message)))
    dashboard = client.get(PAGE, follow=True).content.decode()
    assert "Sorry, you do not have permission to access this area." in dashboard
    assert MENU_LINK not in dashboard and "Queued work" not in dashboard
    message.refresh_from_db()
    assert message.state == State.DEAD


def test_staff_who_may_only_look_see_no_retry(client):
    watcher = UserFactory()
    watcher.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_outboxmessage"),
    )
    client.force_login(watcher)
    message = email_message(state=State.DEAD)
    html = client.get(PAGE).content.decode()
    assert "1 given up" in html and ">Retry</button>" not in html
    assert refused(client.post(retry_url(message)))
    message.refresh_from_db()
    assert message.state == State.DEAD


def test_the_page_costs_the_same_queries_for_one_or_many(staff_client):
    email_message(state=State.DEAD)
    staff_client.get(PAGE)  # warm: the admin's own first-visit queries
    with CaptureQueriesContext(connection) as one:
        staff_client.get(PAGE)
    for _ in range(30):
        email_message(state=State.DEAD)
        email_message(state=State.PENDING, age=timedelta(hours=2))
    with CaptureQueriesContext(connection) as many:
        assert "31 given up, 30 waiting" in staff_client.get(PAGE).content.decode()
    assert len(many.captured_queries) == len(one.captured_queries)
