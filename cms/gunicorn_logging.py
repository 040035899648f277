"""gunicorn's access log without the secrets some links carry: a password-reset key, an
e-mail confirmation key, an invitation, unsubscribe or RSVP token, a calendar feed's secret,
an OAuth code. Each is replaced by "[redacted]" in every part of the log line (request line,
path, query, referrer, headers). Used by the Dockerfile and docker-compose.yml with
`--logger-class cms.gunicorn_logging.RedactingLogger`; a proxy in front keeps its own logs
(docs/security.md says what to set there)."""

import re

from gunicorn.glogging import Logger

REDACTED = "[redacted]"
# allauth replaces the reset key with "set-password" after its first request; that is kept.
SECRET_IN_PATH = re.compile(
    r"(/accounts/password/reset/key/|/accounts/confirm-email/|/join/"
    r"|/notifications/unsubscribe/|/book-clubs/rsvp/|/book-clubs/calendar/)"
    r"(?![^/?\s]*set-password)[^/?\s]+"
)
SECRET_IN_QUERY = re.compile(r"([?&](?:code|state|key|token)=)[^&\s]+")


def redact(text: str) -> str:
    text = SECRET_IN_PATH.sub(rf"\1{REDACTED}", text)
    return SECRET_IN_QUERY.sub(rf"\1{REDACTED}", text)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            name: redact(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }
