"""A verification's result: each check with its outcome in plain words, the badge as it
describes itself, and one verdict for the whole."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils import timezone

from credentials.verification.fetch import Fetcher, FetchError
from credentials.verification.unpack import scrubbed

PASSED, FAILED, WARNING = "passed", "failed", "warning"

# Verdicts, worst first: the first that applies is the badge's.
UNREADABLE, INVALID, REVOKED, EXPIRED, NOT_YET_VALID, NOT_RECIPIENT, VALID = (
    "unreadable",
    "invalid",
    "revoked",
    "expired",
    "not_yet_valid",
    "not_recipient",
    "valid",
)
HEADLINES = {
    UNREADABLE: "Leap could not read this as a badge",
    INVALID: "This badge did not verify",
    REVOKED: "This badge has been revoked by its issuer",
    EXPIRED: "This badge has expired",
    NOT_YET_VALID: "This badge is not valid yet",
    NOT_RECIPIENT: "This badge is genuine, but not issued to that e-mail address",
    VALID: "This badge is genuine and current",
}


@dataclass
class Check:
    label: str  # what was checked: "Signature", "Status", "Expiry"…
    outcome: str  # PASSED, FAILED or WARNING
    message: str  # what it means, in plain words

    def as_json(self) -> dict:
        return {"check": self.label, "outcome": self.outcome, "message": self.message}


@dataclass
class Badge:
    """The badge as it describes itself (trust it only as far as the checks go)."""

    name: str = ""
    description: str = ""
    issuer_name: str = ""
    issuer_id: str = ""
    issuer_url: str = ""
    issued_on: datetime | None = None
    expires_on: datetime | None = None
    id: str = ""
    criteria_url: str = ""

    def tidy(self) -> None:
        """Links the badge gives are shown as links: only web addresses (never a
        `javascript:` one a forger wrote); names trimmed to a readable length."""
        for name in ("issuer_url", "criteria_url"):
            value = getattr(self, name)
            if not str(value).lower().startswith(("https://", "http://")):
                setattr(self, name, "")
        self.name, self.issuer_name = self.name[:300], self.issuer_name[:300]
        self.description = self.description[:2000]

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "issuer": {"id": self.issuer_id, "name": self.issuer_name, "url": self.issuer_url},
            "issuedOn": self.issued_on.isoformat() if self.issued_on else None,
            "expires": self.expires_on.isoformat() if self.expires_on else None,
            "criteria": self.criteria_url,
        }


@dataclass
class Verification:
    format: str = ""  # "Open Badges 2.0, hosted", "Open Badges 3.0, Data Integrity proof"…
    source: str = ""
    emails: list[str] = field(default_factory=list)  # whose badge it should be, when asked
    badge: Badge = field(default_factory=Badge)
    checks: list[Check] = field(default_factory=list)
    status: str = ""  # REVOKED, or "" when not revoked (or not known)
    status_reason: str = ""
    unreadable: str = ""  # why the input is not a badge at all
    unreachable: bool = False  # a fetch failed: the answer may change when the site is back
    document: dict | str | None = None  # the badge as read (JSON, or the JWT)
    fetcher: Fetcher = field(default_factory=Fetcher, repr=False)
    now: datetime = field(default_factory=timezone.now)

    # ---- while checking ----
    def passed(self, label: str, message: str) -> None:
        self.checks.append(Check(label, PASSED, message))

    def failed(self, label: str, message: str) -> None:
        self.checks.append(Check(label, FAILED, message))

    def warning(self, label: str, message: str) -> None:
        self.checks.append(Check(label, WARNING, message))

    def revoked(self, reason: str = "") -> None:
        self.status, self.status_reason = REVOKED, reason
        message = "Its issuer has revoked it."
        if reason:
            message += f" The reason given: “{reason}”."
        self.failed("Status", message)

    def get_json(self, url: str, *, what: str) -> tuple[int, dict]:
        """Fetch `url` as JSON: (HTTP status, object). Raises FetchError with what it is."""
        try:
            answer = self.fetcher.get(url)
        except FetchError:
            self.unreachable = True
            raise
        if answer.status >= 400 and answer.status not in (410,):
            self.unreachable = answer.status >= 500 or answer.status == 429
            raise FetchError(f"The {what} at {url} could not be fetched (HTTP {answer.status}).")
        try:
            data = scrubbed(json.loads(answer.text()))
        except (ValueError, RecursionError) as error:
            raise FetchError(f"The {what} at {url} is not JSON.") from error
        if not isinstance(data, dict):
            raise FetchError(f"The {what} at {url} is not a JSON object.")
        return answer.status, data

    def times_check(self, valid_from: datetime | None, valid_until: datetime | None) -> None:
        self.badge.issued_on, self.badge.expires_on = valid_from, valid_until
        if valid_until and valid_until <= self.now:
            self.failed("Expiry", f"It expired on {valid_until:%-d %B %Y}.")
        elif valid_from and valid_from > self.now:
            self.failed("Expiry", f"It is not valid until {valid_from:%-d %B %Y}.")
        elif valid_until:
            self.passed("Expiry", f"It is valid until {valid_until:%-d %B %Y}.")
        else:
            self.passed("Expiry", "It does not expire.")

    def recipient_check(self, identities: list[dict]) -> None:
        """Whether any of the badge's recipient identities is one of the e-mail addresses
        asked about."""
        if not self.emails:
            return
        for email in self.emails:
            if any(identity_matches(identity, email) for identity in identities):
                self.passed("Recipient", f"It was issued to {email}.")
                return
        self.failed("Recipient", f"It was not issued to {' or '.join(self.emails)}.")

    # ---- the outcome ----
    @property
    def verdict(self) -> str:
        if self.unreadable:
            return UNREADABLE
        failed = {check.label for check in self.checks if check.outcome == FAILED}
        if failed - {"Status", "Expiry", "Recipient"}:
            return INVALID
        if self.status == REVOKED:
            return REVOKED
        if "Status" in failed:
            return INVALID  # the status could not be checked
        if "Expiry" in failed:
            return (
                NOT_YET_VALID
                if self.badge.issued_on and self.badge.issued_on > self.now
                else EXPIRED
            )
        if "Recipient" in failed:
            return NOT_RECIPIENT
        return VALID if self.checks else UNREADABLE

    @property
    def headline(self) -> str:
        return HEADLINES[self.verdict]

    @property
    def reason(self) -> str:
        """The first thing that went wrong, for a one-line answer."""
        if self.unreadable:
            return self.unreadable
        for check in self.checks:
            if check.outcome == FAILED:
                return check.message
        return ""

    def as_json(self) -> dict:
        return {
            "verdict": self.verdict,
            "headline": self.headline,
            "reason": self.reason,
            "format": self.format,
            "source": self.source,
            "badge": None if self.unreadable else self.badge.as_json(),
            "checks": [check.as_json() for check in self.checks],
            "checkedAt": self.now.isoformat(),
        }


def identity_matches(identity: dict, email: str) -> bool:
    """An OB 2.0 IdentityObject or OB 3.0 IdentityObject (`identity` / `identityHash`)."""
    kind = identity.get("identityType") or identity.get("type")
    if kind not in ("email", "emailAddress"):
        return False
    value = str(identity.get("identityHash") or identity.get("identity") or "")
    if not identity.get("hashed"):
        return value.strip().lower() == email.lower()
    algorithm, _, expected = value.partition("$")
    if algorithm.lower() not in ("sha256", "md5"):
        return False
    salt = str(identity.get("salt") or "")
    return any(
        hashlib.new(algorithm.lower(), (candidate + salt).encode()).hexdigest() == expected.lower()
        for candidate in {email, email.lower()}
    )


def parsed_time(value) -> datetime | None:
    """An ISO 8601 / xsd:dateTime string (or a JWT's seconds), aware; None if absent or not
    a time."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, ValueError, OSError):
            return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("z", "Z"))
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)  # a time that UTC cannot hold is no time
    except (ValueError, OverflowError):
        return None


def unreadable(reason: str, *, source: str = "") -> Verification:
    return Verification(unreadable=reason, source=source)
