"""Every write of the district webhooks: endpoints added, removed, resumed and pinged by
district admins; events recorded as deliveries; deliveries sent, retried, held and given up.

How a delivery goes:
- An event (a badge awarded or revoked, a pathway or book club completed) is recorded in
  the transaction that made it (integrations.receivers): one `WebhookDelivery` per
  subscribed endpoint of the person's districts, and an outbox message for each
  (`integrations.tasks.webhook_deliver`), so it is sent exactly when the change commits.
- The task POSTs the payload, signed (integrations.webhook_http). A 2xx answer delivers it
  and clears the endpoint's run of failures. Anything else is recorded (status, the start
  of the body, the error), adds one to the endpoint's failures in a row, and raises, so
  the outbox tries again after WEBHOOK_RETRY_DELAYS; after the last try the delivery is
  given up (an admin may send it again).
- LEAP_WEBHOOK_PAUSE_AFTER failures in a row pause the endpoint: its waiting deliveries
  are held, new events are held too, nothing is sent, and the district's admins are told
  once. Resuming queues what was held.

A delivery is at least once: a run takes a lock on its row while it sends, so two runs
never send it together, and a delivered one is never sent again; but a worker that dies
after the receiver answered and before the answer is recorded sends it again when the
outbox hands the run over again. Receivers tell repeats by `Leap-Webhook-Id`."""

import json
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.encryption import secrets_fernet
from accounts.errors import LeapError
from accounts.jobs import job_enqueue_on_commit
from accounts.models import AuditEntry, User
from accounts.outbox import HOUR, MINUTE
from accounts.services import notify
from credentials.models import Assertion
from credentials.openbadges.ob2 import assertion_id
from integrations.models import (
    SUBSCRIBABLE_EVENTS,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from integrations.webhook_http import (
    url_for_display,
    webhook_post,
    webhook_url_problem,
)
from learning.models import CohortMember, District, Enrolment, Membership

State = WebhookDelivery.State
DELIVER_TASK = "integrations.tasks.webhook_deliver"
# Waits before each retry of a delivery that failed; after the last, it is given up
# (about a day and a half of tries in all).
WEBHOOK_RETRY_DELAYS = (MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 8 * HOUR, 24 * HOUR)
TRIES = len(WEBHOOK_RETRY_DELAYS) + 1
SECRET_PREFIX = "whsec_"
# Each event writes a delivery per endpoint inside the learner's own transaction.
ENDPOINTS_MAX = 10
SENDABLE = (State.PENDING, State.FAILED)


class WebhookFailed(Exception):
    """A delivery that got no 2xx answer: the outbox tries it again later."""


# Endpoints: what district admins do.


def _audit(endpoint: WebhookEndpoint, summary: str, *, actor: User | None, **details) -> None:
    audit_record(
        action=AuditEntry.Action.WEBHOOK_CHANGED,
        actor=actor,
        target=endpoint,
        target_label=f"Webhook to {url_for_display(endpoint.url)}",
        district=endpoint.district,
        summary=summary,
        details={"url": url_for_display(endpoint.url), **details},
    )


def _secret(endpoint: WebhookEndpoint) -> str:
    return secrets_fernet().decrypt(endpoint.secret_encrypted.encode()).decode()


@transaction.atomic
def webhook_endpoint_create(
    *, district: District, url: str, events: list[str], created_by: User
) -> tuple[WebhookEndpoint, str]:
    """An endpoint of the district's told about `events`. Returns it and its signing
    secret, which is shown once (Leap keeps it encrypted, to sign with)."""
    url = url.strip()
    problem = webhook_url_problem(url)
    if problem:
        raise LeapError(problem)
    if district.webhook_endpoints.filter(removed_at__isnull=True).count() >= ENDPOINTS_MAX:
        raise LeapError(
            f"A district has at most {ENDPOINTS_MAX} webhooks: remove one you no longer use."
        )
    chosen = [event for event in SUBSCRIBABLE_EVENTS if event in events]
    if not chosen or set(events) - set(SUBSCRIBABLE_EVENTS):
        raise LeapError("Choose at least one of the listed events.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        district=district,
        url=url,
        events=[str(event) for event in chosen],
        secret_encrypted=secrets_fernet().encrypt(secret.encode()).decode(),
        created_by=created_by,
    )
    _audit(
        endpoint,
        f"Added a webhook to {url_for_display(url)} for {', '.join(endpoint.events)}",
        actor=created_by,
        events=endpoint.events,
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_remove(*, endpoint: WebhookEndpoint, removed_by: User) -> WebhookEndpoint:
    """Stop sending to the endpoint for good: what waits is given up, the secret is erased,
    the endpoint and its log stay for the record."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.is_removed:
        return endpoint
    endpoint.removed_at = timezone.now()
    endpoint.secret_encrypted = ""
    endpoint.save(update_fields=["removed_at", "secret_encrypted"])
    endpoint.deliveries.filter(state__in=[*SENDABLE, State.HELD]).update(
        state=State.GIVEN_UP, error="The webhook was removed."
    )
    _audit(endpoint, f"Removed the webhook to {url_for_display(endpoint.url)}", actor=removed_by)
    return endpoint


def _queue(delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> None:
    job_enqueue_on_commit(
        DELIVER_TASK,
        delivery.pk,
        delivery.round,
        label=f"webhook {delivery.event} to {endpoint.district.slug} ({endpoint.pk})",
        dedupe_key=f"webhook:{delivery.pk}:{delivery.round}",
    )


def _send_again(deliveries: QuerySet[WebhookDelivery], endpoint: WebhookEndpoint) -> int:
    """Start a new round of tries for these deliveries, and queue each."""
    rows = list(deliveries.select_for_update().values_list("pk", "round", "event"))
    WebhookDelivery.objects.filter(pk__in=[pk for pk, _round, _event in rows]).update(
        state=State.PENDING, round=F("round") + 1, attempts=0
    )
    for pk, round_, event in rows:
        _queue(WebhookDelivery(pk=pk, round=round_ + 1, event=event), endpoint)
    return len(rows)


@transaction.atomic
def webhook_endpoint_resume(*, endpoint: WebhookEndpoint, resumed_by: User) -> int:
    """Send to a paused endpoint again, starting with what it held (and what arrived while
    it was paused). Returns how many deliveries were queued."""
    endpoint = (
        WebhookEndpoint.objects.select_for_update().select_related("district").get(pk=endpoint.pk)
    )
    if not endpoint.is_paused or endpoint.is_removed:
        return 0
    endpoint.paused_at = None
    endpoint.paused_reason = ""
    endpoint.consecutive_failures = 0
    endpoint.save(update_fields=["paused_at", "paused_reason", "consecutive_failures"])
    waiting = endpoint.deliveries.filter(state__in=[State.HELD, *SENDABLE]).order_by("pk")
    queued = _send_again(waiting, endpoint)
    _audit(
        endpoint,
        f"Resumed the webhook to {url_for_display(endpoint.url)} ({queued} held to send)",
        actor=resumed_by,
    )
    return queued


@transaction.atomic
def webhook_delivery_send_again(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Try a failed or given-up delivery again now, with a fresh round of tries."""
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("endpoint__district")
        .get(pk=delivery.pk)
    )
    endpoint = delivery.endpoint
    if endpoint.is_removed:
        raise LeapError("This webhook was removed, so nothing is sent to it.")
    if endpoint.is_paused:
        raise LeapError("This webhook is paused: resume it, and what it holds is sent.")
    if not delivery.can_send_again:
        raise LeapError("Only a failed delivery can be sent again.")
    _send_again(WebhookDelivery.objects.filter(pk=delivery.pk), endpoint)
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def webhook_ping(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send the endpoint a test event ("ping"), delivered and logged like any other."""
    endpoint = (
        WebhookEndpoint.objects.select_for_update().select_related("district").get(pk=endpoint.pk)
    )
    if endpoint.is_removed:
        raise LeapError("This webhook was removed, so nothing is sent to it.")
    if endpoint.is_paused:
        raise LeapError("This webhook is paused: resume it before sending a test event.")
    data = {"webhook": endpoint.pk, "message": "A test event from Leap: the webhook works."}
    return _deliveries_add(
        event=WebhookEvent.PING,
        endpoints=[endpoint],
        district=endpoint.district,
        member_id=None,
        data_for=lambda _member_id: data,
    )[0]


# Events: what happened, recorded as deliveries in the transaction that made it.


def _endpoints(event: str, districts: QuerySet, user_id: int | None) -> list[WebhookEndpoint]:
    """The live endpoints of these districts subscribed to `event`, each with the member id
    of the person in its district (`member_id`, None when they have no place there):
    one query."""
    endpoints = (
        WebhookEndpoint.objects.filter(
            district__in=districts, district__is_active=True, removed_at__isnull=True
        )
        .select_related("district")
        .annotate(
            member_id=Subquery(
                Membership.objects.filter(
                    district=OuterRef("district"), user_id=user_id, is_active=True
                ).values("pk")[:1]
            )
        )
        .order_by("district_id", "pk")
    )
    # In Python: a JSON list's "contains" is not a lookup every database has.
    return [endpoint for endpoint in endpoints if event in endpoint.events]


def _districts_of(user_id: int) -> QuerySet:
    """The districts a person is an active member of, as a subquery."""
    return Membership.objects.filter(
        user_id=user_id, is_active=True, district__is_active=True
    ).values("district_id")


def _deliveries_add(
    *,
    event: str,
    endpoints: list[WebhookEndpoint],
    district: District | None = None,
    member_id: int | None = None,
    data_for: Callable[[int | None], dict],
) -> list[WebhookDelivery]:
    """One delivery per endpoint, queued. Endpoints of one district share the event's id
    and payload. A paused endpoint's delivery is queued too: its run finds the pause and
    leaves it waiting for the resume (deciding here, outside the endpoint's lock, could
    strand it held past a resume that commits meanwhile)."""
    created = timezone.now()
    payloads: dict[int, dict] = {}
    deliveries = []
    for endpoint in endpoints:
        district_ = district or endpoint.district
        member = getattr(endpoint, "member_id", member_id)
        if district_.pk not in payloads:
            payloads[district_.pk] = {
                "id": str(uuid.uuid4()),
                "type": str(event),
                "created": created.isoformat(),
                "district": {"id": district_.pk, "slug": district_.slug},
                "data": data_for(member),
            }
        payload = payloads[district_.pk]
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id=payload["id"],
            event=event,
            payload=payload,
            state=State.PENDING,
            created_at=created,
        )
        _queue(delivery, endpoint)
        deliveries.append(delivery)
    return deliveries


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _badge_data(assertion: Assertion, member_id: int | None) -> dict:
    badge = {
        "id": str(assertion.uuid),
        "name": assertion.badge_class.name,
        "assertion_url": assertion_id(assertion),
        "issued_on": _when(assertion.issued_on),
        "expires_on": _when(assertion.expires_on),
    }
    if assertion.revoked:
        # Public: the hosted assertion says the same to anyone who verifies it.
        badge.update(revoked_at=_when(assertion.revoked_at), reason=assertion.revocation_reason)
    return {"member": member_id, "badge": badge}


def webhook_badge_event(*, event: str, assertion: Assertion) -> list[WebhookDelivery]:
    """A badge awarded or revoked, for the recipient's districts."""
    if assertion.recipient_id is None:  # the account is gone: no member to speak of
        return []
    endpoints = _endpoints(event, _districts_of(assertion.recipient_id), assertion.recipient_id)
    if not endpoints:
        return []
    return _deliveries_add(
        event=event,
        endpoints=endpoints,
        data_for=lambda member_id: _badge_data(assertion, member_id),
    )


def webhook_badges_awarded(*, assertions: list[Assertion]) -> list[WebhookDelivery]:
    """Many badges awarded at once (a bulk award): one query finds which recipients are in
    a district with a live endpoint for the event, and only their badges are worked out
    one by one (most districts have no webhook)."""
    event = WebhookEvent.BADGE_AWARDED
    recipients = {a.recipient_id for a in assertions if a.recipient_id is not None}
    with_endpoints = WebhookEndpoint.objects.filter(
        district__is_active=True, removed_at__isnull=True
    ).values("district_id")
    heard = set(
        Membership.objects.filter(
            user_id__in=recipients, is_active=True, district_id__in=with_endpoints
        ).values_list("user_id", flat=True)
    )
    deliveries = []
    for assertion in assertions:
        if assertion.recipient_id in heard:
            deliveries += webhook_badge_event(event=event, assertion=assertion)
    return deliveries


def webhook_pathway_completed(*, enrolment: Enrolment) -> list[WebhookDelivery]:
    """A pathway completed, for the learner's districts."""
    event = WebhookEvent.PATHWAY_COMPLETED
    endpoints = _endpoints(event, _districts_of(enrolment.user_id), enrolment.user_id)
    if not endpoints:
        return []
    return _deliveries_add(
        event=event,
        endpoints=endpoints,
        data_for=lambda member_id: {
            "member": member_id,
            "pathway": {"id": enrolment.pathway_id, "title": enrolment.pathway_title},
            "completed_at": _when(enrolment.completed_at),
        },
    )


def webhook_cohort_completed(*, member: CohortMember) -> list[WebhookDelivery]:
    """A member completed a book club, for the club's district."""
    event = WebhookEvent.COHORT_COMPLETED
    cohort = member.cohort
    districts = District.objects.filter(pk=cohort.district_id).values("pk")
    endpoints = _endpoints(event, districts, member.user_id)
    if not endpoints:
        return []
    return _deliveries_add(
        event=event,
        endpoints=endpoints,
        data_for=lambda member_id: {
            "member": member_id,
            "cohort": {"id": cohort.pk, "title": cohort.title},
            "completed_at": _when(member.completed_at),
        },
    )


# Delivering.


def payload_body(payload: dict) -> bytes:
    """The bytes that are sent, and signed."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def webhook_deliver(*, delivery_id: int, round_: int = 1) -> str:
    """Send the delivery (the task's work); says what happened. Raises WebhookFailed when
    it failed and will be tried again. Does nothing for a delivery already delivered, held,
    given up or sent again since this run was queued (`round_`)."""
    with transaction.atomic():
        # The lock is held while sending, so two runs never send one delivery together.
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint__district")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.round != round_ or delivery.state not in SENDABLE:
            return delivery.state if delivery else "gone"
        endpoint = delivery.endpoint
        if endpoint.is_removed or not endpoint.district.is_active:
            delivery.state = State.GIVEN_UP
            delivery.error = (
                "The webhook was removed."
                if endpoint.is_removed
                else "The district no longer uses Leap."
            )
            delivery.save(update_fields=["state", "error"])
            return delivery.state
        if endpoint.is_paused:
            # Left as it is: resuming sends everything of the endpoint's still waiting.
            return State.HELD
        answer = webhook_post(
            url=endpoint.url,
            event_id=str(delivery.event_id),
            body=payload_body(delivery.payload),
            secret=_secret(endpoint),
        )
        now = timezone.now()
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.response_status = answer.status
        delivery.response_body = answer.body
        if answer.ok:
            delivery.state, delivery.delivered_at, delivery.error = State.DELIVERED, now, ""
        else:
            delivery.error = (answer.error or f"The endpoint answered {answer.status}.")[:500]
            delivery.state = State.GIVEN_UP if delivery.attempts >= TRIES else State.FAILED
        delivery.save()
    if answer.ok:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, consecutive_failures__gt=0).update(
            consecutive_failures=0
        )
        return delivery.state
    paused = _endpoint_failed(endpoint_id=endpoint.pk, error=delivery.error)
    if delivery.state == State.GIVEN_UP:
        return delivery.state
    if paused:
        return State.HELD  # with everything else the endpoint was to send
    raise WebhookFailed(f"Delivery {delivery.pk} (try {delivery.attempts}): {delivery.error}")


@transaction.atomic
def _endpoint_failed(*, endpoint_id: int, error: str) -> bool:
    """One more failure in a row; at LEAP_WEBHOOK_PAUSE_AFTER, pause the endpoint, hold what
    it was to send, and tell the district's admins (once: this call paused it). True when
    the endpoint is paused."""
    endpoint = (
        WebhookEndpoint.objects.select_for_update().select_related("district").get(pk=endpoint_id)
    )
    if endpoint.is_paused or endpoint.is_removed:
        return endpoint.is_paused
    endpoint.consecutive_failures += 1
    fields = ["consecutive_failures"]
    paused = endpoint.consecutive_failures >= settings.LEAP_WEBHOOK_PAUSE_AFTER
    if paused:
        endpoint.paused_at = timezone.now()
        endpoint.paused_reason = (
            f"{endpoint.consecutive_failures} deliveries failed in a row; the last: {error}"
        )[:255]
        fields += ["paused_at", "paused_reason"]
    endpoint.save(update_fields=fields)
    if paused:
        endpoint.deliveries.filter(state__in=SENDABLE).update(state=State.HELD)
        _audit(endpoint, f"Paused: {endpoint.paused_reason}", actor=None)
        _admins_tell_paused(endpoint, error=error)
    return paused


def _admins_tell_paused(endpoint: WebhookEndpoint, *, error: str) -> None:
    district = endpoint.district
    path = reverse("integrations:district_webhooks", args=[district.slug])
    admins = User.objects.filter(
        is_active=True,
        memberships__district=district,
        memberships__role=Membership.Role.DISTRICT_ADMIN,
        memberships__is_active=True,
    ).order_by("pk")
    address = url_for_display(endpoint.url)
    for admin in admins:
        notify(
            user=admin,
            message=f"Leap paused the webhook to {address}: its deliveries kept failing. "
            "Resume it once it answers again.",
            url=path,
            email_template="integrations/email/webhook_paused",
            context={
                "district": district,
                "address": address,
                "error": error,
                "failures": endpoint.consecutive_failures,
            },
            essential=False,
        )


def webhook_deliveries_purge(*, now: datetime | None = None) -> int:
    """Daily: forget deliveries delivered or given up more than LEAP_WEBHOOK_KEEP_DAYS
    ago. Returns how many."""
    before = (now or timezone.now()) - timedelta(days=settings.LEAP_WEBHOOK_KEEP_DAYS)
    deleted, _ = WebhookDelivery.objects.filter(
        state__in=[State.DELIVERED, State.GIVEN_UP], created_at__lt=before
    ).delete()
    return deleted
