"""RSVPs and attendance for a cohort's meetings.

- RSVP: going or not going, from the page or from a one-click link in an e-mail. The link
  holds a signed token (django.core.signing, a salt of its own) binding the person, the
  session and the answer; it works without logging in until the meeting starts, and
  changing any part of it breaks the signature.
- Attendance: the facilitator records present, late, absent or excused for many members at
  once; or members check in with the meeting's code, six digits that change every minute
  (an HMAC of the session's secret and the minute, like TOTP with a 60-second step; the
  current and the previous code are accepted), only while the meeting is on.

Services keep these rules; the views check who may call them (learning.cohorts.permissions).
"""

import hashlib
import hmac
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.errors import LeapError
from accounts.models import User
from learning.cohorts.completion import completion_check_people
from learning.cohorts.permissions import TAKING_PART
from learning.models import Attendance, CohortMember, CohortSession, Rsvp

RSVP_SALT = "leap.cohorts.rsvp"
CHECKIN_STEP_SECONDS = 60
CHECKIN_OPENS_BEFORE = timedelta(minutes=15)
# Checking in up to this long after the start counts as present; later is late.
CHECKIN_LATE_AFTER = timedelta(minutes=10)


def _is_member(session: CohortSession, user: User) -> bool:
    return CohortMember.objects.filter(
        cohort_id=session.cohort_id, user=user, state__in=TAKING_PART
    ).exists()


# ---- RSVP ----


@transaction.atomic
def rsvp_set(
    *, session: CohortSession, user: User, answer: str, now: datetime | None = None
) -> Rsvp:
    """Record whether the person is going to the meeting, replacing an earlier answer.
    Answers close when the meeting starts."""
    now = now or timezone.now()
    if answer not in Rsvp.Answer.values:
        raise LeapError("Choose “Going” or “Not going”.")
    if now >= session.starts_at:
        raise LeapError("This meeting has already started, so answers are closed.")
    if not _is_member(session, user):
        raise LeapError("Only the cohort's members can answer for its meetings.")
    rsvp, _ = Rsvp.objects.update_or_create(session=session, user=user, defaults={"answer": answer})
    return rsvp


def rsvp_token_make(*, session: CohortSession, user: User, answer: str) -> str:
    """A token for a one-click RSVP link: this person, this session, this answer."""
    return signing.dumps({"u": user.pk, "s": session.pk, "a": answer}, salt=RSVP_SALT)


@dataclass(frozen=True)
class RsvpRequest:
    session: CohortSession
    user: User
    answer: str

    @property
    def answer_label(self) -> str:
        return Rsvp.Answer(self.answer).label


def rsvp_token_read(token: str, *, now: datetime | None = None) -> RsvpRequest:
    """What a one-click link asks for; LeapError when it was altered, is for a meeting that
    has started or for someone no longer in the cohort."""
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=RSVP_SALT)
        user_id, session_id, answer = int(data["u"]), int(data["s"]), str(data["a"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LeapError(
            "This link is not complete or was changed. Open the cohort page to answer instead."
        ) from None
    session = CohortSession.objects.select_related("cohort__district").filter(pk=session_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if session is None or user is None or answer not in Rsvp.Answer.values:
        raise LeapError("This link no longer works. Open the cohort page to answer instead.")
    if now >= session.starts_at:
        raise LeapError("This meeting has already started, so the link no longer works.")
    if not _is_member(session, user):
        raise LeapError("This link was for someone who is no longer in the cohort.")
    return RsvpRequest(session=session, user=user, answer=answer)


def rsvp_links(*, session: CohortSession, user: User) -> dict[str, str]:
    """Absolute one-click links for an e-mail, by answer ("going", "not_going")."""
    return {
        answer: settings.SITE_URL
        + reverse(
            "cohort_participation:rsvp_confirm",
            args=[rsvp_token_make(session=session, user=user, answer=answer)],
        )
        for answer in Rsvp.Answer.values
    }


# ---- Attendance taken by the facilitator ----


@transaction.atomic
def attendance_record(
    *,
    session: CohortSession,
    by: User,
    statuses: dict[int, str],
    now: datetime | None = None,
) -> list[Attendance]:
    """Record attendance for many members at once: {user id: status}. Everything is checked
    first; one wrong entry changes nothing. Only "excused" can be given before the meeting
    starts. A mark changed after the meeting's hours were credited leaves the credit as it
    is (the rows say so: `Attendance.credited_without_attendance`)."""
    now = now or timezone.now()
    members = set(
        CohortMember.objects.filter(
            cohort_id=session.cohort_id, role=CohortMember.Role.MEMBER, state__in=TAKING_PART
        ).values_list("user_id", flat=True)
    )
    problems = []
    if any(user_id not in members for user_id in statuses):
        problems.append("Attendance can only be taken for the cohort's members.")
    if any(status not in Attendance.Status.values for status in statuses.values()):
        problems.append("Choose present, late, absent or excused for each person.")
    early = [s for s in statuses.values() if s != Attendance.Status.EXCUSED]
    if now < session.starts_at and early:
        problems.append(
            "The meeting has not started yet: only “Excused” can be recorded before it."
        )
    if problems:
        raise LeapError(problems)
    recorded = [
        Attendance.objects.update_or_create(
            session=session,
            user_id=user_id,
            defaults={"status": status, "via": Attendance.Via.FACILITATOR, "recorded_by": by},
        )[0]
        for user_id, status in statuses.items()
    ]
    completion_check_people(cohort_id=session.cohort_id, user_ids=statuses, now=now)
    return recorded


# ---- Check-in with the meeting's code ----


def checkin_window(session: CohortSession) -> tuple[datetime, datetime]:
    """When members can check in: from a little before the meeting until it ends."""
    start = session.starts_at - CHECKIN_OPENS_BEFORE
    return start, session.starts_at + timedelta(minutes=session.duration_minutes)


def checkin_is_open(session: CohortSession, now: datetime | None = None) -> bool:
    opens, closes = checkin_window(session)
    return opens <= (now or timezone.now()) < closes


def _step(at: datetime) -> int:
    return int(at.timestamp()) // CHECKIN_STEP_SECONDS


def _code_for_step(secret: str, step: int) -> str:
    # HOTP's dynamic truncation (RFC 4226) over HMAC-SHA256 of the step number.
    digest = hmac.new(secret.encode(), struct.pack(">Q", step), hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def checkin_code(*, session: CohortSession, at: datetime | None = None) -> str:
    """The six-digit code shown at the meeting for the minute containing `at`."""
    return _code_for_step(session.checkin_secret, _step(at or timezone.now()))


def checkin_code_seconds_left(at: datetime | None = None) -> int:
    """Seconds until the code shown now changes."""
    return CHECKIN_STEP_SECONDS - int((at or timezone.now()).timestamp()) % CHECKIN_STEP_SECONDS


@transaction.atomic
def checkin_submit(
    *, session: CohortSession, user: User, code: str, now: datetime | None = None
) -> Attendance:
    """A member checks in with the code on the facilitator's screen: present when on time,
    late after CHECKIN_LATE_AFTER. Someone already marked present or late keeps that record;
    someone marked absent or excused ahead who comes after all is checked in. A new
    check-in counts toward completion at once."""
    now = now or timezone.now()
    opens, closes = checkin_window(session)
    if now < opens:
        raise LeapError("Check-in opens 15 minutes before the meeting starts.")
    if now >= closes:
        raise LeapError("This meeting has ended, so check-in is closed. Ask your facilitator.")
    if not _is_member(session, user):
        raise LeapError("Only the cohort's members can check in.")
    code = "".join((code or "").split())
    if len(code) != 6 or not code.isdigit():
        raise LeapError(fields={"code": ["Type the six digits shown at the meeting."]})
    step = _step(now)
    if not any(
        hmac.compare_digest(code, _code_for_step(session.checkin_secret, s))
        for s in (step, step - 1)
    ):
        raise LeapError(
            fields={
                "code": [
                    "That code is not the one on screen now: it changes every minute. "
                    "Type the code shown at the meeting at this moment."
                ]
            }
        )
    status = (
        Attendance.Status.PRESENT
        if now <= session.starts_at + CHECKIN_LATE_AFTER
        else Attendance.Status.LATE
    )
    attendance, created = Attendance.objects.select_for_update().get_or_create(
        session=session,
        user=user,
        defaults={"status": status, "via": Attendance.Via.CHECK_IN, "recorded_by": user},
    )
    if not created and attendance.via == Attendance.Via.CHECK_IN:
        return attendance  # checked in already: the first time stands
    if not created and attendance.is_attended:
        return attendance
    if not created:
        # Marked absent or excused ahead, then came after all.
        attendance.status = status
        attendance.via = Attendance.Via.CHECK_IN
        attendance.recorded_by = user
        attendance.save(update_fields=["status", "via", "recorded_by", "recorded_at"])
    completion_check_people(cohort_id=session.cohort_id, user_ids=[user.pk], now=now)
    return attendance
