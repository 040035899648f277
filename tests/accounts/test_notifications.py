"""In-site notifications, the e-mail setting, and the navigation that shows both."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.context_processors import navigation
from accounts.models import Notification, NotificationSettings, User
from accounts.services import notify
from credentials.models import ReviewerPool
from credentials.services.review import pool_member_add
from learning.models import CohortMember, Membership
from tests.factories import DistrictFactory, MembershipFactory, UserFactory
from tests.learning.cohorts.factories import cohort_make, member_make

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


def facts_are(user, **expected) -> int:
    """The menu's facts about `user` are `expected` as a template reads them (those not
    named are empty; for visitors, None), every time one is used; returns the queries it
    took."""
    request = RequestFactory().get("/")
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        context = navigation(request)
        assert set(context) == set(NAV_FACTS)
        for _ in range(2):
            for name, empty in NAV_FACTS.items():
                want = expected.get(name, empty if user.is_authenticated else None)
                assert context[name] == want and bool(context[name]) == bool(want), name
    return len(queries)


# Each fact, and what it is when there is nothing to show.
NAV_FACTS = {
    "nav_unread": 0,
    "nav_editor": False,
    "nav_district_slug": None,
    "nav_book_clubs": False,
    "nav_is_reviewer": False,
    "nav_is_lead": False,
}


def test_the_menus_facts_cost_one_query_and_none_for_visitors(maya):
    from django.contrib.auth.models import AnonymousUser

    assert facts_are(AnonymousUser()) == 0
    assert facts_are(maya) == 1

    note(maya, "One")
    note(maya, "Two")
    note(maya, "Read", read=True)
    note(UserFactory(), "Someone else's")
    assert facts_are(maya, nav_unread=2) == 1


def test_the_menus_reviewing_facts_follow_the_pools(maya):
    pool = ReviewerPool.objects.create(name="All micro-credentials")
    member = pool_member_add(pool=pool, user=maya)
    facts_are(maya, nav_is_reviewer=True)
    member.is_lead = True
    member.save()
    facts_are(maya, nav_is_reviewer=True, nav_is_lead=True)
    member.is_active = False
    member.save()
    facts_are(maya)


def test_the_menus_district_is_the_first_by_name_that_the_person_runs(maya):
    zeta = DistrictFactory(name="Zeta Unified", slug="zeta")
    alpha = DistrictFactory(name="Alpha County", slug="alpha")
    closed = DistrictFactory(name="Aardvark (closed)", slug="closed", is_active=False)
    MembershipFactory(user=maya, district=alpha, role="learner")
    MembershipFactory(user=maya, district=closed, role="district_admin")
    facts_are(maya)
    MembershipFactory(user=maya, district=zeta, role="facilitator")
    facts_are(maya, nav_district_slug="zeta")
    alpha_place = Membership.objects.get(user=maya, district=alpha)
    alpha_place.role = "district_admin"
    alpha_place.save()
    facts_are(maya, nav_district_slug="alpha")
    alpha_place.is_active = False
    alpha_place.save()
    facts_are(maya, nav_district_slug="zeta")


def test_the_menus_book_clubs_are_for_anyone_with_a_place_they_have_not_left(maya):
    cohort = cohort_make()
    place = member_make(cohort, maya, state=CohortMember.State.LEFT)
    facts_are(maya)
    for state in set(CohortMember.State) - {CohortMember.State.LEFT}:
        place.state = state
        place.save()
        facts_are(maya, nav_book_clubs=True)


def test_the_menus_editor_link_agrees_with_the_permission(maya):
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    editors = Group.objects.create(name="Menu test editors")
    editors.permissions.add(access_admin)
    direct, grouped, superuser = UserFactory(), UserFactory(), UserFactory(is_superuser=True)
    direct.user_permissions.add(access_admin)
    grouped.groups.add(editors)
    UserFactory().groups.add(Group.objects.create(name="Menu test others"))
    for person in (maya, direct, grouped, superuser):
        person = User.objects.get(pk=person.pk)  # no permissions cached
        facts_are(person, nav_editor=person.has_perm("wagtailadmin.access_admin"))
    assert [
        User.objects.get(pk=p.pk).has_perm("wagtailadmin.access_admin")
        for p in (maya, direct, grouped, superuser)
    ] == [False, True, True, True]


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
