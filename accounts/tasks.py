from celery import shared_task

from . import batch, services
from .email import email_from_dict


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_deliver(data: dict) -> int:
    """Deliver one queued message; returns how many were sent (0 or 1)."""
    return email_from_dict(data).send()


@shared_task
def email_verification_resend(email: str) -> bool:
    return services.email_verification_resend(email=email)


@shared_task
def notifications_send_digests() -> int:
    """Daily: one e-mail per person who chose the digest, with what is new since the last."""
    return services.digests_send()


@shared_task(acks_late=True)
def batch_run(job_id: int) -> None:
    """A long staff action's rows, chunk by chunk (accounts.batch); safe to run twice."""
    batch.batch_run(job_id=job_id)


@shared_task
def batches_resume_stalled() -> int:
    """Every five minutes: queue again the background jobs whose run was lost."""
    return batch.batches_resume_stalled()
