"""The mail server down for hours, far longer than the old retry window (five quick retries,
about 30 seconds): every e-mail queued meanwhile still arrives, once, when it is back. The
e-mail backend is Django's real SMTP backend, talking to an SMTP server on loopback."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import OutboxMessage
from accounts.outbox import EMAIL_RETRY_DELAYS, outbox_relay
from accounts.services import notify
from learning.services import invitation_send
from tests.factories import DistrictFactory, MembershipFactory, UserFactory
from tests.outages import SmtpSink

pytestmark = pytest.mark.django_db

Email = OutboxMessage.objects.filter(task_name="accounts.tasks.email_deliver")


@pytest.fixture
def smtp(settings):
    """The SMTP server, not started: its port is closed, as when the mail server is down."""
    sink = SmtpSink()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5
    yield sink
    sink.stop()


def queue_three_kinds_of_email(client, django_capture_on_commit_callbacks):
    """allauth's password reset (from a request), a district invitation (to an address)
    and a notice to a person: each queued when its change commits."""
    UserFactory(email="sam@school.example", display_name="Sam Lee")
    ana = UserFactory(email="ana@school.example", display_name="Ana Díaz")
    district = DistrictFactory(name="Riverside Unified")
    admin = MembershipFactory(district=district, role="district_admin").user
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "sam@school.example"})
    assert response.status_code == 302  # the page answers as usual
    with django_capture_on_commit_callbacks(execute=True):
        invitation_send(
            district=district, email="lee@school.example", role="learner", invited_by=admin
        )
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user=ana,
            message="You are a reviewer in Science.",
            url="/review/",
            email_template="credentials/email/pool_joined",
            context={"pool": {"name": "Science"}, "added_by": "Rosa", "exemplars": 0},
        )


def test_every_email_queued_while_smtp_is_down_arrives_once_when_it_is_back(
    client, smtp, django_capture_on_commit_callbacks
):
    queue_three_kinds_of_email(client, django_capture_on_commit_callbacks)
    assert Email.count() == 3
    assert set(Email.values_list("state", "attempts")) == {("pending", 1)}  # tried at once

    # Two hours of outage: the relay runs as the retries come due (its clock moved on; each
    # try fails at once, so each retry is due its delay after the start): seven tries each,
    # and none given up.
    start = timezone.now()
    for minutes in (2, 6, 16, 31, 61, 121):
        assert outbox_relay(now=start + timedelta(minutes=minutes)) == 3
    assert set(Email.values_list("state", "attempts")) == {("pending", 7)}
    errors = Email.values_list("last_error", flat=True)
    assert all("ConnectionRefusedError" in error for error in errors)
    assert smtp.messages == []

    smtp.start()
    outbox_relay(now=start + timedelta(hours=4, minutes=1))
    assert smtp.subjects_to("sam@school.example") == ["[Leap] Choose a new password"]
    assert smtp.subjects_to("lee@school.example") == ["Riverside Unified invites you to Leap"]
    assert smtp.subjects_to("ana@school.example") == ["You are a reviewer in Science"]
    assert set(Email.values_list("state", flat=True)) == {"done"}
    assert list(Email.values_list("args", flat=True)) == [[], [], []]  # links let go

    # Later passes send nothing again.
    for days in (1, 3):
        assert outbox_relay(now=start + timedelta(days=days)) == 0
    assert len(smtp.messages) == 3


def test_an_email_is_given_up_only_after_about_forty_hours(
    client, smtp, django_capture_on_commit_callbacks
):
    assert timedelta(hours=36) < timedelta(seconds=sum(EMAIL_RETRY_DELAYS)) < timedelta(hours=48)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user=UserFactory(email="ana@school.example"),
            message="You are a reviewer in Science.",
            email_template="credentials/email/pool_joined",
            context={"pool": {"name": "Science"}, "added_by": "Rosa", "exemplars": 0},
        )
    message = Email.get()
    for delay in EMAIL_RETRY_DELAYS:
        assert message.state == OutboxMessage.State.PENDING
        failed_at = timezone.now()  # each try failed just now
        # Not tried before its time ...
        assert outbox_relay(now=failed_at + timedelta(seconds=delay - 30)) == 0
        # ... and tried again when it comes.
        assert outbox_relay(now=failed_at + timedelta(seconds=delay + 5)) == 1
        message.refresh_from_db()
    assert message.state == OutboxMessage.State.DEAD
    assert message.attempts == len(EMAIL_RETRY_DELAYS) + 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.args != []  # kept, so staff can retry it
