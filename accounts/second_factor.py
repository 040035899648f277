"""Staff need a second factor before they reach staff screens.

People who see others' data or act on Leap's records (platform administrators, editors,
reviewers and leads, district admins; facilitators too when LEAP_MFA_FOR_FACILITATORS is on)
must have an authenticator app set up. Until they do, every staff screen
(LEAP_STAFF_SCREENS, by path) sends them to /accounts/second-step/, which says why and
leads them through allauth's set-up; their own learning stays open to them meanwhile.
Once an authenticator exists, allauth asks for its code at every log-in.

Which roles count is asked of the apps, like the landing rules: each function in
LEAP_STAFF_ROLE_RULES takes the user and names the role that needs a second factor, or
returns None. accounts knows the apps above it only by these names.

The cost is nil for a session that passed a second factor at log-in (allauth records it in
the session). A session that set one up since pays one query, once: the pass is remembered
in the session (and forgotten if the authenticator is removed). Staff without one pay a few
queries on the way to the set-up page."""

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_removed
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET

PASSED = "leap_second_factor"


def platform_role_get(*, user) -> str | None:
    """Superusers and Django staff: the platform's own administrators."""
    return "platform administrator" if user.is_superuser or user.is_staff else None


def staff_role_get(user) -> str | None:
    """The first role of the user's that needs a second factor, or None."""
    for rule in settings.LEAP_STAFF_ROLE_RULES:
        role = import_string(rule)(user=user)
        if role:
            return role
    return None


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def is_staff_screen(path: str) -> bool:
    return path.startswith(tuple(settings.LEAP_STAFF_SCREENS))


def second_factor_missing(request) -> str | None:
    """The role that needs a second factor the signed-in person has not set up, or None.
    Remembered in the session once it holds, so a staff session pays for it once."""
    passed = request.session.get(PASSED)
    if passed:
        return None
    records = get_authentication_records(request, request.user)
    if passed is None and any(record.get("method") == "mfa" for record in records):
        return None  # passed at log-in: nothing to look up
    if has_second_factor(request.user):
        request.session[PASSED] = True
        return None
    return staff_role_get(request.user)


class StaffSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and is_staff_screen(request.path_info)
            and second_factor_missing(request)
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('account_second_step')}?{query}")
        return self.get_response(request)


@receiver(authenticator_removed)
def forget_second_factor(sender, request, user, authenticator, **kwargs):
    # False, not absent: the second factor given at this session's log-in no longer counts,
    # so the next staff screen looks for an authenticator again.
    if request is not None and hasattr(request, "session"):
        request.session[PASSED] = False


NEXT = "leap_second_step_next"


@login_required
@require_GET
def second_step(request):
    """Why staff need an authenticator app, and the way to set one up (allauth's pages,
    whose last page links back here). Someone who has one, or needs none, goes on to the
    staff screen they were going to, else to where their work is."""
    next_url = request.GET.get("next") or request.session.get(NEXT, "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    role = None if has_second_factor(request.user) else staff_role_get(request.user)
    if role is None:
        request.session.pop(NEXT, None)
        return redirect(next_url or get_adapter(request).get_login_redirect_url(request))
    request.session[NEXT] = next_url
    return render(
        request,
        "accounts/second_step.html",
        {"role": role, "activate_url": reverse("mfa_activate_totp")},
    )
