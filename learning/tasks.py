from celery import shared_task
from django.utils import timezone

from accounts.outbox import MINUTE, outbox_task
from cms.models import PathwayPage
from learning import services


@outbox_task(time_limit=10 * MINUTE)
def enrolments_reconcile(pathway_id: int) -> int:
    """After an editor publishes a pathway: complete the enrolments that are now done."""
    pathway = PathwayPage.objects.filter(pk=pathway_id).first()
    return services.enrolments_reconcile(pathway=pathway) if pathway else 0


@shared_task
def pd_goals_remind_behind() -> int:
    """Monthly (beat): remind the people behind their district's PD-hours goal."""
    return services.pd_goals_remind_behind(today=timezone.localdate())
