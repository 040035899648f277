"""A session's discussion: threads and replies, edited by their author for a while, hidden
by a facilitator with a reason. Bodies are Markdown, shown only through cms.markdown (raw
HTML off, then sanitised), so whatever is typed, the page gets plain safe markup.

Services here keep the discussion's rules; who may call them is the views' business
(learning.cohorts.permissions)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.errors import LeapError
from accounts.models import User
from learning.cohorts.completion import completion_check_people
from learning.models import Cohort, CohortMember, CohortSession, Post

EDIT_WINDOW = timedelta(minutes=30)
BODY_MAX_CHARS = 10_000
REASON_MAX_CHARS = 255
CLOSED_STATUSES = (Cohort.Status.CANCELLED,)


def post_editable_until(post: Post) -> datetime:
    return post.created_at + EDIT_WINDOW


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise LeapError(fields={"body": ["Write something before posting."]})
    if len(body) > BODY_MAX_CHARS:
        raise LeapError(
            fields={
                "body": [
                    f"Posts can be up to {BODY_MAX_CHARS:,} characters; this one has "
                    f"{len(body):,}. Try splitting it into two."
                ]
            }
        )
    return body


def _check_open(session: CohortSession) -> None:
    if session.cohort.status in CLOSED_STATUSES:
        raise LeapError("This cohort was cancelled, so its discussion is closed.")


@transaction.atomic
def post_create(
    *,
    session: CohortSession,
    author: User,
    body: str,
    is_synthesis: bool = False,
    share_as_evidence: bool = False,
) -> Post:
    """Start a thread in the session's discussion. A synthesis post is the member's shared
    takeaway (what they will change), which a cohort's completion rule may ask for; with
    `share_as_evidence` the member agrees that it becomes the evidence on the cohort's
    badge (a synthesis posted without it withdraws that agreement)."""
    _check_open(session)
    post = Post.objects.create(
        session=session, author=author, body=_clean_body(body), is_synthesis=is_synthesis
    )
    if is_synthesis:
        CohortMember.objects.filter(cohort_id=session.cohort_id, user=author).update(
            share_synthesis_as_evidence=share_as_evidence
        )
    completion_check_people(cohort_id=session.cohort_id, user_ids=[author.pk])
    return post


@transaction.atomic
def post_reply(*, parent: Post, author: User, body: str) -> Post:
    """Reply in a thread. Threads are one level deep: a reply to a reply joins the thread."""
    _check_open(parent.session)
    root = parent.parent if parent.parent_id else parent
    if root.hidden_at is not None:
        raise LeapError("This post was hidden by the facilitator, so it takes no replies.")
    post = Post.objects.create(
        session=parent.session, author=author, parent=root, body=_clean_body(body)
    )
    completion_check_people(cohort_id=parent.session.cohort_id, user_ids=[author.pk])
    return post


@transaction.atomic
def post_edit(*, post: Post, editor: User, body: str, now: datetime | None = None) -> Post:
    """The author changes their post within EDIT_WINDOW of posting it."""
    now = now or timezone.now()
    post = Post.objects.select_for_update().select_related("session__cohort").get(pk=post.pk)
    if post.author_id != editor.pk:
        raise LeapError("Only the person who wrote a post can change it.")
    if post.hidden_at is not None:
        raise LeapError("This post was hidden by the facilitator and can no longer be changed.")
    if now > post_editable_until(post):
        minutes = int(EDIT_WINDOW.total_seconds() // 60)
        raise LeapError(
            f"Posts can be changed for {minutes} minutes after posting, and that time has "
            "passed. You can add a reply instead."
        )
    _check_open(post.session)
    post.body = _clean_body(body)
    post.edited_at = now
    post.save(update_fields=["body", "edited_at"])
    return post


@transaction.atomic
def post_hide(*, post: Post, by: User, reason: str) -> Post:
    """A facilitator hides a post from the discussion, saying why; the reason is shown in
    its place. Its text is kept, so hiding can be undone."""
    reason = (reason or "").strip()
    if not reason:
        raise LeapError(fields={"reason": ["Say why the post is hidden: its author will see it."]})
    if len(reason) > REASON_MAX_CHARS:
        raise LeapError(
            fields={"reason": [f"Keep the reason to {REASON_MAX_CHARS} characters or fewer."]}
        )
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.hidden_at is not None:
        raise LeapError("This post is already hidden.")
    post.hidden_at = timezone.now()
    post.hidden_by = by
    post.hidden_reason = reason
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return post


@transaction.atomic
def post_unhide(*, post: Post, by: User) -> Post:
    """Show a hidden post again."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.hidden_at is None:
        raise LeapError("This post is not hidden.")
    post.hidden_at = None
    post.hidden_by = None
    post.hidden_reason = ""
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return post
