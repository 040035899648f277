"""A cohort's schedule as plain data: the sessions generated from a book's sections or a
pathway's steps, one a week, and the facilitator's edits (merge, split, overlaps).

Pure: no database. Meeting times are written in the cohort's time zone and kept as aware
UTC instants; each week is computed from the local calendar date and wall-clock time, so a
7 pm meeting stays at 7 pm when daylight saving starts or ends.
"""

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from cms.blocks import PathwayStepsBlock

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
READING_SEPARATOR = "; "


@dataclass(frozen=True)
class Unit:
    """What one session covers: a book section or a pathway step."""

    title: str
    reading: str
    covers: list = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlannedSession:
    number: int
    title: str
    reading: str
    covers: list
    prompts: list[str]
    starts_at: dt.datetime  # aware, UTC
    duration_minutes: int

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


def book_units(sections_raw: list[dict]) -> list[Unit]:
    """One unit per section of a BookPage (its `sections.raw_data`), in number order:
    "Chapter 2: Title (pp. 21–40)", with the section's discussion prompts."""
    sections = [item.get("value") or {} for item in sections_raw if item.get("type") == "section"]
    units = []
    for value in sorted(sections, key=lambda v: int(v.get("number") or 0)):
        number, title = value.get("number"), (value.get("title") or "").strip()
        reading = f"Chapter {number}: {title}"
        if pages := (value.get("pages") or "").strip():
            reading += f" (pp. {pages})"
        prompts = [p.strip() for p in value.get("discussion_prompts") or [] if p and p.strip()]
        units.append(
            Unit(
                title=f"Chapter {number}: {title}",
                reading=reading,
                covers=[number],
                prompts=prompts,
            )
        )
    return units


def _pages_in_words(text: str) -> str:
    """ "(pp. 23–58)" → "pages 23–58", "(p. 9)" → "page 9"; other text as it is."""
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1].strip()
    return re.sub(r"^p\.\s*", "page ", re.sub(r"^pp\.\s*", "pages ", text))


def _beyond(title: str, reading: str) -> str | None:
    """What `reading` says after `title` when it starts with it, else None."""
    if not title or not reading.startswith(title):
        return None
    return _pages_in_words(reading[len(title) :].strip(" ,;:–-"))


def reading_beyond_title(*, title: str, reading: str) -> str:
    """What a session's reading adds to its title, so that a page showing both says each
    thing once: "pages 23–58" for the reading "Chapter 2: Ready? (pp. 23–58)" of the
    session "Chapter 2: Ready?"; "pages 1–22; pages 23–58" for two merged chapters; ""
    when the reading only repeats the title (or names a pathway step's kind before it,
    "Watch: The first morning"); otherwise the reading as written (a facilitator's own,
    "Chapters 2 and 3")."""
    title, reading = title.strip(), reading.strip()
    if not reading or reading == title or reading.endswith(f": {title}"):
        return ""
    if (rest := _beyond(title, reading)) is not None:
        return rest
    # A split session: both end in the same "(part 1)"; a merged one: "A and B" read as
    # "A (pp. …); B (pp. …)".
    part = re.search(r"\s\(part \d+\)$", title)
    if part and reading.endswith(part.group()):
        rest = _beyond(title[: part.start()], reading[: -len(part.group())])
        if rest is not None:
            return f"{rest} {part.group().strip()}".strip()
    titles, readings = title.split(" and "), reading.split(READING_SEPARATOR)
    if len(titles) == len(readings) > 1:
        rests = [_beyond(t, r) for t, r in zip(titles, readings, strict=True)]
        if all(rests):
            return READING_SEPARATOR.join(rests)
    return reading


def _kind_label(kind: str) -> str:
    block = PathwayStepsBlock.base_blocks.get(kind)
    return getattr(block, "kind_label", None) or kind.replace("_", " ").capitalize()


def pathway_units(steps_raw: list[dict]) -> list[Unit]:
    """One unit per step of a PathwayPage (its `steps.raw_data`), in order; a reflect or
    discuss step's prompt becomes the session's prompt."""
    units = []
    for item in steps_raw:
        value = item.get("value") or {}
        title = (value.get("title") or "").strip()
        prompt = (value.get("prompt") or "").strip()
        units.append(
            Unit(
                title=title,
                reading=f"{_kind_label(item.get('type', ''))}: {title}",
                covers=[item.get("id")],
                prompts=[prompt] if prompt else [],
            )
        )
    return units


def local_instant(day: dt.date, time_of_day: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of a wall-clock time on a date in a zone. A time skipped when the
    clocks go forward is read as the same time after the change (2:30 becomes 3:30)."""
    local = dt.datetime.combine(day, time_of_day, tzinfo=zone)
    # Round-trip through UTC: a skipped time normalises to a real one.
    return local.astimezone(dt.UTC)


def first_meeting_day(start_date: dt.date, weekday: int) -> dt.date:
    """The first date on or after `start_date` that falls on `weekday` (0 is Monday)."""
    return start_date + dt.timedelta(days=(weekday - start_date.weekday()) % 7)


def generate(
    units: list[Unit],
    *,
    start_date: dt.date,
    weekday: int,
    time_of_day: dt.time,
    time_zone: str,
    duration_minutes: int,
) -> list[PlannedSession]:
    """One session per unit, a week apart, from the first `weekday` on or after
    `start_date`, at `time_of_day` in `time_zone`."""
    zone = ZoneInfo(time_zone)
    first = first_meeting_day(start_date, weekday)
    return [
        PlannedSession(
            number=n,
            title=unit.title,
            reading=unit.reading,
            covers=list(unit.covers),
            prompts=list(unit.prompts),
            starts_at=local_instant(first + dt.timedelta(weeks=n - 1), time_of_day, zone),
            duration_minutes=duration_minutes,
        )
        for n, unit in enumerate(units, start=1)
    ]


def same_local_time_weeks_later(instant: dt.datetime, weeks: int, zone: ZoneInfo) -> dt.datetime:
    """`instant` moved by whole weeks, keeping its wall-clock time in `zone`."""
    local = instant.astimezone(zone)
    return local_instant(local.date() + dt.timedelta(weeks=weeks), local.time(), zone)


def merged(first: Unit, second: Unit) -> Unit:
    """Two adjacent sessions as one: titles, readings, what they cover and prompts joined."""
    return Unit(
        title=f"{first.title} and {second.title}",
        reading=READING_SEPARATOR.join(r for r in (first.reading, second.reading) if r),
        covers=[*first.covers, *second.covers],
        prompts=[*first.prompts, *second.prompts],
    )


def _halves(items: list) -> tuple[list, list]:
    middle = (len(items) + 1) // 2
    return items[:middle], items[middle:]


def split(unit: Unit) -> tuple[Unit, Unit]:
    """One session as two. What it covers and its prompts are shared out (the first part
    takes the extra one); a reading joined by a merge comes apart again, otherwise both
    parts read the same, marked part 1 and part 2."""
    first_covers, second_covers = _halves(list(unit.covers))
    first_prompts, second_prompts = _halves(list(unit.prompts))
    readings = [r for r in unit.reading.split(READING_SEPARATOR) if r]
    if len(readings) > 1:
        first_readings, second_readings = _halves(readings)
        first_reading = READING_SEPARATOR.join(first_readings)
        second_reading = READING_SEPARATOR.join(second_readings)
    else:
        first_reading = f"{unit.reading} (part 1)" if unit.reading else ""
        second_reading = f"{unit.reading} (part 2)" if unit.reading else ""
    titles = unit.title.split(" and ")
    if len(titles) > 1:
        first_titles, second_titles = _halves(titles)
        first_title, second_title = " and ".join(first_titles), " and ".join(second_titles)
    else:
        first_title, second_title = f"{unit.title} (part 1)", f"{unit.title} (part 2)"
    return (
        replace(
            unit,
            title=first_title,
            reading=first_reading,
            covers=first_covers,
            prompts=first_prompts,
        ),
        replace(
            unit,
            title=second_title,
            reading=second_reading,
            covers=second_covers,
            prompts=second_prompts,
        ),
    )


@dataclass(frozen=True)
class Slot:
    """A meeting's time, for overlap checks: `key` says which meeting it is."""

    key: object
    starts_at: dt.datetime
    duration_minutes: int

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


def overlapping(slots: list[Slot]) -> list[tuple[Slot, Slot]]:
    """The pairs of meetings whose times overlap (one starts before the other ends)."""
    ordered = sorted(slots, key=lambda s: (s.starts_at, s.ends_at))
    pairs = []
    for i, slot in enumerate(ordered):
        for later in ordered[i + 1 :]:
            if later.starts_at >= slot.ends_at:
                break
            pairs.append((slot, later))
    return pairs
