"""Two reviewers recording their decisions on one submission at the same moment make one
decision and one badge (real row locks: PostgreSQL, two threads)."""

import threading

import pytest
from django.db import connection

from credentials.models import Assertion, DoubleReviewTally, ReviewerPool, Submission
from credentials.requirements import requirements_of, rubric_of
from credentials.services.evidence import (
    artifact_add_file,
    submission_save_answers,
    submission_start,
    submission_submit,
)
from credentials.services.review import pool_member_add, review_record
from tests.evidence_files import pdf_file
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.needs_postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PDF = pdf_file()


def test_simultaneous_reviews_make_one_decision_and_one_badge(micro_credential, learner):
    micro_credential.reviewers_required = 2
    micro_credential.save_revision().publish()
    pool = ReviewerPool.objects.create(name="All")
    for _ in range(2):
        pool_member_add(pool=pool, user=UserFactory())
    ids = {r.kind: r.id for r in requirements_of(micro_credential)}
    submission = submission_start(learner=learner, page=micro_credential)
    submission_save_answers(submission=submission, answers={ids["overview_question"]: "x"})
    artifact_add_file(submission=submission, slot_id=ids["artifact"], name="a.pdf", data=PDF)
    submission_submit(submission=submission, privacy_confirmed=True)  # assigns (eager)
    reviews = list(submission.reviews.all())
    assert len(reviews) == 2
    scores = {cid: ("meets", "") for cid, _ in rubric_of(micro_credential)}
    barrier = threading.Barrier(2)
    errors = []

    def record(review):
        try:
            barrier.wait()
            review_record(review=review, scores=scores)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(review,)) for review in reviews]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    submission.refresh_from_db()
    assert submission.state == Submission.State.EARNED
    assert Assertion.objects.filter(recipient=learner).count() == 1
    assert submission.assertion is not None
    # Each saw the other's scores: the second to record, under the submission's lock,
    # tallied both reviews' agreement (every criterion "meets" against "meets").
    tallies = DoubleReviewTally.objects.filter(review__submission=submission)
    assert sorted(tallies.values_list("review_id", "meets_meets", "meets_not_yet")) == sorted(
        (review.pk, len(scores), 0) for review in reviews
    )
