from celery import shared_task


@shared_task
def enrolments_reconcile(pathway_id: int) -> int:
    from cms.models import PathwayPage
    from learning import services

    pathway = PathwayPage.objects.filter(pk=pathway_id).first()
    return services.enrolments_reconcile(pathway=pathway) if pathway else 0
