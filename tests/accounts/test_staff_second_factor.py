"""Staff need a second factor before their screens (accounts.second_factor): each staff
role, signed in with a password alone and no authenticator, is sent to the set-up page; with
an authenticator they get their screens; learners and (by default) facilitators are not
asked; the whole journey (log-in, set-up, log-in with a code) works through the real views."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth.models import Permission
from django.test import Client

from credentials.models import ReviewerPool
from credentials.services.review import pool_member_add
from tests.factories import DEFAULT_PASSWORD, DistrictFactory, MembershipFactory, UserFactory

SECOND_STEP = "/accounts/second-step/"


def code(secret: str, shift: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + shift))


def superuser(**_):
    return UserFactory(is_superuser=True, is_staff=True), "/django-admin/", "platform administrator"


def editor(**_):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user, "/admin/", "editor"


def reviewer(*, lead=False):
    user = UserFactory()
    pool = ReviewerPool.objects.create(name="All micro-credentials")
    pool_member_add(pool=pool, user=user, is_lead=lead)
    return user, "/review/lead/" if lead else "/review/", "lead reviewer" if lead else "reviewer"


def lead_reviewer(**_):
    return reviewer(lead=True)


def district_admin(**_):
    membership = MembershipFactory(role="district_admin")
    return membership.user, f"/district/{membership.district.slug}/", "district admin"


STAFF = [superuser, editor, reviewer, lead_reviewer, district_admin]


@pytest.mark.django_db
@pytest.mark.parametrize("make", STAFF, ids=lambda make: make.__name__)
def test_each_staff_role_needs_an_authenticator_before_its_screens(client, make):
    user, screen, role = make()
    client.force_login(user, second_factor=False)  # a password alone, no authenticator

    response = client.get(screen)
    assert response.status_code == 302
    assert response["Location"] == f"{SECOND_STEP}?next={screen.replace('/', '%2F')}"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f"As a {role} you see other people" in page.content.decode()
    # Their own learning stays open meanwhile.
    dashboard = client.get("/dashboard/")
    assert SECOND_STEP not in dashboard.get("Location", "")

    TOTP.activate(user, generate_totp_secret())
    assert client.get(screen).status_code == 200
    # The set-up page, asked again, goes on to the screen.
    assert client.get(f"{SECOND_STEP}?next={screen}")["Location"] == screen


@pytest.mark.django_db
@pytest.mark.parametrize("make", STAFF, ids=lambda make: make.__name__)
def test_a_session_that_passed_a_second_factor_goes_straight_in(client, make):
    user, screen, _ = make()
    client.force_login(user)  # password and authenticator code, as at a real log-in
    assert client.get(screen).status_code == 200


@pytest.mark.django_db
def test_learners_and_facilitators_are_not_asked(client, settings):
    learner = UserFactory()
    client.force_login(learner, second_factor=False)
    assert SECOND_STEP not in client.get("/dashboard/").get("Location", "")
    assert client.get(SECOND_STEP).status_code == 302  # nothing to set up: goes on
    # A learner on a staff path meets the screen's own refusal, not the set-up page.
    district = DistrictFactory()
    MembershipFactory(user=learner, district=district)
    assert client.get(f"/district/{district.slug}/").status_code == 404

    facilitator = MembershipFactory(district=district, role="facilitator").user
    client.force_login(facilitator, second_factor=False)
    assert client.get(f"/district/{district.slug}/").status_code == 200

    settings.LEAP_MFA_FOR_FACILITATORS = True
    client.force_login(facilitator, second_factor=False)
    response = client.get(f"/district/{district.slug}/")
    assert response.status_code == 302 and response["Location"].startswith(SECOND_STEP)
    assert "As a facilitator" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_a_reviewer_signs_in_sets_up_an_app_and_signs_in_with_its_code(
    django_capture_on_commit_callbacks,
):
    """The journey through allauth's and Leap's real views, with a plain browser client."""
    user, screen, _ = reviewer()
    browser = Client()
    response = browser.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302  # a password is enough to sign in…
    response = browser.get(screen)
    assert response["Location"].startswith(SECOND_STEP)  # …but not for the queue
    setup = browser.get(response["Location"])
    activate_url = re.search(r'href="(/accounts/2fa/totp/activate/[^"]*)"', setup.content.decode())
    assert activate_url, "the set-up page links to the authenticator set-up"

    # Just signed in: no second password prompt. The QR code is drawn inline, with no
    # data: URL, which the Content-Security-Policy would block.
    activate = browser.get(activate_url.group(1))
    assert activate.status_code == 200
    html = activate.content.decode()
    assert "<svg" in html and "data:image" not in html
    secret = browser.session["mfa.totp.secret"]
    with django_capture_on_commit_callbacks(execute=True):
        done = browser.post(activate_url.group(1), {"code": code(secret)})
    assert done.status_code == 302
    codes = browser.get(done["Location"])
    assert "I have kept them: go on" in codes.content.decode()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES)
    # "Go on" leads back to the screen the reviewer was going to.
    assert browser.get(SECOND_STEP)["Location"] == screen
    assert browser.get(screen).status_code == 200

    # Next time: the password, then the code.
    second = Client()
    response = second.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert second.get(screen).status_code == 302  # not signed in until the code is given
    wrong = second.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and second.get(screen).status_code == 302
    right = second.post("/accounts/2fa/authenticate/", {"code": code(secret, shift=1)})
    assert right.status_code == 302
    assert second.get(screen).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("at_log_in", [True, False], ids=["code-at-log-in", "set-up-since"])
def test_removing_the_authenticator_closes_the_staff_screens_again(client, at_log_in):
    user, screen, _ = editor()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    # Signed in with the code, or with a password before setting the app up since.
    client.force_login(user, second_factor=at_log_in)
    assert client.get(screen).status_code == 200

    response = client.post("/accounts/2fa/totp/deactivate/", {"code": code(secret)})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(screen)["Location"].startswith(SECOND_STEP)


@pytest.mark.django_db
def test_the_set_up_page_sends_nobody_off_site(client):
    user, screen, _ = editor()
    client.force_login(user, second_factor=False)
    TOTP.activate(user, generate_totp_secret())
    response = client.get(f"{SECOND_STEP}?next=https://evil.example/")
    assert response.status_code == 302 and "evil.example" not in response["Location"]
