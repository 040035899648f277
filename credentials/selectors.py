from django.shortcuts import get_object_or_404

from credentials import openbadges
from credentials.models import Assertion, BadgeClass, Issuer
from learning.models import Membership

# The public JSON of each kind as (HTTP status, body), or None when there is no such object:
# what the public views serve and the cache keeps.


def issuer_public_json(uuid) -> tuple[int, bytes] | None:
    found = Issuer.objects.filter(uuid=uuid).first()
    return (200, openbadges.dump(openbadges.issuer_json(found))) if found else None


def badge_class_public_json(uuid) -> tuple[int, bytes] | None:
    found = BadgeClass.objects.select_related("issuer").filter(uuid=uuid).first()
    return (200, openbadges.dump(openbadges.badge_class_json(found))) if found else None


def assertion_public_json(uuid) -> tuple[int, bytes] | None:
    found = Assertion.objects.select_related("badge_class__issuer").filter(uuid=uuid).first()
    if found is None:
        return None
    if found.revoked:
        return (410, openbadges.dump(openbadges.revoked_json(found)))
    return (200, openbadges.dump(openbadges.assertion_json(found)))


def assertion_public(uuid) -> dict:
    """What the public verification page shows of an assertion (404 when unknown)."""
    assertion = get_object_or_404(
        Assertion.objects.select_related("badge_class__issuer", "recipient"), uuid=uuid
    )
    return {
        "assertion": assertion,
        "badge_class": assertion.badge_class,
        "issuer": assertion.badge_class.issuer,
        "status": assertion.status,
        "json_url": openbadges.assertion_id(assertion),
        "badge_json_url": openbadges.badge_class_id(assertion.badge_class),
        "issuer_json_url": openbadges.issuer_id(assertion.badge_class.issuer),
    }


def badge_class_public(uuid) -> dict:
    badge_class = get_object_or_404(BadgeClass.objects.select_related("issuer"), uuid=uuid)
    return {
        "badge_class": badge_class,
        "issuer": badge_class.issuer,
        "json_url": openbadges.badge_class_id(badge_class),
    }


def assertions_of(user) -> list[Assertion]:
    """A learner's badges, newest first, with what their page shows."""
    return list(
        Assertion.objects.filter(recipient=user)
        .select_related("badge_class__issuer")
        .order_by("-issued_on")
    )


def issuer_for_award(*, page, recipient) -> Issuer | None:
    """The district issuer that awards this micro-credential to the recipient: that of an
    active district the recipient is an active member of, with an arrangement to issue the
    page. When several districts qualify, the one the recipient joined first. None: the
    platform issues it."""
    membership = (
        Membership.objects.filter(
            user=recipient,
            is_active=True,
            district__is_active=True,
            district__issuer__issuing_arrangements__micro_credential_id=page.pk,
        )
        .select_related("district__issuer")
        .order_by("created_at", "pk")
        .first()
    )
    return membership.district.issuer if membership is not None else None


def district_issuer(district) -> Issuer | None:
    """The district's own issuer profile, if it has made one."""
    return Issuer.objects.filter(district=district).first()


# Evidence and review.


def submissions_of(user):
    from credentials.models import Submission

    return Submission.objects.filter(learner=user).select_related("micro_credential")


def review_queue(user) -> dict:
    """The reviewer's open assignments, soonest due first, their latest completed ones, and
    whether they lead a pool: three queries, whatever the queue's length."""
    from django.utils import timezone

    from credentials.models import Review

    base = Review.objects.filter(reviewer=user).select_related(
        "submission", "submission__micro_credential"
    )
    open_reviews = list(base.filter(state=Review.State.ASSIGNED).order_by("due_at"))
    now = timezone.now()
    for review in open_reviews:
        review.is_overdue = review.due_at < now
    from credentials.models import PoolMember

    memberships = list(
        PoolMember.objects.filter(user=user, is_active=True).values_list("is_lead", "calibrated_at")
    )
    return {
        "is_lead": any(is_lead for is_lead, _ in memberships),
        "needs_calibration": any(calibrated is None for _, calibrated in memberships),
        "open": open_reviews,
        "overdue": sum(1 for review in open_reviews if review.is_overdue),
        "done": list(base.filter(state=Review.State.COMPLETED).order_by("-completed_at")[:20]),
    }


def evidence_of(submission, *, answers: dict | None = None) -> list[dict]:
    """Each requirement the submission answers (pinned once submitted) with its answer and
    its artifacts: what the learner, reviewers and leads are shown. One query."""
    from credentials.services import requirements_for

    artifacts = list(submission.artifacts.all())
    answers = submission.answers if answers is None else answers
    return [
        {
            "requirement": requirement,
            "answer": answers.get(requirement.id, ""),
            "artifacts": [a for a in artifacts if a.slot_id == requirement.id],
        }
        for requirement in requirements_for(submission)
    ]


def decision_feedback(submission) -> list:
    """The per-criterion scores that decided a submission (the lead's when a lead decided)."""
    from credentials.models import CriterionScore, Review

    reviews = submission.reviews.filter(state=Review.State.COMPLETED)
    lead = reviews.filter(role=Review.Role.LEAD)
    deciding = lead if lead.exists() else reviews
    return list(CriterionScore.objects.filter(review__in=deciding).order_by("review_id", "pk"))
