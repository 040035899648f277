"""A real Celery worker on Redis delivers a webhook after the award commits, and delivers it
again when the outbox relay hands over the retry of a failed first try."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.utils import timezone

from accounts.models import OutboxMessage
from accounts.outbox import outbox_relay
from cms.celery import app
from cms.demo import site_tree_ensure
from credentials.services.badges import assertion_award, badge_class_for_micro_credential
from integrations import webhooks
from integrations.models import WebhookDelivery
from learning.models import Membership
from tests.factories import (
    DistrictFactory,
    MembershipFactory,
    MicroCredentialIndexPageFactory,
    MicroCredentialPageFactory,
)
from tests.integrations.webhook_receiver import WebhookReceiver
from tests.outages import wait_until

pytestmark = [
    pytest.mark.needs_redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def worker():
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


@pytest.fixture
def receiver():
    running = WebhookReceiver(fail_first=1).start()
    yield running
    running.stop()


def test_the_worker_delivers_retries_through_the_relay_and_signs(worker, receiver):
    district = DistrictFactory(slug="riverside")
    admin = MembershipFactory(district=district, role=Membership.Role.DISTRICT_ADMIN).user
    learner = MembershipFactory(district=district).user
    _endpoint, secret = webhooks.webhook_endpoint_create(
        district=district, url=receiver.url, events=["badge.awarded"], created_by=admin
    )
    page = MicroCredentialPageFactory(
        parent=MicroCredentialIndexPageFactory(parent=site_tree_ensure()), title="Data Coaching"
    )
    with transaction.atomic():
        assertion_award(recipient=learner, badge_class=badge_class_for_micro_credential(page=page))
    delivery = WebhookDelivery.objects.get()
    wait_until(
        lambda: WebhookDelivery.objects.filter(pk=delivery.pk, state="failed").exists(),
        timeout=30,
        what="the worker's first try (answered 500)",
        every=0.2,
    )
    assert receiver.count() == 1
    wait_until(
        lambda: (
            not OutboxMessage.objects.exclude(task_name=webhooks.DELIVER_TASK)
            .exclude(state=OutboxMessage.State.DONE)
            .exists()
        ),
        timeout=30,
        what="the award's other work (baking, e-mail)",
        every=0.2,
    )
    # The relay (beat's, every minute) hands the retry over once its minute has passed.
    assert outbox_relay(now=timezone.now() + timedelta(seconds=65)) == 1
    wait_until(
        lambda: WebhookDelivery.objects.filter(pk=delivery.pk, state="delivered").exists(),
        timeout=30,
        what="the worker's second try",
        every=0.2,
    )
    first, second = receiver.received
    assert second.signed_with(secret)
    assert first.headers["Leap-Webhook-Id"] == second.headers["Leap-Webhook-Id"]
    assert second.payload["data"]["badge"]["name"] == "Data Coaching"
    assert outbox_relay(now=timezone.now() + timedelta(days=2)) == 0
    assert receiver.count() == 2
