"""A real Celery worker on Redis records what its task does in the audit log as the task's:
no person, no address, `origin` naming the task."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.utils import timezone

from accounts.jobs import job_enqueue_on_commit
from accounts.models import AuditEntry
from cms.celery import app
from cms.demo import site_tree_ensure
from credentials.models import Assertion
from learning.models import CohortMember
from tests.factories import MicroCredentialIndexPageFactory, MicroCredentialPageFactory, UserFactory
from tests.learning.cohorts.factories import cohort_make, member_make
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


def test_a_badge_awarded_by_the_worker_is_recorded_as_the_tasks(worker):
    home = site_tree_ensure()
    cohort = cohort_make()
    cohort.completion_badge = MicroCredentialPageFactory(
        parent=MicroCredentialIndexPageFactory(parent=home), title="Book Club: Leading Together"
    )
    cohort.save()
    member = member_make(
        cohort,
        UserFactory(email="lee@school.example", display_name="Lee Park"),
        state=CohortMember.State.COMPLETED,
        completed_at=timezone.now(),
    )
    with transaction.atomic():  # as completion queues it: through the outbox, after commit
        job_enqueue_on_commit("credentials.tasks.cohort_badge_award", member.pk)
    assertion = wait_until(
        lambda: Assertion.objects.filter(recipient=member.user).first(),
        timeout=30,
        what="the worker to award the badge",
        every=0.2,
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.BADGE_AWARDED)
    assert entry.target_id == str(assertion.pk)
    assert entry.origin == "task credentials.tasks.cohort_badge_award"
    assert entry.actor is None and entry.ip is None and entry.request_id == ""
    assert entry.target_label == "“Book Club: Leading Together” for Lee Park (lee@school.example)"
