"""Sign-up, mandatory verification, log-in, password reset and MFA through allauth."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.core import mail
from django.utils import timezone

from accounts.models import OutboxMessage, User
from tests.factories import DEFAULT_PASSWORD, UserFactory

LINK = re.compile(r"http://testserver(/accounts/[^\s]+)")


def only_link(message) -> str:
    return LINK.search(message.body).group(1)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the e-mail tasks) as the request's transaction ends."""

    def run(callable_, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return callable_(*args, **kwargs)

    return run


@pytest.mark.django_db
def test_sign_up_needs_the_address_verified_before_logging_in(client, on_commit):
    response = on_commit(
        client.post,
        "/accounts/signup/",
        {
            "display_name": "  Ana   Díaz ",
            "email": "Ana@School.Example",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="ana@school.example")
    assert user.display_name == "Ana Díaz"
    assert not EmailAddress.objects.get(user=user).verified

    # Logging in before verifying sends them back to verify, it does not sign them in.
    login = on_commit(
        client.post,
        "/accounts/login/",
        {"login": "ana@school.example", "password": "a-long-pass-phrase"},
    )
    assert login["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session

    assert [m.to for m in mail.outbox] == [["ana@school.example"], ["ana@school.example"]]
    confirm_path = only_link(mail.outbox[0])
    assert client.get(confirm_path).status_code == 200
    assert client.post(confirm_path).status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    login = client.post(
        "/accounts/login/", {"login": "ana@school.example", "password": "a-long-pass-phrase"}
    )
    assert login.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


@pytest.mark.django_db
def test_sign_up_without_a_name_is_refused_with_a_message(client):
    response = client.post(
        "/accounts/signup/",
        {
            "display_name": "   ",
            "email": "ana@school.example",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_weak_passwords_are_refused(client):
    response = client.post(
        "/accounts/signup/",
        {
            "display_name": "Ana",
            "email": "ana@school.example",
            "password1": "12345678",
            "password2": "12345678",
        },
    )
    assert response.status_code == 200
    assert not User.objects.exists()


@pytest.mark.django_db
def test_password_reset_by_email(client, on_commit):
    user = UserFactory(email="sam@school.example")
    on_commit(client.post, "/accounts/password/reset/", {"email": "sam@school.example"})
    assert len(mail.outbox) == 1
    reset_path = only_link(mail.outbox[0])
    form_page = client.get(reset_path, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else reset_path
    response = client.post(
        action, {"password1": "a-brand-new-phrase", "password2": "a-brand-new-phrase"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-phrase")


@pytest.mark.django_db
def test_logging_out_needs_a_post(client):
    client.force_login(UserFactory())
    client.get("/accounts/logout/")  # a link or prefetch must not sign anyone out
    assert "_auth_user_id" in client.session
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in(client, email: str, password: str = DEFAULT_PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


@pytest.mark.django_db
def test_every_user_can_turn_on_two_factor_authentication(client):
    user = UserFactory(email="coach@school.example")
    log_in(client, "coach@school.example")
    assert client.get("/accounts/2fa/").status_code == 200
    # Just signed in, the set-up opens at once; once the log-in is older than the
    # re-authentication window, it asks for the password again first, as any sensitive
    # change should.
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    client.authentication_age(user, 11 * 60)
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    client.post(asked["Location"], {"password": DEFAULT_PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session["mfa.totp.secret"]

    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=user).exists()

    right = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert right.status_code == 302
    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}


@pytest.mark.django_db
def test_a_user_with_totp_must_give_a_code_after_the_password(client):
    user = UserFactory(email="cto@district.example")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = log_in(client, "cto@district.example")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


@pytest.mark.django_db
def test_the_cms_and_django_admin_log_in_through_allauth(client):
    # Both admins hand log-in to allauth, so a second factor cannot be side-stepped there.
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/admin/"
    assert client.get("/django-admin/login/")["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/django-admin/login/"])
def test_admin_log_in_pages_do_not_accept_a_password_alone(client, path):
    editor = UserFactory(email="editor@district.example", is_superuser=True, is_staff=True)
    TOTP.activate(editor, generate_totp_secret())
    for fields in (
        {"username": "editor@district.example", "password": DEFAULT_PASSWORD},
        {"login": "editor@district.example", "password": DEFAULT_PASSWORD},
    ):
        client.post(path, fields)
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_unverified_people_cannot_reach_the_cms_through_its_log_in_page(client):
    UserFactory(email="new@district.example", is_superuser=True, verified=False)
    client.post("/admin/login/", {"username": "new@district.example", "password": DEFAULT_PASSWORD})
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signed_in_learners_get_a_403_from_the_cms_not_a_redirect_loop(client):
    client.force_login(UserFactory(display_name="Maya Torres"))
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 2
    assert "You do not have access to this page" in response.content.decode()
    assert client.get("/django-admin/", follow=True).status_code == 403


@pytest.mark.django_db
def test_the_cms_log_in_sends_editors_on_but_never_off_site(client):
    client.force_login(UserFactory(is_superuser=True))
    assert client.get("/admin/login/?next=/admin/pages/")["Location"] == "/admin/pages/"
    assert client.get("/admin/login/?next=https://evil.example/")["Location"] == "/admin/"


@pytest.mark.django_db
def test_an_email_failure_after_sign_up_does_not_lose_the_account(
    client, settings, caplog, on_commit
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    with caplog.at_level("WARNING"):
        response = on_commit(
            client.post,
            "/accounts/signup/",
            {
                "display_name": "Ana Díaz",
                "email": "ana@school.example",
                "password1": "a-long-pass-phrase",
                "password2": "a-long-pass-phrase",
            },
        )
    assert response.status_code == 302
    assert User.objects.filter(email="ana@school.example").exists()
    assert "failed" in caplog.text and "ana@school.example" in caplog.text
    assert "/accounts/confirm-email/" not in caplog.text  # the link that verifies is not logged
    # The e-mail is kept in the outbox and tried again later, not dropped.
    queued = OutboxMessage.objects.get(task_name="accounts.tasks.email_deliver")
    assert queued.state == OutboxMessage.State.PENDING
    assert queued.next_attempt_at > timezone.now()
    assert "ConnectionRefusedError" in queued.last_error
