from celery import shared_task

from cms.models import PathwayPage
from learning import services


@shared_task
def enrolments_reconcile(pathway_id: int) -> int:
    pathway = PathwayPage.objects.filter(pk=pathway_id).first()
    return services.enrolments_reconcile(pathway=pathway) if pathway else 0
