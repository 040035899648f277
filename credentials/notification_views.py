"""A person's in-site notifications and their e-mail setting. Everything is looked up with
`user=request.user`, so another person's notification is a 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from credentials.models import Notification, NotificationSettings
from credentials.services import notifications_mark_read

NOTIFICATIONS_PER_PAGE = 30


def safe_target(url: str) -> str | None:
    """The notification's link when it is a path on this site ("/review/12/"); None for
    anything else (another host, "//host", "javascript:"), which is never followed."""
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return None
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=None) else None


@login_required
def notification_list(request):
    notifications = Notification.objects.filter(user=request.user).order_by("-created_at", "-pk")
    page_obj = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "credentials/notifications/list.html", {"page_obj": page_obj})


@login_required
@require_http_methods(["GET", "POST"])
def notification_open(request, pk: int):
    """Mark the notification read and go where it points."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    notifications_mark_read(user=request.user, pk=notification.pk)
    return redirect(safe_target(notification.url) or "notifications:list")


@login_required
@require_POST
def notifications_mark_all_read(request):
    marked = notifications_mark_read(user=request.user)
    if marked:
        messages.success(
            request, f"{marked} notification{'s' if marked != 1 else ''} marked as read."
        )
    return redirect("notifications:list")


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["email_non_essential"]


@login_required
def notification_settings(request):
    # Nothing is stored until the person first saves; until then the defaults apply.
    instance = NotificationSettings.objects.filter(user=request.user).first()
    instance = instance or NotificationSettings(user=request.user)
    data = request.POST if request.method == "POST" else None  # unticked: an empty POST
    form = NotificationSettingsForm(data, instance=instance)
    if form.is_bound and form.is_valid():
        form.save()
        if form.instance.email_non_essential:
            messages.success(request, "We will e-mail you reminders and updates.")
        else:
            messages.success(
                request,
                "We will no longer e-mail you reminders and updates. Receipts and decisions "
                "on your own work are still e-mailed.",
            )
        return redirect("notifications:settings")
    return render(
        request,
        "credentials/notifications/settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
