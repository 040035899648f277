"""Who may see evidence and record reviews. Artifacts are visible only to the learner, the
reviewers assigned to the submission (while the assignment stands or once they completed
it) and lead reviewers of a pool that covers the micro-credential. Everyone else gets 404."""

from django.http import Http404

from accounts.models import User
from credentials.models import Review, Submission
from credentials.selectors.review import pool_covering_list


def is_lead_for(user: User, micro_credential_id: int) -> bool:
    return pool_covering_list(
        user=user, micro_credential_id=micro_credential_id, lead=True
    ).exists()


def can_see_evidence(user: User, submission: Submission) -> bool:
    if not user.is_authenticated:
        return False
    if submission.learner_id == user.pk:
        return True
    if Review.objects.filter(
        submission=submission, reviewer=user, state__in=Review.STANDING_STATES
    ).exists():
        return True
    # Leads see work once it was sent (and the learner confirmed its privacy), never drafts.
    sent = submission.submitted_at is not None and submission.state != Submission.State.WITHDRAWN
    return sent and is_lead_for(user, submission.micro_credential_id)


def review_for_reviewer(user: User, pk: int) -> Review:
    """The reviewer's own assignment (assigned or completed), or 404."""
    review = (
        Review.objects.select_related("submission__micro_credential")
        .filter(pk=pk, reviewer=user, state__in=Review.STANDING_STATES)
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    return review
