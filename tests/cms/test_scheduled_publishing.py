"""Editors schedule pages; the beat task publishes them when their time comes."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from cms.models import PathwayPage
from cms.tasks import pages_publish_scheduled
from tests.factories import PathwayPageFactory

pytestmark = pytest.mark.django_db


def test_a_scheduled_pathway_goes_live_when_its_time_comes(sections):
    page = PathwayPageFactory(parent=sections.pathways, title="Next Term", live=False)
    page.go_live_at = timezone.now() + timedelta(hours=1)
    revision = page.save_revision()
    revision.publish()  # with a future go-live date this schedules instead of publishing
    assert not PathwayPage.objects.get(pk=page.pk).live

    pages_publish_scheduled()
    assert not PathwayPage.objects.get(pk=page.pk).live  # not yet

    # An hour later (simulated): the scheduled time has passed.
    revision.refresh_from_db()
    past = timezone.now() - timedelta(minutes=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save()
    pages_publish_scheduled()
    assert PathwayPage.objects.get(pk=page.pk).live


def test_beat_runs_scheduled_publishing():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "cms.tasks.pages_publish_scheduled" in tasks
    assert "credentials.tasks.assertions_remind_expiring" in tasks
