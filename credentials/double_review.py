"""Double-review agreement, tallied as reviews complete. For each completed review of a
submission that other reviewers scored too, its criterion scores are paired with theirs on
the same criteria and counted by kind (`DoubleReviewTally`): the lead report then sums one
row a review over its period instead of pairing every score in it.

The functions take the models as arguments, so the migration that tallied the reviews
already done (credentials 0022) runs this same code on its historical models: a change
here must still hold for the fields those models have."""

from collections.abc import Iterator

from django.db.models import Count, F, Model, Q, QuerySet

# (this review's result, the other reviewer's result) -> the tally's column.
KIND_FIELDS = {
    ("meets", "meets"): "meets_meets",
    ("meets", "not_yet"): "meets_not_yet",
    ("not_yet", "meets"): "not_yet_meets",
    ("not_yet", "not_yet"): "not_yet_not_yet",
}
# A reviewer's (not a lead's) review, done. Literal values: the migration's models have no
# choices classes.
_DONE = {"role": "reviewer", "state": "completed"}
REBUILD_CHUNK = 5000


def _pairs(score_model: type[Model], submissions: QuerySet) -> QuerySet:
    """(review, reviewer, micro-credential, submitted at, mine, theirs, how many) for the
    completed reviews of `submissions`: each score joined to the other completed reviews'
    scores on the same criterion, grouped by kind."""
    theirs = "review__submission__reviews__"
    return (
        score_model.objects.filter(
            **{f"review__{name}": value for name, value in _DONE.items()},
            review__submission__in=submissions,
            review__submission__submitted_at__isnull=False,
        )
        .filter(  # one filter(): every condition is on the same other review and its score
            # Another review (one a reviewer and submission: a reviewer who has since
            # deleted their account still counts as the other side).
            Q(**{f"{theirs}id__lt": F("review_id")}) | Q(**{f"{theirs}id__gt": F("review_id")}),
            **{f"{theirs}{name}": value for name, value in _DONE.items()},
            **{f"{theirs}scores__criterion_id": F("criterion_id")},
        )
        .order_by()
        .values_list(
            "review_id",
            "review__reviewer_id",
            "review__submission__micro_credential_id",
            "review__submission__submitted_at",
            "result",
            f"{theirs}scores__result",  # the join of the filter above, not a new one
        )
        .annotate(n=Count("pk"))
    )


def _tallies(tally_model: type[Model], pairs: QuerySet) -> Iterator[Model]:
    found: dict[int, Model] = {}
    for review_id, reviewer_id, page_id, submitted_at, mine, other, n in pairs:
        tally = found.get(review_id)
        if tally is None:
            tally = found[review_id] = tally_model(
                review_id=review_id,
                reviewer_id=reviewer_id,
                micro_credential_id=page_id,
                submitted_at=submitted_at,
            )
        column = KIND_FIELDS[mine, other]
        setattr(tally, column, getattr(tally, column) + n)
    return iter(found.values())


def tallies_write(
    *, tally_model: type[Model], score_model: type[Model], submissions: QuerySet
) -> int:
    """Replace the tallies of these submissions' reviews with fresh counts; returns how many
    reviews have one. The caller holds the submissions' row locks (or is the only writer:
    a migration, a seed), so two reviews completing at once cannot leave a stale count."""
    tallies = list(_tallies(tally_model, _pairs(score_model, submissions)))
    tally_model.objects.filter(review__submission__in=submissions).delete()
    tally_model.objects.bulk_create(tallies, batch_size=2000)
    return len(tallies)


def tallies_rebuild(
    *, tally_model: type[Model], score_model: type[Model], submission_model: type[Model]
) -> int:
    """Tally every submission's reviews again, a few thousand submissions at a time: after
    a seed that inserted reviews in bulk, or to fill the table on upgrade."""
    written, last = 0, 0
    ids = submission_model.objects.order_by("pk").values_list("pk", flat=True)
    while chunk := list(ids.filter(pk__gt=last)[:REBUILD_CHUNK]):
        written += tallies_write(
            tally_model=tally_model,
            score_model=score_model,
            submissions=submission_model.objects.filter(pk__gt=last, pk__lte=chunk[-1]),
        )
        last = chunk[-1]
    return written
