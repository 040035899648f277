from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from credentials import openbadges
from credentials.models import Assertion


@shared_task
def assertion_bake(assertion_id: int) -> str:
    from credentials.services import assertion_bake as bake

    assertion = Assertion.objects.select_related("badge_class__issuer").get(pk=assertion_id)
    return bake(assertion=assertion).baked_image.name


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def assertion_email_awarded(assertion_id: int) -> int:
    assertion = Assertion.objects.select_related("badge_class", "recipient").get(pk=assertion_id)
    context = {
        "assertion": assertion,
        "name": assertion.recipient.display_name,
        "badge_name": assertion.badge_class.name,
        "verify_url": openbadges.assertion_id(assertion),
        "badges_url": settings.SITE_URL + "/",
    }
    subject = render_to_string("credentials/email/awarded_subject.txt", context).strip()
    body = render_to_string("credentials/email/awarded_message.txt", context)
    message = EmailMultiAlternatives(subject, body, to=[assertion.recipient.email])
    return message.send()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def assertion_email_expiring(assertion_id: int) -> int:
    assertion = Assertion.objects.select_related("badge_class", "recipient").get(pk=assertion_id)
    context = {
        "assertion": assertion,
        "name": assertion.recipient.display_name,
        "badge_name": assertion.badge_class.name,
        "renew_url": assertion.badge_class.criteria_url,
        "verify_url": openbadges.assertion_id(assertion),
    }
    subject = render_to_string("credentials/email/expiring_subject.txt", context).strip()
    body = render_to_string("credentials/email/expiring_message.txt", context)
    return EmailMultiAlternatives(subject, body, to=[assertion.recipient.email]).send()


@shared_task
def assertions_remind_expiring() -> int:
    """Daily (beat): tell learners 30 days before a badge expires, with a link to renew."""
    from credentials.services import assertions_due_expiry_reminder

    due = assertions_due_expiry_reminder()
    for assertion_id in due:
        assertion_email_expiring.delay(assertion_id)
    return len(due)


@shared_task
def submission_assign(submission_id: int) -> int:
    """After a submission commits: give it its reviewers."""
    from credentials.models import Submission
    from credentials.services import review_assign

    submission = Submission.objects.filter(pk=submission_id).first()
    return len(review_assign(submission=submission)) if submission else 0


@shared_task
def reviews_reassign_overdue() -> int:
    """Hourly (beat): reassign overdue reviews and assign submissions still waiting."""
    from credentials.services import reviews_reassign_overdue as reassign

    return reassign()


@shared_task
def artifacts_purge_orphans() -> int:
    """Daily (beat): delete evidence files no artifact refers to."""
    from credentials.services import artifacts_purge_orphans as purge

    return purge()
