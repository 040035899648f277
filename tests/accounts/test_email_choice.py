"""Each person's e-mail choice (as it happens, a daily digest, none) and the unsubscribe
link that works without signing in (RFC 8058 one-click included)."""

import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import signing

from accounts.models import Notification, NotificationSettings
from accounts.services import (
    UNSUBSCRIBE_SALT,
    digests_send,
    notify,
    unsubscribe_token_make,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REASSIGNED = {
    "url": "/review/",
    "email_template": "credentials/email/review_reassigned",
    "context": {"submission": SimpleNamespace(number="S-00042")},
}


@pytest.fixture
def maya(db):
    return UserFactory(email="maya@school.example", display_name="Maya Torres")


def tell(user, message, *, essential=False, **email):
    return notify(user=user, message=message, essential=essential, **{**REASSIGNED, **email})


def unsubscribe_link(message) -> str:
    [link] = re.findall(r"https?://\S+/notifications/unsubscribe/\S+/", message.body)
    return link


def test_immediate_email_carries_an_unsubscribe_link_and_one_click_headers(
    maya, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tell(maya, "Reassigned")
    [message] = mailoutbox
    link = unsubscribe_link(message)
    assert link.startswith(settings.SITE_URL)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The headers survive the trip through the task queue into the sent message.
    sent = message.message()
    assert sent["List-Unsubscribe"] == f"<{link}>"


def test_essential_email_has_no_unsubscribe_link(
    maya, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(user=maya, email_mode="none")
    with django_capture_on_commit_callbacks(execute=True):
        tell(maya, "Decided", essential=True)
    [message] = mailoutbox
    assert "unsubscribe" not in message.body and "List-Unsubscribe" not in message.extra_headers


def test_digest_collects_the_days_notices_into_one_email_sent_once(
    maya, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(user=maya, email_mode="digest")
    other = UserFactory(email="sam@school.example")
    with django_capture_on_commit_callbacks(execute=True):
        tell(maya, "Submission S-00042 was reassigned.")
        tell(maya, "Your badge expires soon.", url="/badges/")
        tell(maya, "Your evidence was received.", essential=True)  # essential: at once
        tell(other, "Sam's own news")  # Sam gets e-mail as it happens
    assert [m.to for m in mailoutbox] == [["maya@school.example"], ["sam@school.example"]]
    assert "List-Unsubscribe" not in mailoutbox[0].extra_headers  # Maya's essential one
    mailoutbox.clear()
    # Every notice is in the site at once, whatever the e-mail choice.
    assert Notification.objects.filter(user=maya).count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send() == 1
    [digest] = mailoutbox
    assert digest.to == ["maya@school.example"]
    assert digest.subject == "Your Leap day: 2 updates"
    assert "Submission S-00042 was reassigned." in digest.body
    assert f"{settings.SITE_URL}/badges/" in digest.body
    assert "Your evidence was received." not in digest.body  # it went out on its own
    assert digest.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_link(digest)}>"

    # Beat runs again: nothing is sent twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send() == 0
    assert len(mailoutbox) == 1
    assert not Notification.objects.filter(digest_pending=True).exists()


def test_a_digest_that_fails_to_queue_leaves_the_notices_waiting(
    maya, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(user=maya, email_mode="digest")
    tell(maya, "Reassigned")

    def broken(**kwargs):
        raise RuntimeError("template store unavailable")

    monkeypatch.setattr("accounts.services.email_send", broken)
    assert digests_send() == 0
    assert Notification.objects.filter(user=maya, digest_pending=True).count() == 1


def test_no_email_at_all_for_none_and_waiting_notices_are_let_go(
    maya, mailoutbox, django_capture_on_commit_callbacks
):
    settings_row = NotificationSettings.objects.create(user=maya, email_mode="digest")
    with django_capture_on_commit_callbacks(execute=True):
        tell(maya, "Waiting for the digest")
    settings_row.email_mode = "none"
    settings_row.save()
    with django_capture_on_commit_callbacks(execute=True):
        tell(maya, "Not e-mailed")
        assert digests_send() == 0
    assert mailoutbox == []
    assert not Notification.objects.filter(digest_pending=True).exists()


def test_the_digest_runs_daily_in_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["notification-digests"]
    assert entry["task"] == "accounts.tasks.notifications_send_digests"
    from accounts.tasks import notifications_send_digests

    assert notifications_send_digests.name == entry["task"]


# The unsubscribe link.


def test_get_asks_first_and_changes_nothing_then_post_unsubscribes(client, maya):
    NotificationSettings.objects.create(user=maya, email_mode="digest")
    url = f"/notifications/unsubscribe/{unsubscribe_token_make(user=maya)}/"
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Stop reminder e-mails for m•••@school.example?" in text
    assert "maya@school.example" not in text  # the address is masked
    assert NotificationSettings.objects.get(user=maya).email_mode == "digest"

    done = client.post(url).content.decode()  # from the page, not signed in, no CSRF token
    assert "You are unsubscribed" in done
    assert NotificationSettings.objects.get(user=maya).email_mode == "none"
    # Essential e-mail still goes.
    assert "still e-mailed" in done


def test_one_click_post_from_a_mail_program_unsubscribes(maya):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    url = f"/notifications/unsubscribe/{unsubscribe_token_make(user=maya)}/"
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationSettings.objects.get(user=maya).email_mode == "none"
    # Doing it again is harmless.
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert NotificationSettings.objects.filter(user=maya).count() == 1


def forged_tokens(maya, sam):
    good = unsubscribe_token_make(user=maya)
    payload, _, signature = good.rpartition(":")
    return [
        "not-a-token",
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),  # tampered signature
        # Maya's signature on Sam's id.
        signing.dumps({"u": sam.pk}, salt=UNSUBSCRIBE_SALT).rpartition(":")[0] + ":" + signature,
        # A validly signed token of another kind (another salt) is not an unsubscribe one.
        signing.dumps({"u": sam.pk}, salt="leap.cohort.rsvp"),
        signing.dumps({"u": sam.pk}, key="a-guessed-secret", salt=UNSUBSCRIBE_SALT),
    ]


def test_forged_or_borrowed_tokens_are_refused_and_change_nothing(client, maya):
    sam = UserFactory(email="sam@school.example")
    for token in forged_tokens(maya, sam):
        url = f"/notifications/unsubscribe/{token}/"
        for response in (client.get(url), client.post(url, {"List-Unsubscribe": "One-Click"})):
            assert response.status_code == 404
            assert "This link does not work" in response.content.decode()
    assert not NotificationSettings.objects.exists()


def test_a_token_only_ever_unsubscribes_the_person_it_was_made_for(client, maya):
    sam = UserFactory(email="sam@school.example")
    client.force_login(sam)  # Sam opens Maya's link while signed in as himself
    client.post(f"/notifications/unsubscribe/{unsubscribe_token_make(user=maya)}/")
    assert NotificationSettings.objects.get(user=maya).email_mode == "none"
    assert not NotificationSettings.objects.filter(user=sam).exists()


def test_a_deactivated_persons_link_is_refused(client, maya):
    token = unsubscribe_token_make(user=maya)
    maya.is_active = False
    maya.save()
    assert client.get(f"/notifications/unsubscribe/{token}/").status_code == 404
