"""A session's discussion: threads and replies, the author's edit window, hiding with a
reason, and Markdown that can never carry script to the page."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.errors import LeapError
from learning.cohorts import discussion
from learning.models import Cohort, Post
from tests.learning.cohorts.factories import (
    cohort_make,
    facilitator_of,
    person_in,
    session_make,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    return session_make(cohort_make())


def test_a_member_starts_a_thread_and_others_reply_in_it(session):
    ana, ben = person_in(session.cohort), person_in(session.cohort)
    thread = discussion.post_create(session=session, author=ana, body="  **Chapter 1** hit home.  ")
    assert thread.body == "**Chapter 1** hit home."
    reply = discussion.post_reply(parent=thread, author=ben, body="Same for me.")
    # A reply to a reply joins the thread: threads are one level deep.
    again = discussion.post_reply(parent=reply, author=ana, body="Let's try it.")
    assert reply.parent == thread and again.parent == thread
    assert list(thread.replies.order_by("created_at")) == [reply, again]


def test_empty_or_overlong_posts_are_refused_and_nothing_is_saved(session):
    ana = person_in(session.cohort)
    with pytest.raises(LeapError) as empty:
        discussion.post_create(session=session, author=ana, body="   \n ")
    assert empty.value.fields == {"body": ["Write something before posting."]}
    with pytest.raises(LeapError, match="up to 10,000 characters"):
        discussion.post_create(session=session, author=ana, body="x" * 10_001)
    assert not Post.objects.exists()


def test_a_cancelled_cohorts_discussion_is_closed(session):
    session.cohort.status = Cohort.Status.CANCELLED
    session.cohort.save()
    with pytest.raises(LeapError, match="cancelled"):
        discussion.post_create(session=session, author=person_in(session.cohort), body="Hi")


def test_the_author_edits_within_the_window_and_no_one_else_ever(session):
    ana, ben = person_in(session.cohort), person_in(session.cohort)
    post = discussion.post_create(session=session, author=ana, body="First try")
    with pytest.raises(LeapError, match="Only the person who wrote"):
        discussion.post_edit(post=post, editor=ben, body="Taken over")
    edited = discussion.post_edit(post=post, editor=ana, body="Second try")
    assert edited.body == "Second try" and edited.edited_at is not None

    late = post.created_at + discussion.EDIT_WINDOW + dt.timedelta(seconds=1)
    with pytest.raises(LeapError, match="30 minutes after posting"):
        discussion.post_edit(post=post, editor=ana, body="Too late", now=late)
    with pytest.raises(LeapError):
        discussion.post_edit(post=post, editor=ana, body="  ")
    post.refresh_from_db()
    assert post.body == "Second try"


def test_a_facilitator_hides_with_a_reason_and_shows_it_again(session):
    ana = person_in(session.cohort)
    fran = facilitator_of(session.cohort)
    post = discussion.post_create(session=session, author=ana, body="Off topic")
    with pytest.raises(LeapError) as no_reason:
        discussion.post_hide(post=post, by=fran, reason="  ")
    assert "reason" in no_reason.value.fields
    post.refresh_from_db()
    assert post.hidden_at is None

    discussion.post_hide(post=post, by=fran, reason="Names a student")
    post.refresh_from_db()
    assert post.hidden_at and post.hidden_by == fran and post.hidden_reason == "Names a student"
    assert post.body == "Off topic"  # kept, so hiding can be undone
    with pytest.raises(LeapError, match="takes no replies"):
        discussion.post_reply(parent=post, author=ana, body="But…")
    with pytest.raises(LeapError, match="hidden by the facilitator"):
        discussion.post_edit(post=post, editor=ana, body="Edited")

    discussion.post_unhide(post=post, by=fran)
    post.refresh_from_db()
    assert post.hidden_at is None and post.hidden_reason == ""


def test_a_synthesis_post_is_flagged(session):
    ana = person_in(session.cohort)
    post = discussion.post_create(
        session=session, author=ana, body="I will start with exit tickets.", is_synthesis=True
    )
    assert Post.objects.get(pk=post.pk).is_synthesis
    assert discussion.post_editable_until(post) - timezone.now() <= discussion.EDIT_WINDOW
