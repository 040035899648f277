"""District admins' screens for their district's webhooks: the list and the form to add
one (its signing secret shown once, on the answer), removing, resuming a paused one,
sending a test event, and each endpoint's log with "send again". Every view goes through
`learning.permissions.district_for_admin` (anyone else: 404), and every change asks for a
recent sign-in."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.errors import LeapError
from accounts.reauthentication import recent_authentication_required
from integrations import webhooks
from integrations.forms import made_with_secret
from integrations.models import WebhookDelivery
from integrations.webhook_forms import WebhookEndpointForm
from integrations.webhook_http import url_for_display
from integrations.webhook_selectors import (
    LOG_LENGTH,
    webhook_delivery_list,
    webhook_endpoint_list,
)
from learning.permissions import district_for_admin


@login_required
@require_http_methods(["GET", "POST"])
@recent_authentication_required
def district_webhooks(request, slug: str):
    """The district's webhooks, and a form to add one: its signing secret is shown once,
    on the answer to the form, and never again."""
    district = district_for_admin(request.user, slug)
    form, created, secret, status = made_with_secret(
        request,
        WebhookEndpointForm,
        lambda data: webhooks.webhook_endpoint_create(
            district=district, url=data["url"], events=data["events"], created_by=request.user
        ),
    )
    return render(
        request,
        "integrations/district_webhooks.html",
        {
            "district": district,
            "form": form,
            "endpoints": _with_state_labels(webhook_endpoint_list(district=district)),
            "created": created,
            "secret": secret,
            "pause_after": settings.LEAP_WEBHOOK_PAUSE_AFTER,
        },
        status=status,
    )


def _with_state_labels(endpoints) -> list:
    labels = dict(WebhookDelivery.State.choices)
    endpoints = list(endpoints)
    for endpoint in endpoints:
        endpoint.last_state_label = labels.get(endpoint.last_state, "")
    return endpoints


def _endpoint(request, slug: str, pk: int):
    district = district_for_admin(request.user, slug)
    return district, get_object_or_404(webhook_endpoint_list(district=district), pk=pk)


@login_required
def webhook_log(request, slug: str, pk: int):
    """One endpoint's latest deliveries, with "send again" for the failed ones."""
    district, endpoint = _endpoint(request, slug, pk)
    return render(
        request,
        "integrations/webhook_log.html",
        {
            "district": district,
            "endpoint": endpoint,
            "deliveries": webhook_delivery_list(endpoint=endpoint),
            "log_length": LOG_LENGTH,
        },
    )


@login_required
@require_POST
@recent_authentication_required
def webhook_remove(request, slug: str, pk: int):
    district, endpoint = _endpoint(request, slug, pk)
    webhooks.webhook_endpoint_remove(endpoint=endpoint, removed_by=request.user)
    messages.success(
        request, f"The webhook to {url_for_display(endpoint.url)} is removed: nothing more is sent."
    )
    return redirect("integrations:district_webhooks", slug=district.slug)


@login_required
@require_POST
@recent_authentication_required
def webhook_resume(request, slug: str, pk: int):
    district, endpoint = _endpoint(request, slug, pk)
    queued = webhooks.webhook_endpoint_resume(endpoint=endpoint, resumed_by=request.user)
    messages.success(
        request,
        f"The webhook to {url_for_display(endpoint.url)} is resumed; "
        f"{queued} waiting deliver{'y is' if queued == 1 else 'ies are'} being sent.",
    )
    return redirect("integrations:district_webhooks", slug=district.slug)


@login_required
@require_POST
@recent_authentication_required
def webhook_ping(request, slug: str, pk: int):
    district, endpoint = _endpoint(request, slug, pk)
    try:
        webhooks.webhook_ping(endpoint=endpoint)
    except LeapError as error:
        messages.error(request, str(error))
        return redirect("integrations:district_webhooks", slug=district.slug)
    messages.success(request, "A test event is on its way; its delivery is at the top of the log.")
    return redirect("integrations:webhook_log", slug=district.slug, pk=endpoint.pk)


@login_required
@require_POST
@recent_authentication_required
def webhook_send_again(request, slug: str, pk: int, delivery_pk: int):
    district, endpoint = _endpoint(request, slug, pk)
    delivery = get_object_or_404(WebhookDelivery.objects.filter(endpoint=endpoint), pk=delivery_pk)
    try:
        webhooks.webhook_delivery_send_again(delivery=delivery)
    except LeapError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The {delivery.event} delivery is being sent again.")
    return redirect("integrations:webhook_log", slug=district.slug, pk=endpoint.pk)
