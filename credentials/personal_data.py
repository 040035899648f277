"""What credentials holds about a person, for the download and for deleting the account (see
`accounts.data_rights`): their submissions and evidence, the reviews of their work (never
who wrote them: review is blind both ways), their badges, and, for reviewers, their
reviewing."""

from django.db import transaction
from django.utils.text import get_valid_filename, slugify

from accounts.data_rights import ExportFile, Section, SectionData, StoredFile
from accounts.jobs import job_enqueue_on_commit
from accounts.models import User
from credentials.models import (
    Artifact,
    Assertion,
    AttemptAllowance,
    CalibrationScore,
    ExternalBadge,
    PoolMember,
    Review,
    Submission,
)
from credentials.openbadges import cache as public_cache
from credentials.openbadges import ob2
from credentials.services.badges import assertion_revoke

REVOKED_ON_DELETION = "Revoked at the holder's request when they deleted their Leap account."


def _evidence_file(submission: Submission, artifact: Artifact) -> ExportFile:
    name = get_valid_filename(artifact.original_name or artifact.name) or "file"
    return ExportFile(
        path=f"files/evidence/{submission.number}/{artifact.pk}-{name}",
        size=artifact.size,
        open=lambda: artifact.file.open("rb"),
    )


def _submissions(user: User) -> SectionData:
    submissions = (
        Submission.objects.filter(learner=user)
        .select_related("micro_credential")
        .prefetch_related("artifacts")
        .order_by("pk")
    )
    records, files = [], []
    for s in submissions:
        evidence = []
        for artifact in s.artifacts.all():
            if artifact.is_link:
                evidence.append({"slot": artifact.slot_id, "link": artifact.url})
                continue
            found = _evidence_file(s, artifact)
            files.append(found)
            evidence.append({"slot": artifact.slot_id, "file": found.path, "bytes": artifact.size})
        records.append(
            {
                "submission": s.number,
                "micro_credential": s.micro_credential.title,
                "attempt": s.attempt,
                "state": s.get_state_display(),
                "started": s.created_at,
                "submitted": s.submitted_at,
                "decided": s.decided_at,
                "answers": s.answers,
                "evidence": evidence,
            }
        )
    allowances = AttemptAllowance.objects.filter(learner=user).select_related("micro_credential")
    for allowance in allowances.order_by("created_at"):
        records.append(
            {
                "another_attempt_allowed": allowance.micro_credential.title,
                "note": allowance.note,
                "allowed": allowance.created_at,
            }
        )
    return SectionData(records=records, files=files)


def _feedback(user: User) -> SectionData:
    """The reviews of the person's work, numbered within each submission, never named."""
    reviews = (
        Review.objects.filter(submission__learner=user, state=Review.State.COMPLETED)
        .select_related("submission")
        .prefetch_related("scores")
        .order_by("submission_id", "completed_at", "pk")
    )
    records, seen = [], {}
    for review in reviews:
        if review.role == Review.Role.LEAD:
            who = "Lead reviewer"
        else:
            seen[review.submission_id] = seen.get(review.submission_id, 0) + 1
            who = f"Reviewer {seen[review.submission_id]}"
        records.append(
            {
                "submission": review.submission.number,
                "review": who,
                "completed": review.completed_at,
                "decision": review.get_decision_display(),
                "criteria": [
                    {"criterion": s.title, "result": s.get_result_display(), "feedback": s.feedback}
                    for s in review.scores.all()
                ],
            }
        )
    return SectionData(records=records)


def _badges(user: User) -> SectionData:
    assertions = Assertion.objects.filter(recipient=user).select_related("badge_class__issuer")
    records, files = [], []
    for a in assertions.order_by("issued_on"):
        record = {
            "badge": a.badge_class.name,
            "issuer": a.badge_class.issuer.name,
            "issued": a.issued_on,
            "expires": a.expires_on,
            "status": Assertion.Status(a.status).label,
            "revocation_reason": a.revocation_reason,
            "name_shown_publicly": a.is_public,
            "verify_at": ob2.assertion_id(a),
            "open_badges_2": ob2.revoked_json(a) if a.revoked else ob2.assertion_json(a),
        }
        if a.baked_image:
            stem = f"{slugify(a.badge_class.name)}-{str(a.uuid)[:8]}"
            extension = a.baked_image.name.rsplit(".", 1)[-1]
            record["baked_image"] = f"files/badges/{stem}.{extension}"
            files.append(
                ExportFile(
                    path=record["baked_image"],
                    size=a.baked_image.size
                    if a.baked_image.storage.exists(a.baked_image.name)
                    else 0,
                    open=lambda image=a.baked_image: image.open("rb"),
                )
            )
        records.append(record)
    for external in ExternalBadge.objects.filter(holder=user).order_by("added_at"):
        records.append(
            {
                "badge": external.name,
                "issuer": external.issuer_name,
                "earned_elsewhere": True,
                "issued": external.issued_on,
                "expires": external.expires_on,
                "status": external.get_verdict_display(),
                "last_checked": external.checked_at,
                "as_you_gave_it": external.given,
            }
        )
    return SectionData(records=records, files=files)


def _reviewing(user: User) -> SectionData:
    memberships = PoolMember.objects.filter(user=user).select_related("pool").order_by("pk")
    reviews = (
        Review.objects.filter(reviewer=user).select_related("submission").prefetch_related("scores")
    )
    calibration = CalibrationScore.objects.filter(reviewer=user).select_related("exemplar__pool")
    return SectionData(
        records=[
            {
                "pools": [
                    {
                        "pool": m.pool.name,
                        "lead": m.is_lead,
                        "active": m.is_active,
                        "joined": m.joined_at,
                    }
                    for m in memberships
                ],
                "reviews_you_wrote": [
                    {
                        "submission": r.submission.number,
                        "role": r.get_role_display(),
                        "state": r.get_state_display(),
                        "assigned": r.assigned_at,
                        "completed": r.completed_at,
                        "decision": r.get_decision_display(),
                        "criteria": [
                            {"criterion": s.title, "result": s.result, "feedback": s.feedback}
                            for s in r.scores.all()
                        ],
                    }
                    for r in reviews.order_by("assigned_at", "pk")
                ],
                "calibration_scores": [
                    {"pool": c.exemplar.pool.name, "scored": c.created_at, "results": c.results}
                    for c in calibration.order_by("pk")
                ],
            }
        ]
    )


SECTIONS = [
    Section(
        name="submissions",
        about="your submissions: answers, links and files (in files/evidence/), extra attempts",
        models=("credentials.Submission", "credentials.Artifact", "credentials.AttemptAllowance"),
        export=_submissions,
    ),
    Section(
        name="feedback",
        about="the reviews of your work: decisions and feedback per criterion (reviewers are "
        "not named: review is blind both ways)",
        models=("credentials.Review", "credentials.CriterionScore"),
        export=_feedback,
    ),
    Section(
        name="badges",
        about="your badges, with their Open Badges 2.0 assertions (baked images in "
        "files/badges/), and the badges you added from other issuers",
        models=("credentials.Assertion", "credentials.ExternalBadge"),
        export=_badges,
    ),
    Section(
        name="reviewing",
        about="for reviewers: your pools, the reviews you wrote and your calibration scores",
        models=("credentials.PoolMember", "credentials.Review", "credentials.CalibrationScore"),
        export=_reviewing,
    ),
]

NOT_EXPORTED = {
    "credentials.Exemplar": "a lead's choice of a decided submission as reference work for a "
    "pool: the pool's training material (an exemplar made of your submission goes with it "
    "when your account is deleted)",
    "credentials.DoubleReviewTally": "counts, for the lead report, of how the criterion "
    "scores of a review you completed matched another reviewer's on the same submission: "
    "worked out from your reviews, which are exported under reviewing (the counts lose your "
    "name when your account is deleted, as the reviews do)",
    "credentials.StatusListEntry": "the place of a badge's revocation bit in its issuer's "
    "public status list, drawn at random: it says nothing about you, and stays with the badge "
    "(so a revoked badge keeps showing as revoked) when your account is deleted",
    "credentials.DecisionYear": "how many of your submissions were decided each school year "
    "and how long they waited, summed for your district's dashboard: worked out from your "
    "submissions, which are exported under submissions; deleted with your account",
}


def erase(*, user: User, revoke_badges: bool) -> list[StoredFile]:
    """Badges stay valid for whoever holds them, by the hashed identity and salt, naming no
    one (or are revoked, when asked); submissions go with their evidence files, as uploaded
    and the reviewers' copies (returned, to delete after commit), the reviews of them and
    any exemplar made of them; open reviews the person was doing go to other reviewers;
    reviews they completed stay, unsigned."""
    for assertion in Assertion.objects.select_for_update().filter(recipient=user):
        assertion.recipient = None
        assertion.recipient_email = ""
        assertion.narrative = ""  # may quote the person (a book club's synthesis)
        assertion.evidence_url = ""  # a page of their own
        assertion.is_public = False
        assertion.save(
            update_fields=[
                "recipient",
                "recipient_email",
                "narrative",
                "evidence_url",
                "is_public",
                "updated_at",
            ]
        )
        if revoke_badges and not assertion.revoked:
            assertion_revoke(assertion=assertion, reason=REVOKED_ON_DELETION, revoked_by=None)
        transaction.on_commit(lambda uuid=assertion.uuid: public_cache.forget_assertion(uuid))
    files = [
        StoredFile(storage=stored.storage, name=stored.name)
        for artifact in Artifact.objects.filter(submission__learner=user)
        for stored in (artifact.file, artifact.blind_file)  # as uploaded, and reviewers' copy
        if stored
    ]
    Submission.objects.filter(learner=user).delete()
    open_reviews = Review.objects.filter(reviewer=user, state=Review.State.ASSIGNED)
    for submission_id in set(open_reviews.values_list("submission_id", flat=True)):
        job_enqueue_on_commit("credentials.tasks.submission_assign", submission_id)
    open_reviews.update(state=Review.State.REASSIGNED)
    return files
