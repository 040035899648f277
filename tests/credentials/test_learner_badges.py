from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from credentials.models import Assertion
from credentials.services.badges import assertion_award, assertion_revoke
from credentials.tasks import assertions_remind_expiring
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assertion(badge_class, learner):
    return assertion_award(recipient=learner, badge_class=badge_class, notify=False)


def test_my_badges_needs_a_log_in(client):
    assert client.get("/my/badges/")["Location"].startswith("/accounts/login/")


def test_a_learner_sees_their_badges_with_status_and_links(client, assertion, learner):
    client.force_login(learner)
    html = client.get("/my/badges/").content.decode()
    assert "Data-Driven Instruction" in html
    assert "Valid" in html
    assert f"/public/assertions/{assertion.uuid}/image" in html
    assert "linkedin.com/profile/add?" in html and "CERTIFICATION_NAME" in html


def test_making_a_badge_public_shows_the_name_on_its_public_page(client, assertion, learner):
    page = f"/public/assertions/{assertion.uuid}"
    assert "Maya Torres" not in client.get(page, HTTP_ACCEPT="text/html").content.decode()
    client.force_login(learner)
    response = client.post(f"/my/badges/{assertion.uuid}/visibility", {"public": "1"})
    assert response.status_code == 302
    client.logout()
    assert "Maya Torres" in client.get(page, HTTP_ACCEPT="text/html").content.decode()


def test_nobody_changes_another_persons_badge(client, assertion):
    client.force_login(UserFactory())
    response = client.post(f"/my/badges/{assertion.uuid}/visibility", {"public": "1"})
    assert response.status_code == 404
    assert not Assertion.objects.get(pk=assertion.pk).is_public
    assert client.get(f"/my/badges/{assertion.uuid}/visibility").status_code in (404, 405)


def test_my_badges_costs_the_same_queries_for_one_or_many(client, badge_class, learner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(learner)
    assertion_award(recipient=learner, badge_class=badge_class, notify=False)
    client.get("/my/badges/")  # the layout's links kept, as they are after a site's first screen
    with CaptureQueriesContext(connection) as one:
        client.get("/my/badges/")
    first = Assertion.objects.get()
    assertion_revoke(assertion=first, reason="Test", revoked_by=None)
    for _ in range(5):
        a = assertion_award(recipient=learner, badge_class=badge_class, notify=False)
        assertion_revoke(assertion=a, reason="Test", revoked_by=None)
    with CaptureQueriesContext(connection) as many:
        client.get("/my/badges/")
    assert len(many.captured_queries) == len(one.captured_queries)


def test_learners_are_reminded_once_thirty_days_before_expiry(
    assertion, badge_class, django_capture_on_commit_callbacks
):
    far = assertion_award(recipient=UserFactory(), badge_class=badge_class, notify=False)
    Assertion.objects.filter(pk=assertion.pk).update(expires_on=timezone.now() + timedelta(days=20))
    Assertion.objects.filter(pk=far.pk).update(expires_on=timezone.now() + timedelta(days=90))

    with django_capture_on_commit_callbacks(execute=True):
        assert assertions_remind_expiring() == 1
    assert [m.to for m in mail.outbox] == [["maya@school.example"]]
    assert "expires on" in mail.outbox[0].subject
    assert "/micro-credentials/" in mail.outbox[0].body  # where to renew
    with django_capture_on_commit_callbacks(execute=True):
        assert assertions_remind_expiring() == 0  # never twice
    assert len(mail.outbox) == 1
    # The reminder is in the learner's notifications too, linking to their badges.
    [notice] = Notification.objects.filter(user=assertion.recipient)
    assert "expires on" in notice.message and notice.url == "/my/badges/"


def test_expiry_reminders_respect_the_email_opt_out(
    client, assertion, learner, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    client.post("/notifications/settings/", {"email_mode": "none"})  # no reminders by e-mail
    Assertion.objects.filter(pk=assertion.pk).update(expires_on=timezone.now() + timedelta(days=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert assertions_remind_expiring() == 1
    assert mail.outbox == []
    # Still told in the site, and only once.
    assert Notification.objects.filter(user=learner, message__contains="expires on").count() == 1
    page = client.get("/notifications/").content.decode()
    assert "expires on" in page


def test_award_emails_respect_the_email_opt_out(
    client, badge_class, learner, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    client.post("/notifications/settings/", {"email_mode": "none"})
    with django_capture_on_commit_callbacks(execute=True):
        assertion = assertion_award(recipient=learner, badge_class=badge_class)
    assert mail.outbox == []
    assertion.refresh_from_db()
    assert assertion.baked_image  # the badge itself is complete
    assert Notification.objects.filter(user=learner, message__contains="You earned").exists()
    # Someone who keeps the default is e-mailed.
    other = UserFactory(email="ana@school.example")
    with django_capture_on_commit_callbacks(execute=True):
        assertion_award(recipient=other, badge_class=badge_class)
    assert [m.to for m in mail.outbox] == [["ana@school.example"]]


def test_a_learner_downloads_all_their_badges_in_one_zip(client, assertion, learner):
    import io
    import json
    import zipfile

    client.force_login(learner)
    response = client.get("/my/badges/export.zip")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert any(name.endswith("/badge.png") for name in names)
    ob2 = next(name for name in names if name.endswith("openbadges-2.0.json"))
    assert json.loads(archive.read(ob2))["id"].endswith(str(assertion.uuid))
    assert any(name.endswith("openbadges-3.0.jwt") for name in names)
    # The JSON-LD credential, as wallets import it, verifies as it is in the zip.
    ob3_json = next(name for name in names if name.endswith("openbadges-3.0.json"))
    from credentials.verification.verify import badge_verify

    assert badge_verify(text=archive.read(ob3_json).decode()).verdict == "valid"
    client.force_login(UserFactory())
    other = zipfile.ZipFile(io.BytesIO(client.get("/my/badges/export.zip").content))
    assert other.namelist() == []  # nobody else's badges


def test_tasks_queued_by_the_previous_version_still_tell_the_learner(
    assertion, learner, django_capture_on_commit_callbacks
):
    # Messages already in the broker when workers are upgraded carry the old task names.
    from credentials.tasks import assertion_email_awarded, assertion_email_expiring

    Assertion.objects.filter(pk=assertion.pk).update(expires_on=timezone.now() + timedelta(days=20))
    with django_capture_on_commit_callbacks(execute=True):
        assertion_email_awarded.delay(assertion.pk)
        assertion_email_expiring.delay(assertion.pk)
    subjects = [m.subject for m in mail.outbox]
    assert any("You earned" in s for s in subjects) and any("expires on" in s for s in subjects)
    assert Notification.objects.filter(user=learner).count() == 2
