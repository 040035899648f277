"""Staff sessions end after LEAP_STAFF_IDLE_MINUTES without a request; learners keep the
ordinary session (SESSION_COOKIE_AGE). Staff are the people who see others' data: superusers
and Django staff, and anyone Leap lands somewhere other than the dashboard after log-in
(LEAP_LANDING_RULES: reviewers and leads, district admins and facilitators, editors). That
is decided once, at log-in, and kept in the session, so pages cost no extra query; a role
given during a session counts from the next log-in."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import import_string

STAFF = "leap_staff"
SEEN = "leap_seen"
# The last request's time is written at most this often, not on every request.
SEEN_RESOLUTION_SECONDS = 60
SIGNED_OUT = (
    "You were signed out after {minutes} minutes without activity, as staff accounts are. "
    "Sign in again to go on."
)


def is_staff_person(user) -> bool:
    if user.is_superuser or user.is_staff:
        return True
    return any(import_string(rule)(user=user) for rule in settings.LEAP_LANDING_RULES)


@receiver(user_logged_in)
def note_staff_on_log_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    request.session[STAFF] = is_staff_person(user)
    request.session[SEEN] = _now()


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.session.get(STAFF):
            now, seen = _now(), request.session.get(SEEN, 0)
            minutes = settings.LEAP_STAFF_IDLE_MINUTES
            if now - seen > minutes * 60:
                logout(request)
                messages.info(request, SIGNED_OUT.format(minutes=minutes))
                return redirect_to_login(request.get_full_path())
            if now - seen >= SEEN_RESOLUTION_SECONDS:
                request.session[SEEN] = now
        return self.get_response(request)


def _now() -> float:
    return timezone.now().timestamp()
