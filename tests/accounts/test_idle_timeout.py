"""Staff are signed out after 30 minutes without a request; learners are not."""

import pytest

from accounts import idle
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory, onboarded

pytestmark = pytest.mark.django_db

MINUTE = 60


@pytest.fixture
def clock(monkeypatch):
    """The time the idle check sees; a test moves it on."""
    now = [idle._now()]
    monkeypatch.setattr(idle, "_now", lambda: now[0])
    return now


def log_in(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return response


def test_a_district_admin_is_signed_out_after_thirty_idle_minutes(client, clock):
    admin = MembershipFactory(role="district_admin").user
    log_in(client, admin)
    clock[0] += 29 * MINUTE
    assert client.get("/notifications/").status_code == 200
    clock[0] += 29 * MINUTE  # activity keeps the session alive: 29 minutes since the last page
    assert client.get("/notifications/").status_code == 200
    clock[0] += 31 * MINUTE
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/notifications/"
    assert "_auth_user_id" not in client.session
    login_page = client.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes without activity" in login_page
    # Signing in again goes back to work.
    assert log_in(client, admin)


def test_an_editor_and_a_superuser_count_as_staff(client, clock):
    for person in (UserFactory(is_superuser=True, is_staff=True), UserFactory(is_staff=True)):
        client.logout()
        log_in(client, person)
        clock[0] += 31 * MINUTE
        assert client.get("/notifications/").status_code == 302


def test_learners_keep_their_longer_session(client, clock):
    learner = onboarded(UserFactory())
    MembershipFactory(user=learner, role="learner")
    log_in(client, learner)
    clock[0] += 3 * 60 * MINUTE
    assert client.get("/notifications/").status_code == 200
    assert int(client.session["_auth_user_id"]) == learner.pk


def test_the_idle_limit_is_a_setting(client, clock, settings):
    settings.LEAP_STAFF_IDLE_MINUTES = 5
    log_in(client, MembershipFactory(role="district_admin").user)
    clock[0] += 6 * MINUTE
    assert client.get("/notifications/").status_code == 302
