"""The generated schedule (learning/cohorts/schedule.py): pure, no database."""

import datetime as dt
from zoneinfo import ZoneInfo

from learning.cohorts import schedule
from learning.cohorts.schedule import Slot, Unit

CHICAGO = ZoneInfo("America/Chicago")


def section(number, title, pages="", prompts=("A prompt?",)):
    return {
        "type": "section",
        "value": {
            "number": number,
            "title": title,
            "pages": pages,
            "discussion_prompts": list(prompts),
        },
    }


def test_book_sections_become_units_in_number_order_with_their_prompts():
    units = schedule.book_units(
        [
            section(2, "Listening", "21–40", ["Who talks most?", "What did you notice?"]),
            section(1, "Why change", "1–20", ["What would you change first?"]),
            section(3, "Next steps", "", ["One thing for Monday?"]),
        ]
    )
    assert [u.reading for u in units] == [
        "Chapter 1: Why change (pp. 1–20)",
        "Chapter 2: Listening (pp. 21–40)",
        "Chapter 3: Next steps",
    ]
    assert [u.title for u in units][0] == "Chapter 1: Why change"
    assert units[1].prompts == ["Who talks most?", "What did you notice?"]
    assert [u.covers for u in units] == [[1], [2], [3]]


def test_pathway_steps_become_units_in_order_and_discussion_prompts_are_kept():
    units = schedule.pathway_units(
        [
            {"id": "a", "type": "read", "value": {"title": "Read the policy"}},
            {
                "id": "b",
                "type": "discuss",
                "value": {"title": "Compare", "prompt": "What differs?"},
            },
            {"id": "c", "type": "micro_credential", "value": {"title": "Earn it"}},
        ]
    )
    assert [u.reading for u in units] == [
        "Read: Read the policy",
        "Discuss: Compare",
        "Earn: Earn it",
    ]
    assert units[1].prompts == ["What differs?"]
    assert units[0].prompts == []
    assert [u.covers for u in units] == [["a"], ["b"], ["c"]]


def test_one_session_a_week_from_the_first_chosen_weekday():
    units = [Unit(title=f"U{n}", reading=f"R{n}") for n in range(1, 4)]
    sessions = schedule.generate(
        units,
        start_date=dt.date(2027, 1, 6),  # a Wednesday
        weekday=0,  # Monday
        time_of_day=dt.time(16, 0),
        time_zone="America/Chicago",
        duration_minutes=75,
    )
    local = [s.starts_at.astimezone(CHICAGO) for s in sessions]
    assert [d.date() for d in local] == [
        dt.date(2027, 1, 11),
        dt.date(2027, 1, 18),
        dt.date(2027, 1, 25),
    ]
    assert all(d.time() == dt.time(16, 0) for d in local)
    assert [s.number for s in sessions] == [1, 2, 3]
    assert sessions[0].starts_at.utcoffset() == dt.timedelta(0)
    assert sessions[0].ends_at - sessions[0].starts_at == dt.timedelta(minutes=75)


def test_a_start_on_the_chosen_weekday_meets_that_day():
    assert schedule.first_meeting_day(dt.date(2027, 1, 11), 0) == dt.date(2027, 1, 11)


def test_the_wall_clock_time_stays_across_the_march_daylight_saving_change():
    # Clocks go forward in Chicago on Sunday 14 March 2027.
    sessions = schedule.generate(
        [Unit(title="A", reading=""), Unit(title="B", reading=""), Unit(title="C", reading="")],
        start_date=dt.date(2027, 3, 2),
        weekday=1,  # Tuesday
        time_of_day=dt.time(19, 0),
        time_zone="America/Chicago",
        duration_minutes=60,
    )
    utc = [s.starts_at for s in sessions]
    assert utc == [
        dt.datetime(2027, 3, 3, 1, 0, tzinfo=dt.UTC),  # 7 pm CST is 01:00 UTC
        dt.datetime(2027, 3, 10, 1, 0, tzinfo=dt.UTC),
        dt.datetime(2027, 3, 17, 0, 0, tzinfo=dt.UTC),  # 7 pm CDT is 00:00 UTC
    ]
    assert {s.starts_at.astimezone(CHICAGO).time() for s in sessions} == {dt.time(19, 0)}


def test_the_wall_clock_time_stays_across_the_november_change_too():
    sessions = schedule.generate(
        [Unit(title="A", reading=""), Unit(title="B", reading="")],
        start_date=dt.date(2027, 11, 1),
        weekday=3,
        time_of_day=dt.time(8, 30),
        time_zone="America/Chicago",
        duration_minutes=60,
    )
    assert [s.starts_at.astimezone(CHICAGO).time() for s in sessions] == [dt.time(8, 30)] * 2
    assert sessions[1].starts_at - sessions[0].starts_at == dt.timedelta(days=7, hours=1)


def test_a_time_skipped_by_the_clock_change_becomes_a_real_time():
    instant = schedule.local_instant(dt.date(2027, 3, 14), dt.time(2, 30), CHICAGO)
    assert instant.astimezone(CHICAGO).time() == dt.time(3, 30)


def test_moving_by_weeks_keeps_the_local_time():
    before = schedule.local_instant(dt.date(2027, 3, 9), dt.time(19, 0), CHICAGO)
    after = schedule.same_local_time_weeks_later(before, 1, CHICAGO)
    assert after.astimezone(CHICAGO) == dt.datetime(2027, 3, 16, 19, 0, tzinfo=CHICAGO)


def test_merging_joins_readings_covers_and_prompts_and_splitting_undoes_it():
    one = Unit(
        title="Chapter 1: A", reading="Chapter 1: A (pp. 1–9)", covers=[1], prompts=["p1", "p2"]
    )
    two = Unit(title="Chapter 2: B", reading="Chapter 2: B (pp. 10–20)", covers=[2], prompts=["p3"])
    both = schedule.merged(one, two)
    assert both.title == "Chapter 1: A and Chapter 2: B"
    assert both.reading == "Chapter 1: A (pp. 1–9); Chapter 2: B (pp. 10–20)"
    assert both.covers == [1, 2]
    assert both.prompts == ["p1", "p2", "p3"]
    first, second = schedule.split(both)
    assert first.reading == one.reading and second.reading == two.reading
    assert first.title == one.title and second.title == two.title
    assert first.covers == [1] and second.covers == [2]
    # Prompts are shared out, the first part taking the extra one.
    assert first.prompts == ["p1", "p2"] and second.prompts == ["p3"]


def test_splitting_one_section_makes_two_parts_with_the_prompts_shared_out():
    first, second = schedule.split(
        Unit(title="Chapter 3: C", reading="Chapter 3: C", covers=[3], prompts=["a", "b", "c", "d"])
    )
    assert (first.title, second.title) == ("Chapter 3: C (part 1)", "Chapter 3: C (part 2)")
    assert (first.reading, second.reading) == ("Chapter 3: C (part 1)", "Chapter 3: C (part 2)")
    assert (first.prompts, second.prompts) == (["a", "b"], ["c", "d"])
    assert (first.covers, second.covers) == ([3], [])


def test_overlapping_meetings_are_found_and_back_to_back_ones_are_not():
    at = dt.datetime(2027, 1, 11, 22, 0, tzinfo=dt.UTC)
    slots = [
        Slot(key=1, starts_at=at, duration_minutes=60),
        Slot(key=2, starts_at=at + dt.timedelta(minutes=60), duration_minutes=60),  # back to back
        Slot(key=3, starts_at=at + dt.timedelta(minutes=90), duration_minutes=30),  # inside 2
        Slot(key=4, starts_at=at + dt.timedelta(days=7), duration_minutes=60),
    ]
    assert [(a.key, b.key) for a, b in schedule.overlapping(slots)] == [(2, 3)]
    assert schedule.overlapping(slots[:2] + slots[3:]) == []


def test_the_reading_adds_only_what_the_title_does_not_say():
    def beyond(title, reading):
        return schedule.reading_beyond_title(title=title, reading=reading)

    assert beyond("Chapter 2: Ready?", "Chapter 2: Ready? (pp. 23–58)") == "pages 23–58"
    assert beyond("Chapter 2: Ready?", "Chapter 2: Ready? (p. 23)") == "page 23"
    assert beyond("Chapter 2: Ready?", "Chapter 2: Ready?") == ""
    assert beyond("Chapter 2: Ready?", "") == ""
    assert beyond("The first morning", "Watch: The first morning") == ""  # a pathway step
    # Merged and split sessions, as `merged` and `split` make them.
    assert (
        beyond("Chapter 1: A and Chapter 2: B", "Chapter 1: A (pp. 1–9); Chapter 2: B (pp. 10–20)")
        == "pages 1–9; pages 10–20"
    )
    assert beyond("Chapter 3: C (part 1)", "Chapter 3: C (pp. 5–9) (part 1)") == (
        "pages 5–9 (part 1)"
    )
    assert beyond("Chapter 3: C (part 2)", "Chapter 3: C (part 2)") == ""
    # A facilitator's own words are kept whole.
    assert beyond("Chapter 2: Ready?", "Chapters 2 and 3, and the appendix") == (
        "Chapters 2 and 3, and the appendix"
    )
