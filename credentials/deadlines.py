"""Review service levels are counted in business days (Monday to Friday). `review_due_at`
is the one rule for when a review decision is due: assigning a reviewer stores it, and the
learner's dashboard shows it before anyone is assigned."""

from datetime import UTC, datetime, timedelta, tzinfo


def add_business_days(start: datetime, days: int, *, tz: tzinfo | None = None) -> datetime:
    """The moment `days` business days after `start`, at the same time of day. Work that
    arrives at a weekend starts counting on Monday. With `tz` (the learner's district's
    zone), weekdays and the time of day are those of its calendar, whatever UTC says: work
    that arrives on a Friday evening in California is due the next Monday evening there,
    across a change of clock too. Without it, `start` is counted in its own zone."""
    if tz is not None:
        if start.tzinfo is None:
            raise ValueError("With a time zone to count in, `start` must be an aware datetime.")
        start = start.astimezone(tz)
    day = start.date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    due = datetime.combine(day, start.time(), tzinfo=start.tzinfo)
    if tz is not None:
        # A time the clocks skip that day (spring forward) becomes the real moment after it.
        due = due.astimezone(UTC).astimezone(tz)
    return due


def review_due_at(
    start: datetime, *, days: int, tz: tzinfo | None, now: datetime | None = None
) -> datetime:
    """When a review decision is due: `days` business days after `start`, counted on the
    `tz` calendar (the learner's district's; `start`'s own zone when None). With `now` (an
    estimate made before a reviewer is assigned, `start` being the moment the work was
    sent), counting starts from whichever is later, as assignment counts from the moment it
    happens: so the learner is never shown a day already past."""
    if now is not None and now > start:
        start = now
    return add_business_days(start, days, tz=tz)
