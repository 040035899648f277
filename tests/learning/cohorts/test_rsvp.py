"""RSVPs: from the page, and from one-click signed links that work without logging in but
cannot be forged or used for another person or session, and change nothing on GET."""

import datetime as dt

import pytest
from django.core import signing
from django.urls import reverse

from accounts.errors import LeapError
from learning.cohorts import attendance
from learning.models import CohortMember, Rsvp
from tests.learning.cohorts.factories import (
    cohort_make,
    person_in,
    session_make,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    return session_make(cohort_make(), starts_in=dt.timedelta(days=2))


def confirm_url(token: str) -> str:
    return reverse("cohort_participation:rsvp_confirm", args=[token])


def test_rsvp_set_records_and_replaces_an_answer(session):
    ana = person_in(session.cohort)
    attendance.rsvp_set(session=session, user=ana, answer="going")
    attendance.rsvp_set(session=session, user=ana, answer="not_going")
    assert Rsvp.objects.get().answer == "not_going"
    with pytest.raises(LeapError, match="Choose"):
        attendance.rsvp_set(session=session, user=ana, answer="maybe")
    with pytest.raises(LeapError, match="Only the cohort's members"):
        attendance.rsvp_set(session=session, user=person_in(cohort_make()), answer="going")
    started = session_make(session.cohort, number=2, starts_in=-dt.timedelta(minutes=1))
    with pytest.raises(LeapError, match="already started"):
        attendance.rsvp_set(session=started, user=ana, answer="going")
    assert Rsvp.objects.get().answer == "not_going"


def test_the_link_asks_on_get_and_records_on_post_without_logging_in(client, session):
    ana = person_in(session.cohort, name="Ana Díaz")
    links = attendance.rsvp_links(session=session, user=ana)
    assert set(links) == {"going", "not_going"}
    assert links["going"].startswith("http://testserver/book-clubs/rsvp/")
    token = links["going"].rstrip("/").rsplit("/", 1)[-1]

    page = client.get(confirm_url(token))
    assert page.status_code == 200
    assert "Yes, I'm going" in page.content.decode()
    assert "Ana Díaz" in page.content.decode()
    assert not Rsvp.objects.exists()  # a mail scanner following the link changes nothing

    done = client.post(confirm_url(token))
    assert done.status_code == 200
    assert "going</strong> to “Chapter 1”" in done.content.decode()
    assert Rsvp.objects.get(user=ana, session=session).answer == "going"


def test_a_changed_token_is_refused(client, session):
    ana = person_in(session.cohort)
    ben = person_in(session.cohort)
    token = attendance.rsvp_token_make(session=session, user=ana, answer="going")
    payload, _, signature = token.rpartition(":")
    # Someone rewrites the payload for Ben and keeps Ana's signature.
    forged_payload = signing.dumps({"u": ben.pk, "s": session.pk, "a": "not_going"}, salt="x")
    forged = forged_payload.rpartition(":")[0] + ":" + signature
    for bad in (forged, token[:-2] + "xx", "not-a-token", payload):
        response = client.post(confirm_url(bad))
        assert response.status_code == 400
        assert "This link is not complete or was changed" in response.content.decode()
    # Signed with the right key but another purpose (salt): refused too.
    other_purpose = signing.dumps({"u": ben.pk, "s": session.pk, "a": "going"})
    assert client.post(confirm_url(other_purpose)).status_code == 400
    assert not Rsvp.objects.exists()


def test_a_link_answers_only_for_its_person_and_session(client, session):
    ana = person_in(session.cohort)
    ben = person_in(session.cohort)
    other = session_make(session.cohort, number=2, starts_in=dt.timedelta(days=9))
    token = attendance.rsvp_token_make(session=session, user=ana, answer="going")
    # Ben, signed in, opens Ana's link: the page says it answers for Ana, and does.
    client.force_login(ben)
    page = client.get(confirm_url(token))
    assert "the answer is recorded for them, not for you" in page.content.decode()
    client.post(confirm_url(token))
    assert list(Rsvp.objects.values_list("user_id", "session_id")) == [(ana.pk, session.pk)]
    assert not Rsvp.objects.filter(user=ben).exists()
    assert not Rsvp.objects.filter(session=other).exists()


def test_a_link_stops_working_when_the_meeting_starts_or_the_person_leaves(client, session):
    ana = person_in(session.cohort)
    token = attendance.rsvp_token_make(session=session, user=ana, answer="going")
    with pytest.raises(LeapError, match="already started"):
        attendance.rsvp_token_read(token, now=session.starts_at)
    CohortMember.objects.filter(user=ana).update(state=CohortMember.State.LEFT)
    response = client.post(confirm_url(token))
    assert response.status_code == 400
    assert "no longer in the cohort" in response.content.decode()
    assert not Rsvp.objects.exists()


def test_rsvp_from_the_page_comes_back_to_where_it_was(client, session):
    ana = person_in(session.cohort)
    client.force_login(ana)
    url = reverse("cohort_participation:rsvp", args=[session.cohort_id, session.pk])
    response = client.post(url, {"answer": "going", "next": "/book-clubs/"})
    assert response.status_code == 302 and response.url == "/book-clubs/"
    assert Rsvp.objects.get().answer == "going"
    response = client.post(url, {"answer": "not_going", "next": "https://evil.example/"})
    assert response.url == reverse(
        "cohort_participation:discussion", args=[session.cohort_id, session.pk]
    )
    assert Rsvp.objects.get().answer == "not_going"
    assert client.get(url).status_code == 405  # never a change on GET
