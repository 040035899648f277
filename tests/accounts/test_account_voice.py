"""allauth's e-mails and pages speak in Leap's words; confirming an address signs the person
in; a person waiting for a confirmation link can ask for it again."""

import re
from pathlib import Path

import pytest
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, UserFactory, onboarded

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
ALLAUTH_WORDS = ("Hello from", "Thank you for using", "example.com", "127.0.0.1", "testserver!")
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
LINK = re.compile(r"http://testserver(/accounts/[^\s]+)")


def every_allauth_email() -> list[str]:
    """Every e-mail allauth and its MFA app can send, by template prefix."""
    allauth = Path(__import__("allauth").__file__).parent / "templates"
    found = []
    for folder in ("account/email", "mfa/email"):
        for subject in sorted((allauth / folder).glob("*_subject.txt")):
            found.append(f"{folder}/{subject.name.removesuffix('_subject.txt')}")
    return found


@pytest.mark.parametrize("prefix", every_allauth_email())
def test_every_allauth_email_is_overridden_in_leaps_words(prefix, rf):
    assert (TEMPLATES / f"{prefix}_subject.txt").exists(), prefix
    assert (TEMPLATES / f"{prefix}_message.txt").exists(), prefix
    user = UserFactory(display_name="Ana Díaz", email="ana@school.example")
    request = RequestFactory().get("/")
    request.user = user
    context = {
        "user": user,
        "email": "ana@school.example",
        "current_site": type("Site", (), {"name": "127.0.0.1:8801", "domain": "127.0.0.1:8801"}),
        "site_url": settings.SITE_URL,
        "activate_url": "http://testserver/accounts/confirm-email/KEY/",
        "password_reset_url": "http://testserver/accounts/password/reset/key/KEY/",
        "signup_url": "http://testserver/accounts/signup/",
        "from_email": "old@school.example",
        "to_email": "ana@school.example",
        "deleted_email": "old@school.example",
        "code": "ABC123",
        "ip": "203.0.113.9",
        "user_agent": "Firefox",
        "timestamp": None,
    }
    message = get_adapter(request).render_mail(prefix, "ana@school.example", context)
    text = message.subject + "\n" + message.body
    assert message.subject.startswith("[Leap] ")
    assert "Leap" in message.body
    assert "Hello Ana Díaz," in message.body
    for words in ALLAUTH_WORDS:
        assert words not in text, (prefix, words)


def sign_up(client, django_capture_on_commit_callbacks, email="noor@school.example", **extra):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("account_signup"),
            {
                "display_name": "Noor Haddad",
                "email": email,
                "password1": "a-long-pass-phrase",
                "password2": "a-long-pass-phrase",
                **extra,
            },
        )


def test_the_sign_up_email_names_leap_and_links_to_confirm(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.subject == "[Leap] Confirm your e-mail address to start on Leap"
    assert message.body.startswith("Hello Noor Haddad,\n\nWelcome to Leap.")
    assert LINK.search(message.body).group(1).startswith("/accounts/confirm-email/")
    assert settings.SITE_URL in message.body
    assert "Hello from" not in message.body


def test_confirming_the_address_signs_in_and_lands_where_the_work_is(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    confirm = LINK.search(mail.outbox[0].body).group(1)
    page = client.get(confirm).content.decode()
    assert "Is <strong>noor@school.example</strong> your address?" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm)
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/")["Location"] == reverse("learning:onboarding")
    assert EmailAddress.objects.get(email="noor@school.example").verified


def test_confirming_in_another_browser_confirms_but_does_not_sign_in(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    confirm = LINK.search(mail.outbox[0].body).group(1)
    client.cookies.clear()
    response = client.post(confirm, follow=True)
    assert EmailAddress.objects.get(email="noor@school.example").verified
    assert "Thank you: noor@school.example is confirmed." in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_an_unverified_person_can_ask_for_the_link_again(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    sent = client.get(reverse("account_email_verification_sent")).content.decode()
    assert "Resend the verification e-mail" in sent
    login = client.get(reverse("account_login")).content.decode()
    assert reverse("account_verification_resend") in login

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_verification_resend"), {"email": "Noor@School.example"}, follow=True
        )
    [message] = mail.outbox
    assert message.to == ["noor@school.example"]
    assert message.subject == "[Leap] Confirm your e-mail address to start on Leap"
    assert "a new link is on its way" in response.content.decode()


@pytest.mark.parametrize("address", ["nobody@school.example", "verified@school.example"])
def test_resending_answers_the_same_and_sends_nothing_for_other_addresses(
    client, django_capture_on_commit_callbacks, address
):
    UserFactory(email="verified@school.example")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_verification_resend"), {"email": address})
    assert response["Location"] == reverse("account_email_verification_sent")
    assert mail.outbox == []


@pytest.fixture
def fresh_limits():
    # The resend limits are counted in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def resend(client, address, **extra):
    return client.post(reverse("account_verification_resend"), {"email": address}, **extra)


def test_the_resent_link_confirms_the_address(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resend(Client(), "noor@school.example")  # from another browser: no session
    [message] = mail.outbox
    confirm = LINK.search(message.body).group(1)
    assert confirm.startswith("/accounts/confirm-email/")
    Client().post(confirm)
    assert EmailAddress.objects.get(email="noor@school.example").verified


def test_the_answer_is_the_same_work_for_every_address(
    client, django_capture_on_commit_callbacks, fresh_limits
):
    """Unknown, waiting and confirmed addresses: the same answer from the same queries, and
    one queued task carrying the address, which does the looking up and sending later."""
    sign_up(client, django_capture_on_commit_callbacks, email="waiting@school.example")
    UserFactory(email="confirmed@school.example")
    answers = []
    for address in ("nobody@school.example", "waiting@school.example", "confirmed@school.example"):
        browser = Client()
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=False) as queued,
        ):
            response = resend(browser, address)
        shown = browser.get(response["Location"]).content.decode()
        answers.append(
            (
                response.status_code,
                response["Location"],
                len(queries),
                len(queued),
                CSRF_TOKEN.sub("", shown.replace(address, "ADDRESS")),
            )
        )
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][:2] == (302, reverse("account_email_verification_sent"))
    assert answers[0][3] == 1
    assert "If ADDRESS belongs to a Leap account" in answers[0][4]


def test_asking_too_often_for_one_address_is_refused_the_same_way_for_any_address(
    client, django_capture_on_commit_callbacks, fresh_limits
):
    sign_up(client, django_capture_on_commit_callbacks)
    for address in ("noor@school.example", "nobody@school.example"):
        for n in range(3):
            # From different computers: the address's own limit.
            assert resend(Client(), address, REMOTE_ADDR=f"10.0.0.{n}").status_code == 302
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True) as queued:
            response = resend(Client(), address.upper(), REMOTE_ADDR="10.0.0.9")
        assert response.status_code == 429
        assert "Please wait a few minutes" in response.content.decode()
        assert (queued, mail.outbox) == ([], [])


def test_one_computer_asking_for_many_addresses_is_refused(
    client, django_capture_on_commit_callbacks, fresh_limits
):
    for n in range(20):
        assert resend(client, f"teacher{n}@school.example").status_code == 302
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = resend(client, "one.more@school.example")
    assert response.status_code == 429
    assert "Please wait a few minutes" in response.content.decode()
    assert queued == []
    # Another computer is not held up.
    assert resend(client, "one.more@school.example", REMOTE_ADDR="10.1.1.1").status_code == 302


def test_resending_with_a_malformed_address_says_what_is_wrong(client):
    response = client.post(reverse("account_verification_resend"), {"email": "not-an-address"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()


def test_password_reset_email_and_change_notice_are_in_leaps_words(
    client, django_capture_on_commit_callbacks
):
    user = onboarded(UserFactory(email="ana@school.example", display_name="Ana Díaz"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})
    [reset] = mail.outbox
    assert reset.subject == "[Leap] Choose a new password"
    assert "Hello Ana Díaz," in reset.body
    assert "/accounts/password/reset/key/" in reset.body

    mail.outbox.clear()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_change_password"),
            {
                "oldpassword": DEFAULT_PASSWORD,
                "password1": "another-long-phrase",
                "password2": "another-long-phrase",
            },
        )
    [notice] = mail.outbox
    assert notice.subject == "[Leap] Your password was changed"
    assert "The password of your Leap account was changed." in notice.body
    assert "Hello from" not in notice.body


def test_unknown_address_and_taken_address_emails(client, django_capture_on_commit_callbacks):
    UserFactory(email="taken@school.example")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "unknown@school.example"})
    [unknown] = mail.outbox
    assert unknown.subject == "[Leap] About your request to Leap"
    assert "no Leap account uses it" in unknown.body

    sign_up(client, django_capture_on_commit_callbacks, email="taken@school.example")
    [taken] = mail.outbox
    assert taken.subject == "[Leap] You already have a Leap account"
    assert "/accounts/password/reset/" in taken.body


@pytest.mark.parametrize(
    "url, words",
    [
        ("account_login", "Sign in to Leap"),
        ("account_signup", "Create your Leap account"),
        ("account_reset_password", "Forgotten your password?"),
        ("account_email_verification_sent", "Verify your address: check your e-mail"),
        ("account_verification_resend", "Resend the verification e-mail"),
        ("account_reset_password_done", "Check your e-mail"),
    ],
)
def test_the_account_pages_speak_leaps_words(client, url, words):
    html = client.get(reverse(url)).content.decode()
    assert f"<h1>{words}</h1>" in html
    for allauth_words in ("Sign In</h1>", "Sign Up</h1>", "Reset My Password", "Then please"):
        assert allauth_words not in html


def test_the_log_out_page_is_leaps(client):
    client.force_login(UserFactory())
    html = client.get(reverse("account_logout")).content.decode()
    assert "<h1>Log out of Leap?</h1>" in html


def test_the_sign_in_page_has_one_password_reset_link_and_plain_words(client):
    page = client.get("/accounts/login/").content.decode()
    assert page.count('href="/accounts/password/reset/"') == 1
    assert "Forgot your password?" not in page and "Remember Me" not in page
    assert "Keep me signed in on this device" in page
