"""The staff screen of queued work in the Wagtail admin (Settings → Queued work): what was
given up and what has waited long, with a Retry button each. Platform staff only: viewing
needs `accounts.view_outboxmessage`, retrying `accounts.change_outboxmessage` (superusers
have both); anyone else is refused."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from accounts.errors import LeapError
from accounts.models import OutboxMessage
from accounts.outbox import EMAIL_RETRY_DELAYS, HOUR, RETRY_DELAYS, outbox_retry
from accounts.selectors import outbox_attention_counts, outbox_attention_list

PER_PAGE = 50


def outbox_attention(request):
    if not request.user.has_perm("accounts.view_outboxmessage"):
        raise PermissionDenied
    page = Paginator(outbox_attention_list(), PER_PAGE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "accounts/admin/outbox.html",
        {
            "page": page,
            "counts": outbox_attention_counts(),
            "may_retry": request.user.has_perm("accounts.change_outboxmessage"),
            "attention_minutes": settings.LEAP_OUTBOX_ATTENTION_MINUTES,
            "email_hours": round(sum(EMAIL_RETRY_DELAYS) / HOUR),
            "other_hours": round(sum(RETRY_DELAYS) / HOUR),
            "retryable": {OutboxMessage.State.DEAD, *OutboxMessage.ACTIVE_STATES}
            - {OutboxMessage.State.RUNNING},
        },
    )


@require_POST
def outbox_retry_view(request, pk: int):
    if not request.user.has_perm("accounts.change_outboxmessage"):
        raise PermissionDenied
    message = get_object_or_404(OutboxMessage, pk=pk)
    try:
        outbox_retry(message_id=message.pk)
    except LeapError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{message}” is queued again.")
    return redirect("outbox_attention")
