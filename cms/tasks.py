from celery import shared_task
from django.core.management import call_command


@shared_task
def pages_publish_scheduled() -> None:
    """Publish pages whose scheduled time has come and unpublish expired ones (beat)."""
    call_command("publish_scheduled")
