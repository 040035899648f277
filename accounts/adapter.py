from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.urls import reverse
from django.utils.module_loading import import_string

from .email import email_send_on_commit

DISPLAY_NAME_MAX_LENGTH = 150


class AccountAdapter(DefaultAccountAdapter):
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
