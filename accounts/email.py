"""E-mail, one way for every message Leap sends: rendered from a pair of templates
(`<name>_subject.txt`, `<name>_message.txt`) and delivered by a Celery task once the
transaction that caused it has committed, so a rolled-back change sends nothing. Messages
to a person go through `accounts.services.notify`, which also honours their preferences;
`email_send` alone is for addresses that are not (yet) anyone's account; allauth's adapter
hands its own rendered mail to `email_send_on_commit`."""

import logging

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string

from accounts.jobs import job_enqueue_on_commit, jobs_enqueue_on_commit

logger = logging.getLogger(__name__)


def email_render(
    *, template: str, context: dict, to: list[str], headers: dict | None = None
) -> EmailMultiAlternatives:
    """The message made from `template` ("credentials/email/awarded" reads
    awarded_subject.txt and awarded_message.txt there). The subject is one plain line;
    `headers` are extra ones such as List-Unsubscribe."""
    subject = render_to_string(f"{template}_subject.txt", context)
    body = render_to_string(f"{template}_message.txt", context)
    return EmailMultiAlternatives(" ".join(subject.split()), body, to=to, headers=headers)


def email_send(*, template: str, context: dict, to: list[str], headers: dict | None = None) -> None:
    """Render now, deliver after commit."""
    email_send_on_commit(email_render(template=template, context=context, to=to, headers=headers))


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


def _label(data: dict) -> str:
    return f"e-mail {data['subject']!r} to {', '.join(data['to'])}"


def email_send_on_commit(message: EmailMessage) -> None:
    """Queue the message for delivery after the current transaction commits."""
    data = email_to_dict(message)
    job_enqueue_on_commit("accounts.tasks.email_deliver", data, label=_label(data))


def emails_send_on_commit(messages: list[EmailMessage]) -> None:
    """Queue many messages (a bulk award's) for delivery after commit, in one insert; each
    is still delivered, retried and logged on its own. More than one is bulk mail, which
    waits behind other work (a one-off message, such as a sign-in link, does not)."""
    jobs = []
    for message in messages:
        data = email_to_dict(message)
        jobs.append(([data], _label(data)))
    if jobs:
        jobs_enqueue_on_commit("accounts.tasks.email_deliver", jobs, bulk=len(jobs) > 1)
