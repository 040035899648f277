"""District webhooks against a real receiver on loopback: each event delivered once and
signed with the secret shown once, retried after a failure through the outbox, paused after
failures in a row (the admins told once, nothing more sent), held deliveries sent on
resuming; only the district's own endpoints hear of its members; the screens are its
admins' alone."""

import html
import re
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, Notification, OutboxMessage
from accounts.outbox import outbox_relay, task_id_make
from credentials.services.badges import (
    assertion_award,
    assertion_revoke,
    badge_class_for_micro_credential,
)
from integrations import webhooks
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.tasks import webhook_deliver
from learning import services as learning_services
from learning.cohorts.completion import completion_check
from learning.models import Membership
from learning.steps import pathway_steps
from tests.factories import (
    DistrictFactory,
    MembershipFactory,
    UserFactory,
    learning_catalogue,
)
from tests.integrations.webhook_receiver import WebhookReceiver
from tests.learning.cohorts.factories import attend, cohort_make, evenings_ago, member_make

pytestmark = pytest.mark.django_db

State = WebhookDelivery.State
SECRET_FIELD = re.compile(r'id="webhook-secret" type="text" readonly value="([^"]+)"')


@pytest.fixture
def receiver():
    running = WebhookReceiver().start()
    yield running
    running.stop()


@pytest.fixture
def catalogue(db):
    from cms.demo import site_tree_ensure

    return learning_catalogue(site_tree_ensure())


@pytest.fixture
def district(db):
    return DistrictFactory(name="Riverside Unified", slug="riverside")


@pytest.fixture
def admin(district):
    return MembershipFactory(
        district=district,
        role=Membership.Role.DISTRICT_ADMIN,
        user=UserFactory(email="dana@riverside.example", display_name="Dana Admin"),
    ).user


@pytest.fixture
def learner(district):
    return MembershipFactory(
        district=district, user=UserFactory(email="ana@riverside.example", display_name="Ana")
    ).user


@pytest.fixture
def admin_signed_in(client, admin):
    client.force_login(admin)
    return client


def webhooks_url(district) -> str:
    return reverse("integrations:district_webhooks", args=[district.slug])


def endpoint_add(client, district, url: str, events=("badge.awarded",)) -> tuple[object, str]:
    """Add a webhook through the screen, as an admin does; returns it and the secret the
    answer shows (once)."""
    response = client.post(webhooks_url(district), {"url": url, "events": list(events)})
    assert response.status_code == 200, response.content.decode()
    secret = html.unescape(SECRET_FIELD.search(response.content.decode())[1])
    assert client.get(webhooks_url(district)).content.decode().count(secret) == 0  # once
    return WebhookEndpoint.objects.get(district=district, url=url), secret


def award(user, page, capture):
    with capture(execute=True):
        return assertion_award(
            recipient=user, badge_class=badge_class_for_micro_credential(page=page)
        )


def relay():
    """The outbox relay, a day and a half on: every retry that is due is handed over."""
    return outbox_relay(now=timezone.now() + timedelta(hours=36))


def member_id(user, district) -> int:
    return Membership.objects.get(user=user, district=district).pk


# Delivered once, signed.


def test_an_award_is_delivered_once_signed_with_the_secret_shown_once(
    admin_signed_in, district, learner, catalogue, receiver, django_capture_on_commit_callbacks
):
    endpoint, secret = endpoint_add(admin_signed_in, district, receiver.url)
    assertion = award(learner, catalogue.data, django_capture_on_commit_callbacks)

    [request] = receiver.received
    assert request.path == "/hooks/leap"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "Leap-Webhooks/1"
    assert request.signed_with(secret)
    assert not request.signed_with(secret + "x")
    sent_at = int(request.headers["Leap-Webhook-Timestamp"])
    assert abs(sent_at - timezone.now().timestamp()) < 60
    payload = request.payload
    assert payload["id"] == request.headers["Leap-Webhook-Id"]
    assert payload["type"] == "badge.awarded"
    assert payload["district"] == {"id": district.pk, "slug": "riverside"}
    assert payload["data"]["member"] == member_id(learner, district)
    badge = payload["data"]["badge"]
    assert (badge["id"], badge["name"]) == (str(assertion.uuid), "Using Classroom Data")
    assert badge["assertion_url"] == f"http://testserver/public/assertions/{assertion.uuid}"
    assert "ana@riverside.example" not in request.body.decode()  # no private data
    assert "Ana" not in request.body.decode()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.response_status) == (
        State.DELIVERED,
        1,
        200,
    )
    assert delivery.response_body == '{"ok": true}'
    assert str(delivery.event_id) == payload["id"]

    # The outbox delivering the task again (the same publication, or the relay later), or
    # the task run directly, sends nothing more.
    message = OutboxMessage.objects.get(task_name="integrations.tasks.webhook_deliver")
    assert message.state == OutboxMessage.State.DONE
    webhook_deliver.apply([delivery.pk, 1], task_id=task_id_make(message.pk, 1))
    assert webhook_deliver(delivery.pk, 1) == State.DELIVERED
    relay()
    assert receiver.count() == 1


def test_the_secret_is_kept_encrypted_and_the_addition_audited(admin_signed_in, district, receiver):
    endpoint, secret = endpoint_add(
        admin_signed_in, district, receiver.url, events=("badge.awarded", "cohort.completed")
    )
    assert secret.startswith("whsec_") and secret not in endpoint.secret_encrypted
    assert endpoint.events == ["badge.awarded", "cohort.completed"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.WEBHOOK_CHANGED)
    assert entry.district_id == district.pk and entry.actor.email == "dana@riverside.example"
    assert "Added a webhook to http://127.0.0.1" in entry.summary


# Retried, paused, resumed.


def test_a_failed_delivery_is_retried_by_the_outbox(
    admin_signed_in, district, learner, catalogue, django_capture_on_commit_callbacks
):
    receiver = WebhookReceiver(fail_first=1).start()
    try:
        endpoint, secret = endpoint_add(admin_signed_in, district, receiver.url)
        award(learner, catalogue.data, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert (delivery.state, delivery.attempts, delivery.response_status) == (
            State.FAILED,
            1,
            500,
        )
        assert delivery.response_body == "Something went wrong here"
        assert "answered 500" in delivery.error
        endpoint.refresh_from_db()
        assert endpoint.consecutive_failures == 1
        message = OutboxMessage.objects.get(task_name="integrations.tasks.webhook_deliver")
        assert message.state == OutboxMessage.State.PENDING
        # Not before the first retry delay (a minute)...
        assert outbox_relay(now=timezone.now() + timedelta(seconds=30)) == 0
        assert receiver.count() == 1
        # ...then again, the same event, signed afresh.
        assert outbox_relay(now=timezone.now() + timedelta(seconds=65)) == 1
        first, second = receiver.received
        assert first.body == second.body
        assert first.headers["Leap-Webhook-Id"] == second.headers["Leap-Webhook-Id"]
        assert second.signed_with(secret)
        delivery.refresh_from_db()
        endpoint.refresh_from_db()
        assert (delivery.state, delivery.attempts) == (State.DELIVERED, 2)
        assert endpoint.consecutive_failures == 0
        relay()
        assert receiver.count() == 2
    finally:
        receiver.stop()


def test_repeated_failures_pause_the_endpoint_tell_the_admins_once_and_hold_the_rest(
    settings,
    admin_signed_in,
    district,
    admin,
    learner,
    catalogue,
    receiver,
    django_capture_on_commit_callbacks,
):
    settings.LEAP_WEBHOOK_PAUSE_AFTER = 3
    receiver.failing = True
    endpoint, _secret = endpoint_add(admin_signed_in, district, receiver.url)
    award(learner, catalogue.data, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        relay()
    with django_capture_on_commit_callbacks(execute=True):
        relay()  # the third failure in a row
    assert receiver.count() == 3
    endpoint.refresh_from_db()
    assert endpoint.is_paused
    assert "3 deliveries failed in a row" in endpoint.paused_reason
    first = WebhookDelivery.objects.get()
    assert (first.state, first.attempts) == (State.HELD, 3)

    [notice] = Notification.objects.filter(user=admin)
    assert "paused the webhook to http://127.0.0.1" in notice.message
    assert notice.url == webhooks_url(district)
    assert [m.subject for m in mail.outbox if admin.email in m.to] == [
        f"Webhook paused: {receiver.url}"
    ]
    assert Notification.objects.filter(user=learner, message__contains="webhook").count() == 0
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.WEBHOOK_CHANGED, summary__startswith="Paused", actor=None
    ).exists()

    # While paused: a new event is recorded and waits (its run found the pause); nothing
    # more goes out.
    award(learner, catalogue.design, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        relay()
    assert receiver.count() == 3
    assert list(WebhookDelivery.objects.order_by("pk").values_list("state", flat=True)) == [
        State.HELD,
        State.PENDING,
    ]
    assert Notification.objects.filter(user=admin).count() == 1  # told once per pause
    page = admin_signed_in.get(webhooks_url(district)).content.decode()
    assert "Paused" in page and "3 deliveries failed in a row" in page

    # Resumed: what was held goes out, oldest first.
    receiver.failing = False
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_signed_in.post(
            reverse("integrations:webhook_resume", args=[district.slug, endpoint.pk]), follow=True
        )
    assert "2 waiting deliveries are being sent" in response.content.decode()
    assert receiver.count() == 5
    names = [r.payload["data"]["badge"]["name"] for r in receiver.received[3:]]
    assert names == ["Using Classroom Data", "Designing Learning"]
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {State.DELIVERED}
    endpoint.refresh_from_db()
    assert not endpoint.is_paused and endpoint.consecutive_failures == 0
    # The runs queued before the pause belong to an earlier round: they send nothing.
    assert webhook_deliver(WebhookDelivery.objects.order_by("pk").first().pk, 1) == State.DELIVERED
    relay()
    assert receiver.count() == 5


def test_a_delivery_that_never_succeeds_is_given_up_and_can_be_sent_again(
    settings,
    admin_signed_in,
    district,
    learner,
    catalogue,
    receiver,
    django_capture_on_commit_callbacks,
):
    settings.LEAP_WEBHOOK_PAUSE_AFTER = 100
    receiver.failing = True
    endpoint, _secret = endpoint_add(admin_signed_in, district, receiver.url)
    award(learner, catalogue.data, django_capture_on_commit_callbacks)
    for _ in range(len(webhooks.WEBHOOK_RETRY_DELAYS)):
        relay()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == (State.GIVEN_UP, webhooks.TRIES)
    assert receiver.count() == webhooks.TRIES
    relay()
    assert receiver.count() == webhooks.TRIES

    log = reverse("integrations:webhook_log", args=[district.slug, endpoint.pk])
    page = admin_signed_in.get(log).content.decode()
    assert "Failed, not sent" in page and "Send again" in page
    receiver.failing = False
    with django_capture_on_commit_callbacks(execute=True):
        admin_signed_in.post(
            reverse(
                "integrations:webhook_send_again", args=[district.slug, endpoint.pk, delivery.pk]
            )
        )
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.round) == (State.DELIVERED, 1, 2)
    assert receiver.count() == webhooks.TRIES + 1


# The other events.


def test_a_completed_pathway_is_delivered(
    admin_signed_in, district, learner, catalogue, receiver, django_capture_on_commit_callbacks
):
    endpoint_add(admin_signed_in, district, receiver.url, events=("pathway.completed",))
    pathway = catalogue.pathway
    enrolment = learning_services.enrolment_enrol(user=learner, pathway=pathway)
    steps = {step.kind: step.id for step in pathway_steps(pathway)}
    learning_services.step_update(enrolment=enrolment, step_id=steps["read"], done=True)
    learning_services.step_update(
        enrolment=enrolment, step_id=steps["reflect"], done=True, reflection="Exit tickets."
    )
    award(learner, catalogue.data, django_capture_on_commit_callbacks)  # the last step
    [request] = receiver.received  # not subscribed to badges: only the pathway
    enrolment.refresh_from_db()
    assert request.payload["type"] == "pathway.completed"
    assert request.payload["data"] == {
        "member": member_id(learner, district),
        "pathway": {"id": pathway.pk, "title": "Data in the Classroom"},
        "completed_at": enrolment.completed_at.isoformat(),
    }
    assert "Exit tickets" not in request.body.decode()


def test_a_completed_book_club_is_delivered(
    admin_signed_in, district, learner, receiver, django_capture_on_commit_callbacks
):
    endpoint_add(admin_signed_in, district, receiver.url, events=("cohort.completed",))
    cohort = cohort_make(district=district, sessions=evenings_ago(14, 7))
    member = member_make(cohort, learner)
    for session in cohort.sessions.all():
        attend(session, learner)
    with django_capture_on_commit_callbacks(execute=True):
        assert completion_check(member=member)
    [request] = receiver.received
    member.refresh_from_db()
    assert request.payload["type"] == "cohort.completed"
    assert request.payload["district"]["slug"] == "riverside"
    assert request.payload["data"] == {
        "member": member_id(learner, district),
        "cohort": {"id": cohort.pk, "title": "Empowered Educators"},
        "completed_at": member.completed_at.isoformat(),
    }


def test_a_revoked_badge_is_delivered_with_its_public_reason(
    admin_signed_in, district, learner, catalogue, receiver, django_capture_on_commit_callbacks
):
    endpoint_add(admin_signed_in, district, receiver.url, events=("badge.revoked",))
    assertion = award(learner, catalogue.data, django_capture_on_commit_callbacks)
    assert receiver.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assertion_revoke(assertion=assertion, reason="Awarded in error.", revoked_by=None)
    [request] = receiver.received
    assert request.payload["type"] == "badge.revoked"
    assert request.payload["data"]["badge"]["id"] == str(assertion.uuid)
    assert request.payload["data"]["badge"]["reason"] == "Awarded in error."


def test_only_the_members_own_districts_hear_and_each_names_its_own_member_id(
    admin_signed_in, district, learner, catalogue, django_capture_on_commit_callbacks
):
    ours, theirs, both = (WebhookReceiver().start() for _ in range(3))
    try:
        endpoint_add(admin_signed_in, district, ours.url)
        other = DistrictFactory(slug="lakeside")
        WebhookEndpoint.objects.create(
            district=other, url=theirs.url, events=["badge.awarded"], secret_encrypted="x"
        )
        award(learner, catalogue.data, django_capture_on_commit_callbacks)
        assert ours.count() == 1 and theirs.count() == 0

        # Someone in both districts: each district hears, with its own member id.
        colleague = MembershipFactory(district=district).user
        MembershipFactory(district=other, user=colleague)
        webhooks.webhook_endpoint_create(
            district=other, url=both.url, events=["badge.awarded"], created_by=colleague
        )
        award(colleague, catalogue.data, django_capture_on_commit_callbacks)
        assert ours.count() == 2 and both.count() == 1
        assert ours.received[1].payload["data"]["member"] == member_id(colleague, district)
        assert both.received[0].payload["data"]["member"] == member_id(colleague, other)
        assert both.received[0].payload["district"]["slug"] == "lakeside"
        assert both.received[0].payload["id"] != ours.received[1].payload["id"]
    finally:
        for running in (ours, theirs, both):
            running.stop()


def test_without_endpoints_an_event_costs_one_query_and_writes_nothing(learner, catalogue):
    badge_class = badge_class_for_micro_credential(page=catalogue.data)
    with CaptureQueriesContext(connection) as queries:
        assertion_award(recipient=learner, badge_class=badge_class)
    webhook_queries = [q["sql"] for q in queries if "integrations_" in q["sql"]]
    assert len(webhook_queries) == 1 and webhook_queries[0].startswith("SELECT")
    assert not WebhookDelivery.objects.exists()


# Test events, removal.


def test_a_test_event_is_sent_and_logged(
    admin_signed_in, district, receiver, django_capture_on_commit_callbacks
):
    endpoint, secret = endpoint_add(admin_signed_in, district, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_signed_in.post(
            reverse("integrations:webhook_ping", args=[district.slug, endpoint.pk])
        )
    [request] = receiver.received
    assert request.payload["type"] == "ping" and request.signed_with(secret)
    page = admin_signed_in.get(response.url).content.decode()
    assert "<code>ping</code>" in page and "Delivered" in page


def test_a_removed_endpoint_is_sent_nothing_more(
    admin_signed_in, district, learner, catalogue, receiver, django_capture_on_commit_callbacks
):
    endpoint, _secret = endpoint_add(admin_signed_in, district, receiver.url)
    with django_capture_on_commit_callbacks(execute=False):  # recorded, not yet sent
        assertion_award(
            recipient=learner, badge_class=badge_class_for_micro_credential(page=catalogue.data)
        )
    admin_signed_in.post(reverse("integrations:webhook_remove", args=[district.slug, endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.is_removed and endpoint.secret_encrypted == ""
    relay()
    assert receiver.count() == 0
    assert WebhookDelivery.objects.get().state == State.GIVEN_UP
    award(learner, catalogue.design, django_capture_on_commit_callbacks)
    assert WebhookDelivery.objects.count() == 1
    page = admin_signed_in.get(webhooks_url(district)).content.decode()
    assert "is removed: nothing more is sent" in page
    assert receiver.url not in admin_signed_in.get(webhooks_url(district)).content.decode()
    assert AuditEntry.objects.filter(summary__startswith="Removed the webhook").exists()


# Who may, and what addresses.


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://sis.example.org/hook", "Use an https:// address"),
        ("https://10.1.2.3/hook", "is a private or local address"),
        ("https://169.254.169.254/latest/meta-data", "is a private or local address"),
        ("https://[::1]/hook", "is a private or local address"),
        ("https://user:pw@203.0.113.9/hook", "Leave the user name and password out"),
        ("https://203.0.113.9:25/hook", "Use port 443 (the https default) or 8443, not 25"),
    ],
)
def test_an_address_leap_will_not_send_to_is_refused_with_a_reason(
    admin_signed_in, district, url, problem
):
    response = admin_signed_in.post(webhooks_url(district), {"url": url, "events": ["ping"]})
    assert response.status_code == 400
    assert problem in html.unescape(response.content.decode())
    assert not WebhookEndpoint.objects.exists()


def test_a_district_has_at_most_ten_webhooks(admin_signed_in, district, admin, receiver):
    from integrations.webhooks import ENDPOINTS_MAX, webhook_endpoint_create

    for _ in range(ENDPOINTS_MAX):
        webhook_endpoint_create(
            district=district, url=receiver.url, events=["badge.awarded"], created_by=admin
        )
    response = admin_signed_in.post(
        webhooks_url(district), {"url": receiver.url, "events": ["badge.awarded"]}
    )
    assert response.status_code == 400
    assert "at most 10 webhooks" in html.unescape(response.content.decode())
    assert WebhookEndpoint.objects.count() == ENDPOINTS_MAX


def test_an_event_must_be_chosen_and_ping_cannot_be(admin_signed_in, district, receiver):
    response = admin_signed_in.post(webhooks_url(district), {"url": receiver.url, "events": []})
    assert response.status_code == 400
    response = admin_signed_in.post(
        webhooks_url(district), {"url": receiver.url, "events": ["ping"]}
    )
    assert response.status_code == 400
    assert not WebhookEndpoint.objects.exists()


def test_adding_a_webhook_needs_a_recent_sign_in(client, district, admin, receiver):
    client.force_login(admin)
    client.authentication_age(admin, 11 * 60)  # past the ten-minute default
    response = client.post(
        webhooks_url(district), {"url": receiver.url, "events": ["badge.awarded"]}
    )
    assert response.status_code == 302
    assert reverse("account_reauthenticate") in response["Location"]
    assert not WebhookEndpoint.objects.exists()


def test_only_the_district_s_admins_reach_the_screens(client, district, admin, learner):
    endpoint, _secret = webhooks.webhook_endpoint_create(
        district=district,
        url="http://127.0.0.1:9/hook",
        events=["badge.awarded"],
        created_by=admin,
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=uuid.uuid4(), event="ping", payload={}, state=State.GIVEN_UP
    )
    facilitator = MembershipFactory(district=district, role=Membership.Role.FACILITATOR).user
    other_admin = MembershipFactory(role=Membership.Role.DISTRICT_ADMIN).user
    gets = [
        webhooks_url(district),
        reverse("integrations:webhook_log", args=[district.slug, endpoint.pk]),
    ]
    posts = [
        reverse(f"integrations:webhook_{name}", args=[district.slug, endpoint.pk])
        for name in ("remove", "resume", "ping")
    ] + [reverse("integrations:webhook_send_again", args=[district.slug, endpoint.pk, delivery.pk])]
    for person in (learner, facilitator, other_admin):
        client.force_login(person)
        assert [client.get(url).status_code for url in gets] == [404, 404]
        assert [client.post(url).status_code for url in posts] == [404] * 4
    endpoint.refresh_from_db()
    assert not endpoint.is_removed
    # Another district's admin cannot reach this district's endpoint through their own.
    other = other_admin.memberships.get().district
    client.force_login(other_admin)
    assert (
        client.get(reverse("integrations:webhook_log", args=[other.slug, endpoint.pk])).status_code
        == 404
    )
    client.force_login(admin)
    assert [client.get(url).status_code for url in gets] == [200, 200]


def test_the_screens_read_well(admin_signed_in, district, receiver):
    endpoint_add(admin_signed_in, district, receiver.url)
    page = admin_signed_in.get(webhooks_url(district)).content.decode()
    assert '<th scope="col">Address</th>' in page and '<th scope="row">' in page
    assert '<label for="id_url">' in page
    assert "Active" in page and "None yet" in page


def test_old_finished_deliveries_are_forgotten(settings, district, admin):
    settings.LEAP_WEBHOOK_KEEP_DAYS = 30
    endpoint, _secret = webhooks.webhook_endpoint_create(
        district=district, url="http://127.0.0.1:9/hook", events=["badge.awarded"], created_by=admin
    )
    old = timezone.now() - timedelta(days=31)
    for state in (State.DELIVERED, State.GIVEN_UP, State.HELD, State.FAILED):
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id=uuid.uuid4(),
            event="ping",
            payload={},
            state=state,
            created_at=old,
        )
    recent = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=uuid.uuid4(), event="ping", payload={}, state=State.DELIVERED
    )
    assert webhooks.webhook_deliveries_purge() == 2
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {
        State.HELD,
        State.FAILED,
        State.DELIVERED,
    }
    assert WebhookDelivery.objects.filter(pk=recent.pk).exists()
