"""A person's in-site notifications and their e-mail setting. Everything is looked up with
`user=request.user`, so another person's notification is a 404."""

from allauth.account.adapter import get_adapter as get_account_adapter
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services
from accounts.errors import LeapError
from accounts.jobs import job_enqueue_on_commit
from accounts.models import Notification, NotificationSettings
from accounts.throttle import throttle_allows

NOTIFICATIONS_PER_PAGE = 30


def safe_target(url: str) -> str | None:
    """The notification's link when it is a path on this site ("/review/12/"); None for
    anything else (another host, "//host", "javascript:"), which is never followed."""
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return None
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=None) else None


@login_required
def notification_list(request):
    notifications = selectors.notification_list(user=request.user)
    page_obj = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/notification_list.html", {"page_obj": page_obj})


@login_required
@require_http_methods(["GET", "POST"])
def notification_open(request, pk: int):
    """Go where the notification points; the list's button POSTs, which also marks it read.
    A GET (an old bookmark, a link checker) only follows: it changes nothing."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if request.method == "POST":
        services.notifications_mark_read(user=request.user, pk=notification.pk)
    return redirect(safe_target(notification.url) or "notifications:list")


@login_required
@require_POST
def notifications_mark_all_read(request):
    marked = services.notifications_mark_read(user=request.user)
    if marked:
        messages.success(
            request, f"{marked} notification{'s' if marked != 1 else ''} marked as read."
        )
    return redirect("notifications:list")


class NotificationSettingsForm(forms.Form):
    email_mode = forms.ChoiceField(
        label="E-mail me reminders and updates",
        choices=NotificationSettings.EmailMode.choices,
        widget=forms.RadioSelect,
        help_text="Receipts and decisions on your own work are always e-mailed.",
        error_messages={"required": "Choose how you would like reminders and updates e-mailed."},
    )


MODE_SAVED = {
    NotificationSettings.EmailMode.IMMEDIATE: "We will e-mail you reminders and updates as they "
    "happen.",
    NotificationSettings.EmailMode.DIGEST: "We will send you one e-mail a day with your "
    "reminders and updates.",
    NotificationSettings.EmailMode.NONE: "We will no longer e-mail you reminders and updates. "
    "Receipts and decisions on your own work are still e-mailed.",
}


@login_required
def notification_settings(request):
    current = selectors.notification_settings_of(user=request.user)
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST)
        if form.is_valid():
            saved = services.notification_settings_save(
                user=request.user, email_mode=form.cleaned_data["email_mode"]
            )
            messages.success(request, MODE_SAVED[saved.email_mode])
            return redirect("notifications:settings")
    else:
        form = NotificationSettingsForm(initial={"email_mode": current.email_mode})
    return render(
        request,
        "accounts/notification_settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _masked(email: str) -> str:
    """ "maya@school.example" → "m•••@school.example": enough to recognise, little to leak."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


# The token in the address authenticates the request (it is signed and names the person),
# and the only thing a POST can do is stop reminder e-mails, so a forged cross-site POST
# gains nothing; mail programs' one-click unsubscribe (RFC 8058) POSTs without a CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """Stop reminders and updates by e-mail, without signing in. GET only asks (mail
    scanners follow links); POST, from the page or a mail program's one-click, does it."""
    try:
        user = services.unsubscribe_token_read(token=token)
    except LeapError as error:
        return render(request, "accounts/unsubscribe.html", {"problem": error.message}, status=404)
    if request.method == "POST":
        services.unsubscribe(token=token)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed.", content_type="text/plain")
        return render(
            request, "accounts/unsubscribe.html", {"done": True, "address": _masked(user.email)}
        )
    return render(request, "accounts/unsubscribe.html", {"address": _masked(user.email)})


class VerificationResendForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address",
        help_text="The address you signed up with.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


# How often a new confirmation link may be asked for: per address (whether or not it has an
# account, so the limit says nothing about who does) and per computer (its IP address as
# read through the proxies in LEAP_TRUSTED_PROXIES). A school's staff may share
# one IP address, hence the larger figure.
RESEND_PER_ADDRESS = {"limit": 3, "seconds": 15 * 60}
RESEND_PER_IP = {"limit": 20, "seconds": 15 * 60}
RESEND_WAIT = (
    "You have asked for a new link several times in the last few minutes. Please wait a few "
    "minutes, then check your inbox and spam folder before asking again."
)


@require_http_methods(["GET", "POST"])
def verification_resend(request):
    """A new confirmation link for someone whose first one is lost or too old. Every address
    gets the same answer in the same time: the view only queues a task, which looks the
    address up and sends the link."""
    form = VerificationResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        ip = get_account_adapter(request).get_client_ip(request)
        if throttle_allows(scope="resend-ip", key=ip, **RESEND_PER_IP) and throttle_allows(
            scope="resend-address", key=email, **RESEND_PER_ADDRESS
        ):
            job_enqueue_on_commit(
                "accounts.tasks.email_verification_resend", email, label="a confirmation link"
            )
            messages.info(
                request,
                f"If {email} belongs to a Leap account waiting to be confirmed, a new link is "
                "on its way. It can take a few minutes; check your spam or junk folder too.",
            )
            return redirect("account_email_verification_sent")
        form.add_error(None, RESEND_WAIT)
        return render(request, "account/verification_resend.html", {"form": form}, status=429)
    return render(
        request,
        "account/verification_resend.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
