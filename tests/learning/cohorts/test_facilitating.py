"""The facilitator's messages to the whole cohort and summaries after meetings: who may
write them, who is told, what members see, and bad input refused with nothing changed."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.errors import LeapError
from accounts.models import Notification, NotificationSettings
from learning.cohorts import facilitating
from learning.models import CohortMember, CohortMessage, CohortSession
from tests.factories import MembershipFactory, UserFactory
from tests.learning.cohorts.factories import (
    cohort_make,
    district_admin_of,
    evenings_ago,
    facilitator_make,
    member_make,
    other_district_admin,
    said,
    signed_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(district):
    # Two meetings held, one ahead.
    return cohort_make(district=district, sessions=evenings_ago(14, 7, -7))


@pytest.fixture
def facilitator(cohort):
    user = UserFactory(display_name="Grace Liu")
    MembershipFactory(district=cohort.district, user=user, role="facilitator")
    return facilitator_make(cohort, user).user


def test_a_message_reaches_everyone_taking_part_and_no_one_else(
    cohort, facilitator, django_capture_on_commit_callbacks
):
    ana = member_make(cohort, UserFactory(display_name="Ana"))
    done = member_make(cohort, state=CohortMember.State.COMPLETED)
    waiting = member_make(cohort, state=CohortMember.State.WAITING)
    left = member_make(cohort, state=CohortMember.State.LEFT)
    # Turned optional e-mail off: a facilitator's message is essential and still goes.
    NotificationSettings.objects.create(user=ana.user, email_non_essential=False)
    with django_capture_on_commit_callbacks(execute=True):
        message, told = facilitating.cohort_message_send(
            cohort=cohort,
            author=facilitator,
            subject="  Thursday's meeting moves   to room 4 ",
            body="See you **there**.",
        )
    assert message.subject == "Thursday's meeting moves to room 4"
    assert told == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ana.user.email, done.user.email])
    email = next(m for m in mail.outbox if m.to == [ana.user.email])
    assert email.subject == "Empowered Educators: Thursday's meeting moves to room 4"
    assert "Grace Liu wrote to everyone" in email.body and "See you **there**." in email.body
    assert f"/book-clubs/{cohort.pk}/#message-{message.pk}" in email.body
    told_ids = set(Notification.objects.values_list("user_id", flat=True))
    assert told_ids == {ana.user_id, done.user_id}
    assert waiting.user_id not in told_ids and left.user_id not in told_ids


@pytest.mark.parametrize(
    ("subject", "body", "field"),
    [
        ("", "Hello", "subject"),
        ("   ", "Hello", "subject"),
        ("x" * 201, "Hello", "subject"),
        ("Hello", "  ", "body"),
        ("Hello", "x" * 10_001, "body"),
    ],
)
def test_a_bad_message_is_refused_and_nothing_is_sent(cohort, facilitator, subject, body, field):
    member_make(cohort)
    with pytest.raises(LeapError) as refused:
        facilitating.cohort_message_send(
            cohort=cohort, author=facilitator, subject=subject, body=body
        )
    assert field in refused.value.fields
    assert not CohortMessage.objects.exists() and not Notification.objects.exists()


def test_members_read_messages_safely_on_the_cohort_page(client, cohort, facilitator):
    ana = member_make(cohort)
    facilitating.cohort_message_send(
        cohort=cohort,
        author=facilitator,
        subject="Bring chapter 3 notes",
        body="Please <script>alert(1)</script> bring **notes**.",
    )
    page = signed_in(client, ana.user).get(reverse("cohorts:detail", args=[cohort.pk]))
    html = page.content.decode()
    assert "Messages from your facilitator" in html
    assert "Bring chapter 3 notes" in html and "<strong>notes</strong>" in html
    assert "<script>alert" not in html
    # Members cannot write to the group.
    write = reverse("cohort_facilitating:messages", args=[cohort.pk])
    assert client.get(write).status_code == 404
    assert client.post(write, {"subject": "Hi", "body": "All"}).status_code == 404
    assert CohortMessage.objects.count() == 1


def test_no_messages_no_section(client, cohort):
    ana = member_make(cohort)
    page = signed_in(client, ana.user).get(reverse("cohorts:detail", args=[cohort.pk]))
    assert "Messages from your facilitator" not in page.content.decode()


def test_the_facilitator_sends_from_the_messages_page(client, cohort, facilitator):
    member_make(cohort)
    url = reverse("cohort_facilitating:messages", args=[cohort.pk])
    signed_in(client, facilitator)
    response = client.post(url, {"subject": "Welcome", "body": "Glad you are here."}, follow=True)
    html = response.content.decode()
    assert "was sent to 1 person" in html
    assert "Welcome" in html and "Glad you are here." in html
    # A bad one keeps what was typed and says why.
    response = client.post(url, {"subject": "", "body": "Kept text"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your message was not sent" in html and "Kept text" in html
    assert CohortMessage.objects.count() == 1


def test_messages_page_is_404_to_anyone_who_does_not_run_the_cohort(client, cohort):
    url = reverse("cohort_facilitating:messages", args=[cohort.pk])
    other_admin = other_district_admin()
    for user in (member_make(cohort).user, UserFactory(), other_admin):
        signed_in(client, user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to sign in
    # The district's admin may.
    assert signed_in(client, district_admin_of(cohort)).get(url).status_code == 200


def test_a_summary_after_the_meeting_is_shown_to_members_under_past_meetings(
    client, cohort, facilitator
):
    held, _, ahead = cohort.sessions.order_by("number")
    url = reverse("cohort_facilitating:summary", args=[cohort.pk, held.pk])
    signed_in(client, facilitator)
    response = client.post(url, {"summary": "We agreed to try *exit tickets*."})
    assert response.status_code == 302
    assert CohortSession.objects.get(pk=held.pk).summary == "We agreed to try *exit tickets*."
    ana = member_make(cohort)
    html = signed_in(client, ana.user).get(reverse("cohorts:detail", args=[cohort.pk])).content
    html = html.decode()
    assert "The facilitator's summary" in html and "<em>exit tickets</em>" in html
    # Members cannot write it.
    assert client.post(url, {"summary": "Mine"}).status_code == 404
    assert CohortSession.objects.get(pk=held.pk).summary == "We agreed to try *exit tickets*."


def test_saving_and_removing_a_summary_say_so(client, cohort, facilitator):
    held = cohort.sessions.get(number=1)
    url = reverse("cohort_facilitating:summary", args=[cohort.pk, held.pk])
    signed_in(client, facilitator)
    assert said(client.post(url, {"summary": "We met."}, follow=True)) == [
        (
            "success",
            "The summary of “Chapter 1” is saved; members see it on the book club's page.",
        )
    ]
    assert said(client.post(url, {"summary": ""}, follow=True)) == [
        ("success", "The summary of “Chapter 1” is removed.")
    ]
    assert CohortSession.objects.get(pk=held.pk).summary == ""


def test_a_summary_before_the_meeting_is_refused_and_nothing_changes(client, cohort, facilitator):
    ahead = cohort.sessions.get(number=3)
    with pytest.raises(LeapError, match="has not started yet"):
        facilitating.session_summary_save(session=ahead, summary="Too early")
    url = reverse("cohort_facilitating:summary", args=[cohort.pk, ahead.pk])
    signed_in(client, facilitator)
    page = client.get(url).content.decode()
    assert "has not started yet" in page and "<textarea" not in page
    response = client.post(url, {"summary": "Too early"})
    assert response.status_code == 400
    assert CohortSession.objects.get(pk=ahead.pk).summary == ""


def test_a_too_long_summary_is_refused_and_the_old_one_kept(cohort):
    held = cohort.sessions.get(number=1)
    facilitating.session_summary_save(session=held, summary="Good talk.")
    with pytest.raises(LeapError):
        facilitating.session_summary_save(session=held, summary="x" * 10_001)
    assert CohortSession.objects.get(pk=held.pk).summary == "Good talk."


def test_another_cohorts_session_answers_404(client, cohort, facilitator, district):
    other = cohort_make(district=district, title="Other", sessions=evenings_ago(3))
    foreign = other.sessions.get()
    signed_in(client, facilitator)
    url = reverse("cohort_facilitating:summary", args=[cohort.pk, foreign.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"summary": "Sneaky"}).status_code == 404
    assert CohortSession.objects.get(pk=foreign.pk).summary == ""
