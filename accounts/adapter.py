from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.urls import reverse
from django.utils.module_loading import import_string

from .client_ip import client_ip
from .email import email_send_on_commit
from .reauthentication import authenticated_recently
from .throttle import throttle_allows, throttle_clear, throttle_exceeded

DISPLAY_NAME_MAX_LENGTH = 150


# Wrong passwords for one account from all addresses together: past this, only an account
# with a second factor still has its password checked (the second factor stands between a
# guessed password and the account); one address alone cannot get there, because
# allauth's "login_failed" limit stops it first (ACCOUNT_RATE_LIMITS).
LOGIN_FAILURES_PER_ACCOUNT = {"limit": 100, "seconds": 60 * 60}
LOGIN_FAILURES_SCOPE = "login-failed-account"


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": "Too many wrong passwords have been tried for this account. "
        "Please wait a few minutes and try again, or reset your password.",
    }

    def get_client_ip(self, request) -> str:
        # Through the trusted proxies only (LEAP_TRUSTED_PROXIES): every allauth rate limit.
        return client_ip(request)

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth counts wrong passwords per account; per account *and address*, someone
        # guessing elsewhere cannot lock the owner out of their own account.
        return (
            f"{super()._get_login_attempts_cache_key(request, **credentials)}:{client_ip(request)}"
        )

    def pre_authenticate(self, request, **credentials) -> None:
        super().pre_authenticate(request, **credentials)
        login = _login_of(credentials)
        if throttle_exceeded(
            scope=LOGIN_FAILURES_SCOPE, key=login, limit=LOGIN_FAILURES_PER_ACCOUNT["limit"]
        ) and not _has_second_factor(login):
            # Refused before the password is checked, so the answer says nothing about it.
            raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request, **credentials) -> None:
        throttle_allows(
            scope=LOGIN_FAILURES_SCOPE, key=_login_of(credentials), **LOGIN_FAILURES_PER_ACCOUNT
        )

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        # A password reset proves the owner: their count starts again everywhere.
        super()._delete_login_attempts_cached_email(request, **credentials)
        throttle_clear(scope=LOGIN_FAILURES_SCOPE, key=_login_of(credentials))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Same context as allauth's own, but the worker delivers the message after commit.
        request = allauth_context.request  # None in a Celery task
        full_context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request) if request is not None else None,
            # Leap's e-mails name the site by its address, not the Sites framework's name.
            "site_url": settings.SITE_URL,
            **context,
        }
        email_send_on_commit(self.render_mail(template_prefix, email, full_context))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        # Outside a request (a confirmation resent by a task) the link is built on SITE_URL;
        # allauth would ask the Sites framework, which Leap does not use.
        if request is None and allauth_context.request is None:
            path = reverse("account_confirm_email", args=[emailconfirmation.key])
            return settings.SITE_URL + path
        return super().get_email_confirmation_url(request, emailconfirmation)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # A fresh log-in counts as confirming who one is (allauth counts only its
        # confirmation page), so staff setting up two-factor just after signing in are not
        # asked for their password twice.
        request = allauth_context.request
        if request is not None and authenticated_recently(request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def get_login_redirect_url(self, request) -> str:
        """Where a person lands after logging in (when no `next` says otherwise): where
        their work is. Each app that has such a place names it with a function in
        LEAP_LANDING_RULES (the user → a URL or None), asked in order; accounts knows the
        apps above it only by these names. Everyone else lands on the dashboard, which
        sends learners who have not onboarded to /welcome/."""
        user = request.user
        for rule in settings.LEAP_LANDING_RULES:
            url = import_string(rule)(user=user)
            if url:
                return url
        return super().get_login_redirect_url(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Google and Microsoft sign-in for a user model with a display name, not first and last
    names."""

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.display_name = display_name_from_provider(
            sociallogin.account.extra_data, data, user.email
        )
        return user

    def get_signup_form_initial_data(self, sociallogin) -> dict:
        # The sign-up form (shown when the provider gave no usable e-mail) asks for the name.
        initial = super().get_signup_form_initial_data(sociallogin)
        initial["display_name"] = sociallogin.user.display_name
        return initial


def _login_of(credentials: dict) -> str:
    return (credentials.get("email") or credentials.get("username") or "").lower()


def _has_second_factor(login: str) -> bool:
    return Authenticator.objects.filter(user__email__iexact=login).exists()


def display_name_from_provider(profile: dict, common_fields: dict, email: str) -> str:
    """The person's name as the provider gives it (Google's `name`, Microsoft Graph's
    `displayName`), else given and family names, else the local part of the e-mail."""
    full_name = profile.get("name") or profile.get("displayName")
    if not full_name:
        parts = (common_fields.get("first_name"), common_fields.get("last_name"))
        full_name = " ".join(part for part in parts if part)
    if not full_name:
        full_name = (email or "").partition("@")[0]
    return " ".join(full_name.split())[:DISPLAY_NAME_MAX_LENGTH]
