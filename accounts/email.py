"""Sending e-mail without holding up a request: messages leave through a Celery task once the
transaction that caused them has committed, so a rolled-back change sends nothing."""

import logging

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction

logger = logging.getLogger(__name__)


def email_to_dict(message: EmailMessage) -> dict:
    """A JSON-serialisable form of a message, for the task queue."""
    return {
        "subject": str(message.subject),
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "alternatives": [
            [content, mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
    }


def email_from_dict(data: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data.get("cc", []),
        bcc=data.get("bcc", []),
        reply_to=data.get("reply_to", []),
        headers=data.get("headers", {}),
    )
    message.content_subtype = data.get("content_subtype", "plain")
    for content, mimetype in data.get("alternatives", []):
        message.attach_alternative(content, mimetype)
    return message


def email_send_on_commit(message: EmailMessage) -> None:
    """Queue the message for delivery after the current transaction commits."""
    data = email_to_dict(message)
    transaction.on_commit(lambda: _enqueue(data))


def _enqueue(data: dict) -> None:
    from .tasks import email_deliver

    # The change that caused the message is already committed: a broker or SMTP failure
    # (SMTP fails here when tasks run in-process) is logged, not turned into an error page.
    try:
        email_deliver.delay(data)
    except Exception:
        logger.exception("Could not send e-mail %r to %s", data["subject"], data["to"])
