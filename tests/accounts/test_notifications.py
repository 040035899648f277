"""In-site notifications, the e-mail setting, and the navigation that shows both."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.context_processors import notifications
from accounts.models import Notification, NotificationSettings
from accounts.services import notify
from credentials.context_processors import navigation
from credentials.models import ReviewerPool
from credentials.services.review import pool_member_add
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def maya(db):
    return UserFactory(email="maya@school.example", display_name="Maya Torres")


@pytest.fixture
def maya_client(client, maya):
    client.force_login(maya)
    return client


def note(user, message, url="", read=False):
    return Notification.objects.create(
        user=user, message=message, url=url, read_at=timezone.now() if read else None
    )


def test_the_list_shows_only_my_own_newest_first_and_says_which_are_unread(maya_client, maya):
    note(maya, "Older, already read", read=True)
    note(maya, "Your evidence is in", url="/my/submissions/1/")
    note(UserFactory(), "Someone else's decision")
    page = maya_client.get("/notifications/").content.decode()
    assert "Someone else" not in page
    assert page.index("Your evidence is in") < page.index("Older, already read")
    assert page.count("Unread:") == 1  # in words, not only colour
    assert "Mark all as read" in page
    assert "Notifications (1 unread)" in page


def test_the_list_is_paginated_by_thirty(maya_client, maya):
    for n in range(31):
        note(maya, f"Notice number {n:02d}")
    first = maya_client.get("/notifications/").content.decode()
    assert first.count("Notice number") == 30 and "Page 1 of 2" in first
    second = maya_client.get("/notifications/?page=2").content.decode()
    assert second.count("Notice number") == 1 and "Notice number 00" in second


def test_opening_marks_read_and_follows_the_link(maya_client, maya):
    notification = note(maya, "Decision", url="/my/submissions/3/")
    page = maya_client.get("/notifications/").content.decode()
    # The list opens each notice with a POST form (no script needed), never a plain link.
    assert f'<form method="post" action="/notifications/{notification.pk}/open"' in page
    assert f'href="/notifications/{notification.pk}/open"' not in page
    response = maya_client.post(f"/notifications/{notification.pk}/open")
    assert response.status_code == 302 and response["Location"] == "/my/submissions/3/"
    assert not Notification.objects.filter(user=maya, read_at__isnull=True).exists()


def test_a_get_follows_the_link_and_changes_nothing(maya_client, maya):
    notification = note(maya, "Queue", url="/review/12/")
    response = maya_client.get(f"/notifications/{notification.pk}/open")
    assert response.status_code == 302 and response["Location"] == "/review/12/"
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x", ""]
)
def test_only_same_site_paths_are_followed(maya_client, maya, url):
    notification = note(maya, "Odd link", url=url)
    response = maya_client.post(f"/notifications/{notification.pk}/open")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_persons_notification_is_not_found(maya_client):
    theirs = note(UserFactory(), "Not yours", url="/review/1/")
    assert maya_client.get(f"/notifications/{theirs.pk}/open").status_code == 404
    assert maya_client.post(f"/notifications/{theirs.pk}/open").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_as_read_touches_only_my_own(maya_client, maya):
    mine = [note(maya, "One"), note(maya, "Two")]
    theirs = note(UserFactory(), "Theirs")
    assert maya_client.get("/notifications/read-all").status_code == 405
    response = maya_client.post("/notifications/read-all", follow=True)
    assert "2 notifications marked as read." in response.content.decode()
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_signing_in_is_needed(client):
    for url in ("/notifications/", "/notifications/settings/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_setting_is_created_on_first_save_and_changes(maya_client, maya):
    page = maya_client.get("/notifications/settings/").content.decode()
    assert "always e-mailed" in page
    # A radio group in a fieldset, "as they happen" chosen until the person saves.
    assert "<fieldset" in page and "<legend" in page
    assert 'type="radio" name="email_mode" value="immediate"' in page
    assert 'value="immediate" required id="id_email_mode_0" checked' in page
    assert not NotificationSettings.objects.filter(user=maya).exists()  # looking saves nothing

    response = maya_client.post("/notifications/settings/", {"email_mode": "digest"}, follow=True)
    assert "one e-mail a day" in response.content.decode()
    assert NotificationSettings.objects.get(user=maya).email_mode == "digest"
    maya_client.post("/notifications/settings/", {"email_mode": "none"})
    saved = NotificationSettings.objects.get(user=maya)
    assert saved.email_mode == "none" and saved.email_non_essential is False
    maya_client.post("/notifications/settings/", {"email_mode": "immediate"})
    assert NotificationSettings.objects.get(user=maya).email_non_essential is True
    assert NotificationSettings.objects.filter(user=maya).count() == 1


@pytest.mark.parametrize("data", [{}, {"email_mode": "weekly"}])
def test_a_missing_or_unknown_choice_is_refused_and_nothing_changes(maya_client, maya, data):
    NotificationSettings.objects.create(user=maya, email_mode="digest")
    response = maya_client.post("/notifications/settings/", data)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert NotificationSettings.objects.get(user=maya).email_mode == "digest"


def test_turning_off_non_essential_email_keeps_the_essential_ones(
    maya, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(user=maya, email_non_essential=False)
    email = {
        "email_template": "credentials/email/review_reassigned",
        "context": {"submission": SimpleNamespace(number="S-00042")},
    }
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=maya, message="Reassigned", url="/review/", essential=False, **email)
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=maya, message="Reassigned", url="/review/", essential=True, **email)
    [message] = mailoutbox
    assert message.to == ["maya@school.example"] and "S-00042" in message.subject
    # Both are in the list, whatever was e-mailed.
    assert Notification.objects.filter(user=maya).count() == 2


def test_non_essential_email_goes_out_by_default(
    maya, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user=maya,
            message="Reassigned",
            url="/review/",
            email_template="credentials/email/review_reassigned",
            context={"submission": SimpleNamespace(number="S-00042")},
            essential=False,
        )
    assert len(mailoutbox) == 1


# Navigation.


def test_navigation_costs_at_most_two_queries_and_none_for_visitors(maya):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with CaptureQueriesContext(connection) as queries:
        context = {**notifications(request), **navigation(request)}
        assert not context["nav_unread"] and not context["nav_is_reviewer"]
    assert len(queries) == 0

    note(maya, "One")
    note(maya, "Two")
    note(maya, "Read", read=True)
    request.user = maya
    with CaptureQueriesContext(connection) as queries:
        context = {**notifications(request), **navigation(request)}
        assert context["nav_unread"] == 2 and f"{context['nav_unread']}" == "2"
        assert not context["nav_is_reviewer"]
        assert context["nav_unread"] == 2  # evaluated once
    assert len(queries) == 2


def test_the_menu_shows_notifications_and_review_to_reviewers(client, maya):
    assert (
        "Notifications" not in client.get("/notifications/settings/", follow=True).content.decode()
    )
    client.force_login(maya)
    page = client.get("/notifications/").content.decode()
    assert ">Notifications</span>" in page and 'href="/review/"' not in page

    note(maya, "New work", url="/review/1/")
    note(maya, "More work", url="/review/2/")
    pool = ReviewerPool.objects.create(name="All micro-credentials")
    member = pool_member_add(pool=pool, user=maya)
    page = client.get("/notifications/settings/").content.decode()
    assert "Notifications (2 unread)" in page and 'href="/review/"' in page

    member.is_active = False
    member.save()
    assert 'href="/review/"' not in client.get("/notifications/settings/").content.decode()
