"""Writes for running a cohort: creating and editing it, its schedule, and its members
(joining, the waiting list, leaving).

Every service is keyword-only, runs in one transaction and raises `LeapError` with
sentences for the person, changing nothing, when it cannot do what was asked. Permission
checks belong to the views (`learning.cohorts.permissions`); these services check what
must hold whoever asks (capacity, dates, who belongs to the district).

Member services lock the cohort's row first, so two people taking the last place, or a
leave and a join at the same moment, are served one after the other: the waiting list is
promoted in the order people joined it.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.errors import LeapError
from accounts.models import User
from accounts.services import notify
from cms.models import BookPage, MicroCredentialPage, PathwayPage
from learning.cohorts import schedule
from learning.models import Cohort, CohortMember, CohortSession, District, Membership

TAKING_PLACES = [CohortMember.State.ACTIVE, CohortMember.State.COMPLETED]
_TITLE_MAX = CohortSession._meta.get_field("title").max_length
_READING_MAX = CohortSession._meta.get_field("reading").max_length


# Creating and editing a cohort.


def _named(cls, data: Mapping[str, Any]) -> dict[str, Any]:
    return {field.name: data[field.name] for field in fields(cls)}


@dataclass(frozen=True, kw_only=True)
class CohortDetails:
    """What the people running a cohort choose about it, when they start it and later.

    The cohort stores each of these but the facilitators in a column of the same name,
    and the form's cleaned data carries them under these names too: a new setting is
    added here and on the model, and `cohort_create`, `cohort_update` and the forms
    follow."""

    title: str
    facilitators: tuple[User, ...]
    description: str = ""
    capacity: int | None = None
    visibility: str = Cohort.Visibility.DISTRICT
    min_attendance_percent: int = 75
    min_sessions_posted: int = 0
    requires_synthesis: bool = True
    reading_hours: Decimal = Decimal(0)
    completion_badge: MicroCredentialPage | None = None

    @classmethod
    def from_form(cls, data: Mapping[str, Any]) -> Self:
        return cls(**{**_named(cls, data), "facilitators": tuple(data["facilitators"])})

    @classmethod
    def stored(cls) -> list[str]:
        """The settings the cohort keeps in its own columns (facilitators are members)."""
        return [field.name for field in fields(cls) if field.name != "facilitators"]

    def columns(self) -> dict[str, Any]:
        """The cohort's columns, with the title and description trimmed."""
        values = {name: getattr(self, name) for name in self.stored()}
        return {**values, "title": self.title.strip(), "description": self.description.strip()}


@dataclass(frozen=True, kw_only=True)
class CohortPlan:
    """What a new cohort works through and when it meets, from which its first schedule is
    made. No time zone: the district's."""

    book: BookPage | None = None
    pathway: PathwayPage | None = None
    start_date: dt.date
    weekday: int
    time_of_day: dt.time
    duration_minutes: int = 60
    time_zone: str = ""

    @classmethod
    def from_form(cls, data: Mapping[str, Any]) -> Self:
        return cls(**_named(cls, data))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise LeapError(fields={"time_zone": [f"“{name}” is not a time zone we know."]}) from None


def _units(*, book: BookPage | None, pathway: PathwayPage | None) -> list[schedule.Unit]:
    if (book is None) == (pathway is None):
        raise LeapError("Choose a book or a pathway for the cohort (one of the two).")
    units = (
        schedule.book_units(book.sections.raw_data)
        if book
        else schedule.pathway_units(pathway.steps.raw_data)
    )
    if not units:
        what = (
            f"The book “{book.title}” has no sections"
            if book
            else (f"The pathway “{pathway.title}” has no steps")
        )
        raise LeapError(f"{what} yet, so there is nothing to schedule. Choose another.")
    return units


def _check_facilitators(district: District, facilitators: tuple[User, ...]) -> None:
    if not facilitators:
        raise LeapError(fields={"facilitators": ["Choose at least one facilitator."]})
    members = set(
        Membership.objects.filter(
            district=district, user__in=facilitators, is_active=True
        ).values_list("user_id", flat=True)
    )
    outsiders = [user.display_name or user.email for user in facilitators if user.pk not in members]
    if outsiders:
        raise LeapError(
            fields={
                "facilitators": [
                    f"Facilitators must be members of {district.name}: "
                    f"{', '.join(outsiders)} is not."
                ]
            }
        )


def _set_facilitators(cohort: Cohort, facilitators: tuple[User, ...]) -> None:
    now = timezone.now()
    wanted = {user.pk for user in facilitators}
    for place in CohortMember.objects.filter(cohort=cohort, role=CohortMember.Role.FACILITATOR):
        if place.user_id not in wanted:
            # Stepping down keeps them in the cohort as an ordinary member.
            place.role = CohortMember.Role.MEMBER
            place.save(update_fields=["role"])
    existing = {p.user_id: p for p in CohortMember.objects.filter(cohort=cohort, user__in=wanted)}
    for user in facilitators:
        place = existing.get(user.pk)
        if place is None:
            CohortMember.objects.create(
                cohort=cohort,
                user=user,
                role=CohortMember.Role.FACILITATOR,
                state=CohortMember.State.ACTIVE,
                joined_at=now,
            )
        elif place.role != CohortMember.Role.FACILITATOR or place.state not in TAKING_PLACES:
            place.role = CohortMember.Role.FACILITATOR
            if place.state not in TAKING_PLACES:
                place.state, place.state_changed_at = CohortMember.State.ACTIVE, now
                place.joined_at = place.joined_at or now
            place.save(update_fields=["role", "state", "state_changed_at", "joined_at"])


def _check_title(details: CohortDetails) -> None:
    if not details.title.strip():
        raise LeapError(fields={"title": ["Give the cohort a title."]})


@transaction.atomic
def cohort_create(
    *,
    district: District,
    created_by: User,
    details: CohortDetails,
    plan: CohortPlan,
    now: dt.datetime | None = None,
) -> Cohort:
    """A cohort in the district, being planned (draft), with its facilitators and a
    schedule generated from the book's sections or the pathway's steps: one meeting a week
    from the first `weekday` on or after `start_date`, at `time_of_day` in the time zone."""
    now = now or timezone.now()
    time_zone = plan.time_zone or district.time_zone
    zone = _zone(time_zone)
    _check_title(details)
    if plan.start_date < now.astimezone(zone).date():
        raise LeapError(
            fields={"start_date": ["The start date is in the past: choose today or later."]}
        )
    if not 0 <= plan.weekday <= 6:
        raise LeapError(fields={"weekday": ["Choose a day of the week."]})
    units = _units(book=plan.book, pathway=plan.pathway)
    _check_facilitators(district, details.facilitators)
    planned = schedule.generate(
        units,
        start_date=plan.start_date,
        weekday=plan.weekday,
        time_of_day=plan.time_of_day,
        time_zone=time_zone,
        duration_minutes=plan.duration_minutes,
    )
    if planned[0].starts_at <= now:
        raise LeapError(
            fields={
                "time_of_day": [
                    "The first meeting would already have started: choose a later time or day."
                ]
            }
        )
    cohort = Cohort.objects.create(
        district=district,
        book=plan.book,
        pathway=plan.pathway,
        time_zone=time_zone,
        start_date=plan.start_date,
        created_by=created_by,
        **details.columns(),
    )
    CohortSession.objects.bulk_create(
        CohortSession(
            cohort=cohort,
            number=p.number,
            title=p.title[:_TITLE_MAX],
            reading=p.reading[:_READING_MAX],
            covers=p.covers,
            prompts=p.prompts,
            starts_at=p.starts_at,
            duration_minutes=p.duration_minutes,
        )
        for p in planned
    )
    _set_facilitators(cohort, details.facilitators)
    return cohort


def _lock(cohort: Cohort) -> Cohort:
    return Cohort.objects.select_for_update().select_related("district").get(pk=cohort.pk)


@transaction.atomic
def cohort_update(*, cohort: Cohort, details: CohortDetails) -> Cohort:
    """Change a cohort's details. The book and the schedule are not changed here (the
    schedule is edited session by session); more places promote people from the waiting
    list."""
    cohort = _lock(cohort)
    _check_title(details)
    _check_facilitators(cohort.district, details.facilitators)
    for name, value in details.columns().items():
        setattr(cohort, name, value)
    cohort.save()
    _set_facilitators(cohort, details.facilitators)
    _promote(cohort)
    return cohort


@transaction.atomic
def cohort_open(*, cohort: Cohort) -> Cohort:
    """A planned cohort opens: people may join it (as its visibility allows)."""
    cohort = _lock(cohort)
    if cohort.status != Cohort.Status.DRAFT:
        raise LeapError(f"“{cohort.title}” is not being planned any more, so it cannot be opened.")
    cohort.status = Cohort.Status.OPEN
    cohort.save(update_fields=["status"])
    return cohort


# The schedule.


def _sessions(cohort: Cohort) -> list[CohortSession]:
    return list(CohortSession.objects.filter(cohort=cohort).order_by("starts_at", "number"))


def _check_overlaps(sessions: list[CohortSession]) -> None:
    pairs = schedule.overlapping(
        [
            schedule.Slot(key=s, starts_at=s.starts_at, duration_minutes=s.duration_minutes)
            for s in sessions
        ]
    )
    if pairs:
        a, b = pairs[0]
        raise LeapError(
            f"“{a.key.title}” and “{b.key.title}” would overlap: a meeting must end before "
            "the next one starts. Nothing was changed."
        )


def _save_schedule(cohort: Cohort, sessions: list[CohortSession]) -> None:
    """Number the sessions in time order and save them (numbers are unique per cohort, so
    they are moved out of the way first)."""
    sessions = sorted(sessions, key=lambda s: (s.starts_at, s.pk or 0))
    _check_overlaps(sessions)
    top = CohortSession.objects.filter(cohort=cohort).aggregate(top=Max("number"))["top"] or 0
    existing = [s for s in sessions if s.pk]
    for offset, session in enumerate(existing, start=1):
        session.number = top + offset
    CohortSession.objects.bulk_update(existing, ["number"])
    for number, session in enumerate(sessions, start=1):
        session.number = number
        session.title = session.title[:_TITLE_MAX]
        session.save()


def _in_future(starts_at: dt.datetime, now: dt.datetime, *, field: str = "starts_at") -> None:
    if starts_at <= now:
        raise LeapError(fields={field: ["That time has passed: a meeting must be in the future."]})


def _clean_prompts(prompts: list[str]) -> list[str]:
    return [p.strip() for p in prompts if p and p.strip()]


@transaction.atomic
def session_update(
    *,
    session: CohortSession,
    starts_at: dt.datetime,
    duration_minutes: int,
    place: str = "",
    video_url: str = "",
    prompts: list[str],
    title: str | None = None,
    reading: str | None = None,
    now: dt.datetime | None = None,
) -> CohortSession:
    """Change a meeting's time, place, video link, prompts (and title or reading). A meeting
    moved must move to the future; one already past may still get its place or prompts
    corrected."""
    now = now or timezone.now()
    _lock(session.cohort)
    sessions = _sessions(session.cohort)
    target = next(s for s in sessions if s.pk == session.pk)
    if starts_at != target.starts_at:
        _in_future(starts_at, now)
    if not 15 <= duration_minutes <= 480:
        raise LeapError(
            fields={"duration_minutes": ["A meeting lasts between 15 minutes and 8 hours."]}
        )
    target.starts_at = starts_at
    target.duration_minutes = duration_minutes
    target.place = place.strip()
    target.video_url = video_url.strip()
    target.prompts = _clean_prompts(prompts)
    if title is not None:
        if not title.strip():
            raise LeapError(fields={"title": ["Give the meeting a title."]})
        target.title = title.strip()
    if reading is not None:
        target.reading = reading.strip()
    _save_schedule(session.cohort, sessions)
    return target


@transaction.atomic
def session_add(
    *,
    cohort: Cohort,
    title: str,
    starts_at: dt.datetime,
    duration_minutes: int = 60,
    reading: str = "",
    place: str = "",
    video_url: str = "",
    prompts: list[str] | None = None,
    now: dt.datetime | None = None,
) -> CohortSession:
    """An extra meeting, numbered in time order among the others."""
    now = now or timezone.now()
    _lock(cohort)
    if not title.strip():
        raise LeapError(fields={"title": ["Give the meeting a title."]})
    _in_future(starts_at, now)
    session = CohortSession(
        cohort=cohort,
        title=title.strip(),
        reading=reading.strip(),
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place.strip(),
        video_url=video_url.strip(),
        prompts=_clean_prompts(prompts or []),
    )
    _save_schedule(cohort, [*_sessions(cohort), session])
    return session


def _has_records(session: CohortSession) -> bool:
    return session.posts.exists() or session.attendance.exists()


@transaction.atomic
def session_remove(*, session: CohortSession, now: dt.datetime | None = None) -> None:
    """Take a meeting out of the schedule; the others are numbered again."""
    now = now or timezone.now()
    cohort = _lock(session.cohort)
    sessions = _sessions(cohort)
    if len(sessions) == 1:
        raise LeapError("A cohort needs at least one meeting: this is the last one.")
    if session.starts_at <= now or _has_records(session):
        raise LeapError(
            f"“{session.title}” has taken place or has posts or attendance, "
            "so it stays in the schedule."
        )
    gone = session.pk
    CohortSession.objects.filter(pk=gone).delete()
    _save_schedule(cohort, [s for s in sessions if s.pk != gone])


@transaction.atomic
def session_merge(*, session: CohortSession, now: dt.datetime | None = None) -> CohortSession:
    """Merge a meeting with the next one: the first keeps its time, and takes both readings
    and prompts; the second's posts and RSVPs move to it (answers already given for the
    first are kept)."""
    now = now or timezone.now()
    cohort = _lock(session.cohort)
    sessions = _sessions(cohort)
    index = next(i for i, s in enumerate(sessions) if s.pk == session.pk)
    if index + 1 >= len(sessions):
        raise LeapError(
            f"“{session.title}” is the last meeting: there is no next one to merge it with."
        )
    first, second = sessions[index], sessions[index + 1]
    if first.starts_at <= now:
        raise LeapError(f"“{first.title}” has already taken place, so it cannot be merged.")
    if second.attendance.exists():
        raise LeapError(f"Attendance was taken at “{second.title}”, so it cannot be merged.")
    joined = schedule.merged(_unit(first), _unit(second))
    if len(joined.reading) > _READING_MAX:
        raise LeapError(
            "The two readings together are too long for one meeting. Shorten one first."
        )
    first.title, first.reading = joined.title, joined.reading
    first.covers, first.prompts = joined.covers, joined.prompts
    first.duration_minutes = max(first.duration_minutes, second.duration_minutes)
    second.posts.update(session=first)
    answered = first.rsvps.values("user_id")
    second.rsvps.exclude(user_id__in=answered).update(session=first)
    CohortSession.objects.filter(pk=second.pk).delete()
    _save_schedule(cohort, [s for s in sessions if s is not second])
    return first


def _unit(session: CohortSession) -> schedule.Unit:
    return schedule.Unit(
        title=session.title,
        reading=session.reading,
        covers=list(session.covers or []),
        prompts=list(session.prompts or []),
    )


@transaction.atomic
def session_split(
    *, session: CohortSession, now: dt.datetime | None = None
) -> tuple[CohortSession, CohortSession]:
    """Split a meeting in two: the second part meets a week later at the same local time,
    and every later meeting moves a week later too. Readings and prompts are shared out."""
    now = now or timezone.now()
    cohort = _lock(session.cohort)
    if session.starts_at <= now:
        raise LeapError(f"“{session.title}” has already taken place, so it cannot be split.")
    zone = _zone(cohort.time_zone)
    sessions = _sessions(cohort)
    first = next(s for s in sessions if s.pk == session.pk)
    one, two = schedule.split(_unit(first))
    for later in sessions:
        if later.starts_at > first.starts_at:
            later.starts_at = schedule.same_local_time_weeks_later(later.starts_at, 1, zone)
    first.title, first.reading, first.covers, first.prompts = (
        one.title,
        one.reading,
        one.covers,
        one.prompts,
    )
    second = CohortSession(
        cohort=cohort,
        title=two.title,
        reading=two.reading,
        covers=two.covers,
        prompts=two.prompts,
        starts_at=schedule.same_local_time_weeks_later(first.starts_at, 1, zone),
        duration_minutes=first.duration_minutes,
        place=first.place,
        video_url=first.video_url,
    )
    _save_schedule(cohort, [*sessions, second])
    return first, second


# Members: joining, the waiting list, leaving.


def _is_district_member(cohort: Cohort, user: User) -> bool:
    return Membership.objects.filter(
        district_id=cohort.district_id, user=user, is_active=True, district__is_active=True
    ).exists()


def _places_taken(cohort: Cohort) -> int:
    return CohortMember.objects.filter(
        cohort=cohort, role=CohortMember.Role.MEMBER, state__in=TAKING_PLACES
    ).count()


def _is_full(cohort: Cohort) -> bool:
    return cohort.capacity is not None and _places_taken(cohort) >= cohort.capacity


def _cohort_url(cohort: Cohort) -> str:
    return reverse("cohorts:detail", args=[cohort.pk])


def _place_url(place: CohortMember) -> str:
    """Where the person finds their place: the club's page once in, else their book clubs
    (where the waiting list shows)."""
    if place.state == CohortMember.State.ACTIVE:
        return reverse("cohorts:detail", args=[place.cohort_id])
    return reverse("cohorts:list")


def _take_place(cohort: Cohort, user: User, *, place: CohortMember | None = None) -> CohortMember:
    """The person takes a place (active) or, when the cohort is full, joins the end of the
    waiting list. The cohort must be locked."""
    now = timezone.now()
    state = CohortMember.State.WAITING if _is_full(cohort) else CohortMember.State.ACTIVE
    if place is None:
        place = CohortMember(cohort=cohort, user=user, role=CohortMember.Role.MEMBER)
    place.state = state
    place.state_changed_at = now
    if state == CohortMember.State.ACTIVE:
        place.joined_at = place.joined_at or now
    place.save()
    return place


def _tell_placed(
    cohort: Cohort, user: User, place: CohortMember, *, now_in: str, url: str = ""
) -> None:
    """Tell the person they are in (`now_in`) or, the cohort being full, on its waiting
    list; the link goes where they find their place unless `url` says otherwise."""
    notify(
        user=user,
        message=now_in
        if place.state == CohortMember.State.ACTIVE
        else f"“{cohort.title}” is full: you are on its waiting list.",
        url=url or _place_url(place),
    )


def _promote(cohort: Cohort) -> list[CohortMember]:
    """Fill free places from the waiting list, first come first served, and tell each
    person promoted. The cohort must be locked."""
    promoted = []
    waiting = (
        CohortMember.objects.filter(cohort=cohort, state=CohortMember.State.WAITING)
        .select_related("user")
        .order_by("state_changed_at", "pk")
    )
    for place in waiting:
        if _is_full(cohort):
            break
        now = timezone.now()
        place.state, place.state_changed_at = CohortMember.State.ACTIVE, now
        place.joined_at = place.joined_at or now
        place.save(update_fields=["state", "state_changed_at", "joined_at"])
        notify(
            user=place.user,
            message=f"A place opened in “{cohort.title}”: you are in.",
            url=_cohort_url(cohort),
            email_template="learning/cohorts/email/promoted",
            context={"cohort_title": cohort.title},
        )
        promoted.append(place)
    return promoted


def _existing(cohort: Cohort, user: User) -> CohortMember | None:
    return CohortMember.objects.filter(cohort=cohort, user=user).first()


def _lock_place(place: CohortMember) -> tuple[Cohort, CohortMember]:
    """The cohort locked, and the place (with its person) read again inside the lock."""
    cohort = _lock(place.cohort)
    return cohort, CohortMember.objects.select_related("user").get(pk=place.pk)


def _lock_pending(place: CohortMember, state: str, answered: str) -> tuple[Cohort, CohortMember]:
    """`_lock_place`, refused with `answered` unless the place is still in `state`."""
    cohort, place = _lock_place(place)
    if place.state != state:
        raise LeapError(answered)
    return cohort, place


def _ask(cohort: Cohort, user: User, place: CohortMember | None, state: str) -> CohortMember:
    """The person is asking (requested) or being asked (invited), in their place if they
    had one."""
    place = place or CohortMember(cohort=cohort, user=user, role=CohortMember.Role.MEMBER)
    place.state, place.state_changed_at = state, timezone.now()
    place.save()
    return place


def _refuse_if_in(place: CohortMember | None, cohort: Cohort) -> None:
    if place is None or place.state == CohortMember.State.LEFT:
        return
    name = place.user.display_name or place.user.email
    messages = {
        CohortMember.State.ACTIVE: f"{name} is already in “{cohort.title}”.",
        CohortMember.State.COMPLETED: f"{name} has already completed “{cohort.title}”.",
        CohortMember.State.WAITING: f"{name} is already on the waiting list for “{cohort.title}”.",
    }
    if place.state in messages:
        raise LeapError(messages[place.state])


def _is_closed(cohort: Cohort) -> bool:
    return cohort.status in (Cohort.Status.FINISHED, Cohort.Status.CANCELLED)


def cohort_check_joinable(*, cohort: Cohort) -> None:
    """Refuse, saying why, when the cohort has finished or been cancelled."""
    if _is_closed(cohort):
        raise LeapError(
            f"“{cohort.title}” has {cohort.get_status_display().lower()}: nobody can join it now."
        )


@transaction.atomic
def member_add(*, cohort: Cohort, user: User, added_by: User | None = None) -> CohortMember:
    """A facilitator or district admin adds someone from the district's roster: they take
    a place, or the end of the waiting list when the cohort is full. A pending request or
    invitation is answered by it."""
    cohort = _lock(cohort)
    cohort_check_joinable(cohort=cohort)
    if not _is_district_member(cohort, user):
        raise LeapError(f"Only members of {cohort.district.name} can join “{cohort.title}”.")
    place = _existing(cohort, user)
    _refuse_if_in(place, cohort)
    place = _take_place(cohort, user, place=place)
    _tell_placed(cohort, user, place, now_in=f"You were added to “{cohort.title}”.")
    return place


@transaction.atomic
def member_join(*, cohort: Cohort, user: User) -> CohortMember:
    """Self sign-up, for a cohort open to the whole district."""
    cohort = _lock(cohort)
    if cohort.visibility != Cohort.Visibility.DISTRICT or cohort.status != Cohort.Status.OPEN:
        raise LeapError(f"“{cohort.title}” is not open for sign-up.")
    if not _is_district_member(cohort, user):
        raise LeapError(f"Only members of {cohort.district.name} can join “{cohort.title}”.")
    place = _existing(cohort, user)
    _refuse_if_in(place, cohort)
    return _take_place(cohort, user, place=place)


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@transaction.atomic
def member_request(*, code: str, user: User) -> CohortMember:
    """Ask to join a cohort with its join code; the facilitator approves or declines."""
    found = Cohort.objects.filter(
        join_code=normalise_code(code), visibility=Cohort.Visibility.CODE
    ).first()
    if found is None or not _is_district_member(found, user):
        raise LeapError(
            fields={
                "code": [
                    "That code does not match a book club you can join. "
                    "Check it with your facilitator."
                ]
            }
        )
    cohort = _lock(found)
    cohort_check_joinable(cohort=cohort)
    place = _existing(cohort, user)
    if place is not None and place.state == CohortMember.State.REQUESTED:
        raise LeapError(
            f"You have already asked to join “{cohort.title}”: the facilitator will answer."
        )
    _refuse_if_in(place, cohort)
    return _ask(cohort, user, place, CohortMember.State.REQUESTED)


@transaction.atomic
def member_approve(*, place: CohortMember) -> CohortMember:
    """A facilitator lets in someone who asked with the code (or onto the waiting list)."""
    cohort, place = _lock_pending(
        place, CohortMember.State.REQUESTED, "That request has already been answered."
    )
    place = _take_place(cohort, place.user, place=place)
    notify(
        user=place.user,
        message=(
            f"Your request to join “{cohort.title}” was approved."
            if place.state == CohortMember.State.ACTIVE
            else f"Your request to join “{cohort.title}” was approved; it is full, "
            "so you are on the waiting list."
        ),
        url=_place_url(place),
        email_template="learning/cohorts/email/approved",
        context={
            "cohort_title": cohort.title,
            "waiting": place.state == CohortMember.State.WAITING,
        },
    )
    return place


@transaction.atomic
def member_decline(*, place: CohortMember) -> None:
    """A facilitator declines a request to join (the person may ask again)."""
    cohort, place = _lock_pending(
        place, CohortMember.State.REQUESTED, "That request has already been answered."
    )
    user = place.user
    place.delete()
    notify(user=user, message=f"Your request to join “{cohort.title}” was not accepted this time.")


@transaction.atomic
def member_invite(*, cohort: Cohort, user: User, invited_by: User) -> CohortMember:
    """Invite someone from the district's roster by e-mail; they accept from the link,
    signed in as themselves."""
    cohort = _lock(cohort)
    cohort_check_joinable(cohort=cohort)
    if not _is_district_member(cohort, user):
        raise LeapError(
            f"Only members of {cohort.district.name} can be invited to “{cohort.title}”."
        )
    place = _existing(cohort, user)
    if place is not None and place.state == CohortMember.State.INVITED:
        raise LeapError(f"{user.display_name or user.email} has already been invited.")
    _refuse_if_in(place, cohort)
    place = _ask(cohort, user, place, CohortMember.State.INVITED)
    notify(
        user=user,
        message=(
            f"{invited_by.display_name or invited_by.email} invited you "
            f"to the book club “{cohort.title}”."
        ),
        url=reverse("cohorts:invitation", args=[cohort.pk]),
        email_template="learning/cohorts/email/invited",
        context={
            "cohort_title": cohort.title,
            "inviter": invited_by.display_name or invited_by.email,
        },
    )
    return place


@transaction.atomic
def member_accept(*, place: CohortMember) -> CohortMember:
    """The invited person accepts: a place, or the waiting list when full."""
    cohort, place = _lock_pending(
        place, CohortMember.State.INVITED, "That invitation has already been answered."
    )
    cohort_check_joinable(cohort=cohort)
    return _take_place(cohort, place.user, place=place)


@transaction.atomic
def member_from_invitation(*, cohort: Cohort, user: User) -> CohortMember | None:
    """Someone invited to the district for this book club has just joined the district:
    they take a place (or the waiting list's end when full), as if they had accepted a
    club invitation. A club that has finished or been cancelled meanwhile is left alone,
    and so is anyone already in it. Returns their place, if one was given."""
    cohort = _lock(cohort)
    place = _existing(cohort, user)
    taken = place is not None and place.state not in (
        CohortMember.State.LEFT,
        CohortMember.State.INVITED,
        CohortMember.State.REQUESTED,
    )
    if taken or _is_closed(cohort):
        return None
    place = _take_place(cohort, user, place=place)
    _tell_placed(
        cohort,
        user,
        place,
        now_in=f"Welcome to “{cohort.title}”: you are in.",
        url=_cohort_url(cohort),
    )
    return place


@transaction.atomic
def member_leave(*, place: CohortMember, removed_by: User | None = None) -> list[CohortMember]:
    """Someone leaves (or is removed, or turns down an invitation); the first on the
    waiting list takes the place. Returns those promoted."""
    cohort, place = _lock_place(place)
    name = place.user.display_name or place.user.email
    if place.state == CohortMember.State.LEFT:
        raise LeapError(f"{name} is no longer taking part.")
    if place.state == CohortMember.State.COMPLETED:
        raise LeapError(f"{name} has completed “{cohort.title}”, so their place stays.")
    if place.role == CohortMember.Role.FACILITATOR:
        others = CohortMember.objects.filter(
            cohort=cohort, role=CohortMember.Role.FACILITATOR, state__in=TAKING_PLACES
        ).exclude(pk=place.pk)
        if not others.exists():
            raise LeapError(
                "A cohort needs a facilitator: name another one before this one leaves."
            )
    place.state, place.state_changed_at = CohortMember.State.LEFT, timezone.now()
    place.save(update_fields=["state", "state_changed_at"])
    if removed_by is not None and removed_by.pk != place.user_id:
        notify(user=place.user, message=f"You are no longer in “{cohort.title}”.")
    return _promote(cohort)
