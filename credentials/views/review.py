"""The reviewer's side: a queue of blind assignments and the scoring screen. A reviewer
sees a submission number, the answers and the artifacts, never who submitted them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from accounts.errors import LeapError
from credentials.models import Artifact, CriterionScore, Review
from credentials.permissions.evidence import review_for_reviewer
from credentials.requirements import rubric_for
from credentials.selectors.evidence import decision_score_list, evidence_list
from credentials.selectors.review import review_queue_get
from credentials.services.review import review_record
from credentials.views.files import (
    artifact_for_reviewers,
    artifact_page_response,
    artifact_pdf_preview,
    artifact_response,
)


@login_required
def review_queue(request):
    context = review_queue_get(user=request.user, cursor=request.GET.get("cursor"))
    context["open_page"] = context["open_page"].linked(request.GET, "cursor")
    return render(request, "credentials/review/queue.html", context)


@login_required
def review_detail(request, pk: int):
    review = review_for_reviewer(request.user, pk)
    submission = review.submission
    criteria = rubric_for(submission)
    posted = {}
    problems = []
    if request.method == "POST":
        scores = {
            cid: (request.POST.get(f"result-{cid}", ""), request.POST.get(f"feedback-{cid}", ""))
            for cid, _ in criteria
        }
        posted = scores
        try:
            review_record(review=review, scores=scores)
        except LeapError as error:
            problems = error.problems
        else:
            messages.success(request, f"Your review of {submission.number} is recorded.")
            return redirect("review:queue")
    recorded = {s.criterion_id: (s.result, s.feedback) for s in review.scores.all()}
    evidence = evidence_list(submission=submission)
    for item in evidence:
        # Reviewers get only the copy without the author and other hidden details.
        item["artifacts"] = [artifact_for_reviewers(a) for a in item["artifacts"]]
        for artifact in item["artifacts"]:
            # A PDF is read as pictures of its first pages, drawn on the server.
            artifact.pdf_preview = artifact_pdf_preview(artifact)
    context = {
        "review": review,
        "submission": submission,
        "editable": review.state == Review.State.ASSIGNED,
        "criteria": [
            {
                "id": cid,
                "value": value,
                "result": (posted.get(cid) or recorded.get(cid) or ("", ""))[0],
                "feedback": (posted.get(cid) or recorded.get(cid) or ("", ""))[1],
            }
            for cid, value in criteria
        ],
        "results": CriterionScore.Result.choices,
        "evidence": evidence,
        # The attempt before this one and what decided it: the learner was asked to change
        # these points (blind, like the rest of the screen).
        "previous": submission.previous,
        "previous_feedback": (
            decision_score_list(submission=submission.previous) if submission.previous else []
        ),
        "problems": problems,
    }
    return render(
        request, "credentials/review/detail.html", context, status=400 if problems else 200
    )


@login_required
def review_artifact(request, pk: int, artifact_id: int):
    review = review_for_reviewer(request.user, pk)
    artifact = get_object_or_404(
        Artifact.objects.select_related("submission"),
        pk=artifact_id,
        submission_id=review.submission_id,
    )
    page = request.GET.get("page", "")
    if request.GET.get("preview") == "1" and page:
        if not page.isdigit():
            raise Http404("No such page.")
        return artifact_page_response(artifact_for_reviewers(artifact), int(page))
    return artifact_response(artifact, blind=True, inline=request.GET.get("preview") == "1")
