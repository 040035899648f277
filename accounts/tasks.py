from celery import shared_task

from . import services
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
