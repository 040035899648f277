from celery import shared_task
from django.core.management import call_command

from cms import health


@shared_task
def pages_publish_scheduled() -> None:
    """Publish pages whose scheduled time has come and unpublish expired ones (beat)."""
    call_command("publish_scheduled")


@shared_task
def worker_heartbeat() -> None:
    """Note that a worker runs tasks (beat, every minute); /health/ reads it."""
    health.worker_heartbeat_record()
