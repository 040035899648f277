"""The participation screens: who sees them (everyone else gets 404, on every URL with an
object id), what they show, that script never reaches the page, that a refused post keeps
its text, and that the discussion and the roster cost the same queries for 10 and 200."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.cohorts import attendance, discussion
from learning.models import Attendance, Post
from tests.learning.cohorts.factories import (
    cohort_make,
    district_admin_of,
    facilitator_of,
    outsiders,
    person_in,
    query_count,
    said,
    session_make,
)
from tests.throttling import limit

pytestmark = pytest.mark.django_db


@pytest.fixture
def club():
    cohort = cohort_make()
    session = session_make(cohort, starts_in=-dt.timedelta(minutes=5))
    ana = person_in(cohort, name="Ana Díaz")
    post = discussion.post_create(session=session, author=ana, body="My first post")
    return cohort, session, ana, post


def urls(cohort, session, post) -> dict[str, tuple[str, str]]:
    """Every participation URL with an object id: name -> (url, who may use it)."""
    c, s, p = cohort.pk, session.pk, post.pk

    def url(name, *args):
        return reverse(f"cohort_participation:{name}", args=args)

    return {
        "discussion": (url("discussion", c, s), "participant"),
        "post_reply": (url("post_reply", c, p), "participant"),
        "post_edit": (url("post_edit", c, p), "author"),
        "rsvp": (url("rsvp", c, s), "participant"),
        "checkin": (url("checkin", c, s), "participant"),
        "post_hide": (url("post_hide", c, p), "runs"),
        "post_unhide": (url("post_unhide", c, p), "runs"),
        "attendance": (url("attendance", c, s), "runs"),
        "checkin_code": (url("checkin_code", c, s), "runs"),
        "checkin_code_json": (url("checkin_code_json", c, s), "runs"),
        "roster": (url("roster", c), "runs"),
    }


def test_everyone_outside_the_cohort_gets_404_on_every_url(client, club):
    cohort, session, _ana, post = club
    for person in outsiders(cohort):
        client.force_login(person)
        for name, (url, _who) in urls(cohort, session, post).items():
            assert client.get(url).status_code in (404, 405), (name, person)
            assert (
                client.post(url, {"body": "x", "reason": "x", "answer": "going"}).status_code == 404
            ), name
    assert Post.objects.count() == 1 and post.hidden_at is None


def test_members_get_404_on_what_runs_the_cohort_and_on_others_posts_edit(client, club):
    cohort, session, _ana, post = club
    ben = person_in(cohort)
    client.force_login(ben)
    for name, (url, who) in urls(cohort, session, post).items():
        status = client.get(url).status_code
        if who == "participant":
            assert status in (200, 405), name
        else:
            assert status in (404, 405), name  # 405: a POST-only URL, whoever asks
            assert client.post(url, {"reason": "x", "body": "x"}).status_code == 404, name
    post.refresh_from_db()
    assert post.hidden_at is None and post.body == "My first post"


def test_an_object_id_from_another_cohort_is_404_even_for_a_facilitator(client, club):
    cohort, session, _ana, post = club
    other = cohort_make(title="Elsewhere")
    other_session = session_make(other)
    fran = facilitator_of(cohort)
    client.force_login(fran)
    # This cohort's id with the other cohort's session and post.
    for name in ("discussion", "attendance", "checkin_code", "checkin"):
        url = reverse(f"cohort_participation:{name}", args=[cohort.pk, other_session.pk])
        assert client.get(url).status_code == 404, name
    other_post = discussion.post_create(
        session=other_session, author=person_in(other), body="Elsewhere"
    )
    url = reverse("cohort_participation:post_hide", args=[cohort.pk, other_post.pk])
    assert client.post(url, {"reason": "x"}).status_code == 404


def test_facilitators_and_district_admins_use_every_screen(client, club):
    cohort, session, _ana, post = club
    for person in (facilitator_of(cohort), district_admin_of(cohort)):
        client.force_login(person)
        for name in ("discussion", "attendance", "checkin_code", "checkin_code_json", "roster"):
            url, _who = urls(cohort, session, post)[name]
            assert client.get(url).status_code == 200, name


def test_script_in_a_post_never_reaches_the_page(client, club):
    cohort, session, ana, _post = club
    client.force_login(ana)
    url = reverse("cohort_participation:discussion", args=[cohort.pk, session.pk])
    body = (
        "**Bold** idea\n\n<script>alert('x')</script>\n\n"
        '<img src=x onerror="alert(1)">\n\n[click](javascript:alert(1))\n\n'
        '<a href="https://example.org" onclick="steal()">link</a>'
    )
    response = client.post(url, {"body": body})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "<strong>Bold</strong>" in page
    assert "<script>alert" not in page
    # No tag carries an event handler (typed ones show as harmless text).
    assert not re.search(r"<[a-z][^<>]*\son\w+\s*=", page)
    assert "<img" not in page.split("<main", 1)[1]
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;" in page  # shown as the words typed, harmless


def test_an_invalid_post_keeps_its_text(client, club):
    cohort, session, ana, post = club
    client.force_login(ana)
    url = reverse("cohort_participation:discussion", args=[cohort.pk, session.pk])
    long_text = "A thought I do not want to lose. " * 400
    response = client.post(url, {"body": long_text, "is_synthesis": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Your post is not up yet" in page and "A thought I do not want to lose." in page
    assert 'name="is_synthesis" checked' in page or "checked" in page
    assert Post.objects.count() == 1

    reply_url = reverse("cohort_participation:post_reply", args=[cohort.pk, post.pk])
    response = client.post(reply_url, {"body": "   "})
    assert response.status_code == 400
    assert "Your reply is not up yet" in response.content.decode()
    assert '<details class="reply-box" open>' in response.content.decode()


def test_replies_show_under_their_thread(client, club):
    cohort, session, ana, post = club
    ben = person_in(cohort, name="Ben Okafor")
    client.force_login(ben)
    reply_url = reverse("cohort_participation:post_reply", args=[cohort.pk, post.pk])
    response = client.post(reply_url, {"body": "I *agree*"})
    reply = Post.objects.get(parent=post)
    assert response.url.endswith(f"#post-{reply.pk}")
    page = client.get(response.url.split("#")[0]).content.decode()
    assert "I <em>agree</em>" in page
    assert page.index("My first post") < page.index("I <em>agree</em>")


def test_the_author_edits_on_the_page_until_the_window_closes(client, club):
    cohort, session, ana, post = club
    client.force_login(ana)
    edit_url = reverse("cohort_participation:post_edit", args=[cohort.pk, post.pk])
    assert "My first post" in client.get(edit_url).content.decode()
    assert client.post(edit_url, {"body": "My *better* post"}).status_code == 302
    post.refresh_from_db()
    assert post.body == "My *better* post"

    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    response = client.post(edit_url, {"body": "Rewritten much later"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "30 minutes after posting" in page and "Rewritten much later" in page
    post.refresh_from_db()
    assert post.body == "My *better* post"


def test_a_facilitator_hides_a_post_and_everyone_sees_the_reason(client, club):
    cohort, session, ana, post = club
    fran = facilitator_of(cohort)
    client.force_login(fran)
    hide_url = reverse("cohort_participation:post_hide", args=[cohort.pk, post.pk])
    response = client.post(hide_url, {"reason": ""})
    assert response.status_code == 400 and "The post is still showing" in response.content.decode()
    client.post(hide_url, {"reason": "Shares a student's name"})
    client.force_login(ana)
    page = client.get(
        reverse("cohort_participation:discussion", args=[cohort.pk, session.pk])
    ).content.decode()
    assert "Hidden by the facilitator:</strong> Shares a student&#x27;s name" in page
    assert "My first post" not in page


def test_each_change_to_a_post_and_each_answer_says_so(client, club):
    cohort, session, ana, post = club

    def post_to(name, *args, data=None):
        url = reverse(f"cohort_participation:{name}", args=[cohort.pk, *args])
        return said(client.post(url, data or {}, follow=True))

    client.force_login(ana)
    assert post_to("post_edit", post.pk, data={"body": "My second thought"}) == [
        ("success", "Your post is changed.")
    ]
    ahead = session_make(cohort, number=2, title="Chapter 2")
    assert post_to("rsvp", ahead.pk, data={"answer": "not_going"}) == [
        ("success", "Thanks: you are not going to “Chapter 2”.")
    ]
    assert post_to("rsvp", ahead.pk, data={"answer": "going"}) == [
        ("success", "Thanks: you are going to “Chapter 2”.")
    ]
    assert post_to("rsvp", ahead.pk, data={"answer": "perhaps"}) == [
        ("error", "Choose “Going” or “Not going”.")
    ]

    client.force_login(facilitator_of(cohort))
    assert post_to("post_hide", post.pk, data={"reason": "Off topic"}) == [
        ("success", "The post is hidden; the reason shows in its place.")
    ]
    assert post_to("post_unhide", post.pk) == [("success", "The post shows again.")]
    assert post_to("post_unhide", post.pk) == [("error", "This post is not hidden.")]


def test_attendance_page_saves_many_and_keeps_choices_on_error(client, club):
    cohort, session, ana, _post = club
    ben = person_in(cohort, name="Ben Okafor")
    fran = facilitator_of(cohort)
    client.force_login(fran)
    url = reverse("cohort_participation:attendance", args=[cohort.pk, session.pk])
    page = client.get(url).content.decode()
    assert "Attendance for Ana Díaz" in page and "Attendance for Ben Okafor" in page
    response = client.post(url, {f"status_{ana.pk}": "present", f"status_{ben.pk}": "maybe"})
    assert response.status_code == 400 and "Nothing was saved" in response.content.decode()
    assert not Attendance.objects.exists()
    response = client.post(url, {f"status_{ana.pk}": "present", f"status_{ben.pk}": "late"})
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("user_id", "status")) == {
        ana.pk: "present",
        ben.pk: "late",
    }


def test_checking_in_on_the_page(client, club):
    cohort, session, ana, _post = club
    client.force_login(ana)
    url = reverse("cohort_participation:checkin", args=[cohort.pk, session.pk])
    now = timezone.now()
    stale = attendance.checkin_code(session=session, at=now - dt.timedelta(minutes=5))
    if stale not in {
        attendance.checkin_code(session=session, at=now - dt.timedelta(seconds=s)) for s in (0, 60)
    }:
        response = client.post(url, {"code": stale})
        assert response.status_code == 400
        assert "it changes every minute" in response.content.decode()
    response = client.post(url, {"code": attendance.checkin_code(session=session)})
    assert response.status_code == 302
    assert "You are checked in" in client.get(url).content.decode()
    assert Attendance.objects.get(user=ana).status == "present"


def test_guessing_check_in_codes_is_limited(client, settings, club):
    cohort, session, ana, _post = club
    limit(settings, "check-in-code", {"user": (3, 900)}, person=ana)
    client.force_login(ana)
    url = reverse("cohort_participation:checkin", args=[cohort.pk, session.pk])
    right = attendance.checkin_code(session=session)
    wrong = [code for code in ("000000", "111111", "222222", "333333") if code != right][:3]
    for code in wrong:
        assert client.post(url, {"code": code}).status_code == 400
    refused = client.post(url, {"code": right})
    assert refused.status_code == 429
    assert "Too many codes that did not match" in refused.content.decode()
    assert not Attendance.objects.filter(user=ana).exists()


def test_the_code_page_shows_the_current_code(client, club):
    cohort, session, _ana, _post = club
    client.force_login(facilitator_of(cohort))
    url = reverse("cohort_participation:checkin_code", args=[cohort.pk, session.pk])
    page = client.get(url).content.decode()
    code = attendance.checkin_code(session=session)
    assert (
        code in page
        or attendance.checkin_code(session=session, at=timezone.now() - dt.timedelta(seconds=60))
        in page
    )
    data = client.get(
        reverse("cohort_participation:checkin_code_json", args=[cohort.pk, session.pk])
    ).json()
    assert data["is_open"] and len(data["code"]) == 6 and 0 < data["seconds_left"] <= 60


def test_the_roster_shows_attendance_and_posts_per_member(client, club):
    cohort, session, ana, _post = club
    ben = person_in(cohort, name="Ben Okafor")
    fran = facilitator_of(cohort)
    attendance.attendance_record(
        session=session, by=fran, statuses={ana.pk: "present", ben.pk: "absent"}
    )
    discussion.post_create(session=session, author=ana, body="Synthesis", is_synthesis=True)
    client.force_login(fran)
    response = client.get(reverse("cohort_participation:roster", args=[cohort.pk]))
    rows = {r.user.pk: r for r in response.context["roster"].rows}
    assert rows[ana.pk].attended == 1 and rows[ana.pk].posts == 2 and rows[ana.pk].has_synthesis
    assert rows[ben.pk].attended == 0 and rows[ben.pk].posts == 0
    assert fran.pk not in rows
    page = response.content.decode()
    assert "1 of 1 (100%)" in page and "0 of 1 (0%)" in page


# ---- Query counts ----


def grow(cohort, session, size: int) -> None:
    """`size` members, each with a post, a reply, an RSVP and an attendance record, over
    two sessions."""
    later = session_make(cohort, number=2, starts_in=-dt.timedelta(days=7))
    fran = facilitator_of(cohort, name="Grower")
    for n in range(size):
        person = person_in(cohort, name=f"Member {n}")
        thread = Post.objects.create(session=session, author=person, body=f"Post {n}")
        Post.objects.create(session=session, author=person, parent=thread, body="Reply")
        Post.objects.create(session=later, author=person, body="Later", is_synthesis=n % 2 == 0)
        Attendance.objects.create(session=session, user=person, status="present", via="facilitator")
        Attendance.objects.create(
            session=later, user=person, status="late", via="facilitator", recorded_by=fran
        )


@pytest.mark.parametrize("screen", ["discussion", "roster", "attendance"])
def test_screens_cost_the_same_queries_for_10_and_200(client, screen):
    counts = []
    for size in (10, 200):
        cohort = cohort_make(title=f"Club of {size}")
        session = session_make(cohort, starts_in=-dt.timedelta(minutes=5))
        grow(cohort, session, size)
        viewer = facilitator_of(cohort)
        client.force_login(viewer)
        args = [cohort.pk] if screen == "roster" else [cohort.pk, session.pk]
        counts.append(query_count(client, reverse(f"cohort_participation:{screen}", args=args)))
    assert counts[0] == counts[1], counts


def test_a_member_chooses_whether_their_synthesis_is_the_badges_evidence(client, club):
    """The choice is offered only when the club awards a badge, and the latest synthesis
    decides: a later one posted without it withdraws the agreement."""
    from learning.models import CohortMember
    from tests.factories import MicroCredentialPageFactory

    cohort, session, ana, _post = club
    url = reverse("cohort_participation:discussion", args=[cohort.pk, session.pk])
    client.force_login(ana)
    assert "as the evidence on the book club" not in client.get(url).content.decode()

    from cms.demo import site_tree_ensure

    cohort.completion_badge = MicroCredentialPageFactory(parent=site_tree_ensure())
    cohort.save()
    assert "as the evidence on the book club" in client.get(url).content.decode()
    place = CohortMember.objects.get(cohort=cohort, user=ana)

    client.post(
        url, {"body": "I will try exit tickets.", "is_synthesis": "on", "share_as_evidence": "on"}
    )
    place.refresh_from_db()
    assert place.share_synthesis_as_evidence is True
    client.post(url, {"body": "Changed my mind: keep this one private.", "is_synthesis": "on"})
    place.refresh_from_db()
    assert place.share_synthesis_as_evidence is False
    # An ordinary post leaves the choice as it is.
    client.post(url, {"body": "Just a thought.", "share_as_evidence": "on"})
    place.refresh_from_db()
    assert place.share_synthesis_as_evidence is False
