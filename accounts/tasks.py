import logging

from celery import shared_task

from . import batch, outbox, services, year_rollups
from .email import email_from_dict
from .outbox import EMAIL_RETRY_DELAYS, MINUTE, outbox_task

logger = logging.getLogger(__name__)


@outbox_task(time_limit=MINUTE, retry_delays=EMAIL_RETRY_DELAYS)
def email_deliver(data: dict) -> int:
    """Deliver one queued message; returns how many were sent (0 or 1). An SMTP failure is
    retried by the outbox over about forty hours (EMAIL_RETRY_DELAYS); the message is
    marked done as soon as the server took it, so a replay does not send it again."""
    return email_from_dict(data).send()


@outbox_task(time_limit=MINUTE)
def email_verification_resend(email: str) -> bool:
    return services.email_verification_resend(email=email)


@shared_task
def notifications_send_digests() -> int:
    """Daily: one e-mail per person who chose the digest, with what is new since the last."""
    return services.digests_send()


@shared_task(time_limit=5 * MINUTE, soft_time_limit=5 * MINUTE - 10)
def outbox_relay() -> int:
    """Every minute (beat), and as a worker starts: hand over queued work whose time has
    come (see accounts.outbox)."""
    return outbox.outbox_relay()


@outbox_task(time_limit=14 * MINUTE)
def batch_run(job_id: int) -> None:
    """A long staff action's rows, chunk by chunk (accounts.batch); safe to run twice. A
    run stopped by its time limit leaves its chunks done, and the next run goes on."""
    batch.batch_run(job_id=job_id)


@shared_task
def batches_resume_stalled() -> int:
    """Every five minutes: queue again the background jobs whose run was lost."""
    return batch.batches_resume_stalled()


@shared_task(time_limit=5 * MINUTE, soft_time_limit=5 * MINUTE - 10)
def rollup_groups_compact() -> dict:
    """Every ten minutes (beat): sum each group's rows of the district figures into one
    (`year_rollups.GroupRollup`), so the dashboard reads few rows after a busy hour."""
    return {
        rollup.rollup: rollup.compact()
        for rollup in year_rollups.ROLLUPS
        if isinstance(rollup, year_rollups.GroupRollup)
    }


@shared_task(time_limit=10 * MINUTE, soft_time_limit=10 * MINUTE - 10)
def rollup_groups_mend() -> dict:
    """Daily (beat): compare each district roll-up with its sources summed afresh, and sum
    it again where they differ (after a restore, or writes with the triggers off). Logged
    as an error: the triggers are meant to keep them equal."""
    mended = {}
    for rollup in year_rollups.ROLLUPS:
        if isinstance(rollup, year_rollups.GroupRollup):
            drifted = rollup.drift()
            if drifted:
                logger.error(
                    "%s: %s groups differed from a fresh sum; summed again", rollup.rollup, drifted
                )
                rollup.sync(rebuild=True)
            mended[rollup.rollup] = drifted
    return mended
