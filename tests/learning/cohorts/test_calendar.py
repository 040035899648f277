"""Calendar feeds: parsed with icalendar, the instants are right across the March DST
change in America/Chicago; the secret URL can be reset; one-off .ics for participants."""

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from learning.models import Cohort, CohortMember
from tests.factories import UserFactory
from tests.learning.cohorts.factories import (
    cohort_make,
    district_admin_of,
    facilitator_make,
    member_make,
    other_district_admin,
    signed_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(db):
    # 7 pm in Chicago each Wednesday, either side of 14 March 2027 (clocks go forward).
    return cohort_make(
        sessions=[(dt.datetime(2027, 3, 10, 19, 0), 60), (dt.datetime(2027, 3, 17, 19, 0), 90)],
    )


def events_of(body: bytes):
    calendar = Calendar.from_ical(body)
    return calendar, list(calendar.walk("VEVENT"))


def test_the_feed_has_each_meeting_at_the_right_instant_across_the_dst_change(client, cohort):
    member = member_make(cohort)
    response = client.get(reverse("cohort_feeds:feed", args=[member.calendar_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar, events = events_of(response.content)
    assert [e.decoded("dtstart").astimezone(dt.UTC) for e in events] == [
        dt.datetime(2027, 3, 11, 1, 0, tzinfo=dt.UTC),  # CST, UTC-6
        dt.datetime(2027, 3, 18, 0, 0, tzinfo=dt.UTC),  # CDT, UTC-5
    ]
    assert [e.decoded("dtend").astimezone(dt.UTC) for e in events] == [
        dt.datetime(2027, 3, 11, 2, 0, tzinfo=dt.UTC),
        dt.datetime(2027, 3, 18, 1, 30, tzinfo=dt.UTC),
    ]
    # Written in the cohort's zone, which the feed defines, so apps show 7 pm both weeks.
    assert {e["dtstart"].params["TZID"] for e in events} == {"America/Chicago"}
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    text = response.content.decode()
    assert "DTSTART;TZID=America/Chicago:20270310T190000" in text
    assert "DTSTART;TZID=America/Chicago:20270317T190000" in text


def test_events_say_what_to_read_the_prompts_and_where_with_a_stable_uid(client, cohort):
    member = member_make(cohort)
    url = reverse("cohort_feeds:feed", args=[member.calendar_token])
    _, events = events_of(client.get(url).content)
    first = events[0]
    assert str(first["summary"]) == "Empowered Educators: 1. Chapter 1"
    assert str(first["location"]) == "Library, room 2"
    assert str(first["url"]) == "https://meet.example/riverside-book-club"
    description = str(first["description"])
    assert "Read before we meet: Chapter 1, pages 1–20" in description
    assert (
        "1. What stood out in chapter 1?" in description and "2. What will you try?" in description
    )
    # Moving a meeting keeps its UID, so calendars move it rather than add a second one.
    session = cohort.sessions.get(number=1)
    session.starts_at += dt.timedelta(hours=1)
    session.save()
    _, again = events_of(client.get(url).content)
    assert again[0]["uid"] == first["uid"] and again[0]["uid"] != again[1]["uid"]
    assert again[0].decoded("dtstart") - first.decoded("dtstart") == dt.timedelta(hours=1)


def test_removed_meetings_and_cancelled_cohorts_leave_the_feed(client, cohort):
    member = member_make(cohort)
    url = reverse("cohort_feeds:feed", args=[member.calendar_token])
    cohort.sessions.get(number=2).delete()
    assert len(events_of(client.get(url).content)[1]) == 1
    cohort.status = Cohort.Status.CANCELLED
    cohort.save()
    assert client.get(url).status_code == 404


def test_only_people_taking_part_have_a_feed_and_a_reset_link_kills_the_old_one(client, cohort):
    member = member_make(cohort)
    for state in [CohortMember.State.LEFT, CohortMember.State.WAITING, CohortMember.State.INVITED]:
        CohortMember.objects.filter(pk=member.pk).update(state=state)
        assert (
            client.get(reverse("cohort_feeds:feed", args=[member.calendar_token])).status_code
            == 404
        )
    CohortMember.objects.filter(pk=member.pk).update(state=CohortMember.State.ACTIVE)
    assert client.get(reverse("cohort_feeds:feed", args=["not-a-token"])).status_code == 404

    old_url = reverse("cohort_feeds:feed", args=[member.calendar_token])
    signed_in(client, member.user)
    page = client.get(reverse("cohort_feeds:feed_page", args=[cohort.pk]))
    assert page.status_code == 200 and old_url.encode() in page.content
    # Resetting is a POST: a GET changes nothing.
    assert client.get(reverse("cohort_feeds:feed_reset", args=[cohort.pk])).status_code == 405
    response = client.post(reverse("cohort_feeds:feed_reset", args=[cohort.pk]), follow=True)
    assert "The old one no longer works" in response.content.decode()
    member.refresh_from_db()
    new_url = reverse("cohort_feeds:feed", args=[member.calendar_token])
    assert new_url != old_url and new_url.encode() in response.content
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200


def test_one_meeting_as_ics_for_participants_only(client, cohort):
    member = member_make(cohort)
    facilitator = facilitator_make(cohort)
    session = cohort.sessions.get(number=2)
    url = reverse("cohort_feeds:session_ics", args=[cohort.pk, session.pk])

    signed_in(client, member.user)
    response = client.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    _, events = events_of(response.content)
    assert len(events) == 1
    assert events[0].decoded("dtstart").astimezone(dt.UTC) == dt.datetime(
        2027, 3, 18, 0, 0, tzinfo=dt.UTC
    )
    # A session of another cohort through this cohort's URL: 404.
    other = cohort_make(sessions=[(dt.datetime(2027, 4, 1, 19, 0), 60)])
    stray = other.sessions.get()
    assert (
        client.get(reverse("cohort_feeds:session_ics", args=[cohort.pk, stray.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("cohort_feeds:session_ics", args=[other.pk, stray.pk])).status_code
        == 404
    )

    signed_in(client, facilitator.user)
    assert client.get(url).status_code == 200

    outsider = UserFactory()
    other_admin = other_district_admin()
    for person in (outsider, other_admin):
        signed_in(client, person)
        assert client.get(url).status_code == 404
        assert client.get(reverse("cohort_feeds:feed_page", args=[cohort.pk])).status_code == 404
        assert client.post(reverse("cohort_feeds:feed_reset", args=[cohort.pk])).status_code == 404

    client.logout()
    assert client.get(url).status_code == 302  # to the log-in page


def test_the_districts_admin_can_add_meetings_but_has_no_feed(client, cohort):
    admin = district_admin_of(cohort)
    signed_in(client, admin)
    page = client.get(reverse("cohort_feeds:feed_page", args=[cohort.pk]))
    assert page.status_code == 200
    assert "there is no calendar link for you" in page.content.decode()
    response = client.post(reverse("cohort_feeds:feed_reset", args=[cohort.pk]), follow=True)
    assert "You have no calendar feed for this cohort" in response.content.decode()
