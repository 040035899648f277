"""The learner's evidence: start a submission from a micro-credential, work on the draft
(one form: answers, files and links, the privacy confirmation), submit, withdraw, read the
decision. Every object is looked up with the learner as owner: someone else's id is 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cms.models import MicroCredentialPage
from cms.selectors import visible_to
from credentials import selectors, services
from credentials.models import Artifact, Submission
from credentials.permissions import can_see_evidence
from credentials.services import EvidenceError


@login_required
def submission_list(request):
    return render(
        request,
        "credentials/submission_list.html",
        {"submissions": selectors.submissions_of(request.user)},
    )


@login_required
@require_POST
def submission_start(request, page_id: int):
    page = get_object_or_404(
        visible_to(MicroCredentialPage.objects.all(), request.user), pk=page_id
    )
    try:
        submission = services.submission_start(learner=request.user, page=page)
    except EvidenceError as error:
        messages.error(request, str(error))
        return redirect(page.url)
    return redirect("submissions:detail", pk=submission.pk)


def _own(request, pk: int) -> Submission:
    return get_object_or_404(
        Submission.objects.select_related("micro_credential"), pk=pk, learner=request.user
    )


@login_required
def submission_detail(request, pk: int):
    submission = _own(request, pk)
    if request.method == "POST":
        return _draft_post(request, submission)
    return _render(request, submission)


def _render(request, submission, *, problems=(), posted=None, status=200):
    page = submission.micro_credential
    context = {
        "submission": submission,
        "page": page,
        "slots": selectors.evidence_of(submission, answers=posted),
        "problems": problems,
        "attempts": services.attempts_for(learner=submission.learner, page=page),
        "max_mb": settings.LEAP_ARTIFACT_MAX_MB,
    }
    if submission.state in (Submission.State.EARNED, Submission.State.NOT_YET):
        context["feedback"] = selectors.decision_feedback(submission)
    return render(request, "credentials/submission_detail.html", context, status=status)


def _draft_post(request, submission):
    """One form does it all, in an order that loses nothing: answers are saved first, then
    each file or link is added (a refused one is reported, the rest stay), then removals,
    then, if asked, the submission is sent."""
    action = request.POST.get("action", "save")
    if submission.state != Submission.State.DRAFT:
        messages.error(request, "This submission has been sent for review and cannot change.")
        return redirect("submissions:detail", pk=submission.pk)
    requirements = services.requirements_of(submission.micro_credential)
    answers = {r.id: request.POST.get(f"answer-{r.id}", "") for r in requirements if r.takes_text}
    problems = []
    try:
        services.submission_save_answers(submission=submission, answers=answers)
    except EvidenceError as error:
        problems += error.problems
    if action == "autosave":
        return JsonResponse(
            {"saved": not problems, "problems": problems}, status=400 if problems else 200
        )
    for requirement in requirements:
        if requirement.kind != "artifact":
            continue
        for upload in request.FILES.getlist(f"file-{requirement.id}"):
            if upload.size > settings.LEAP_ARTIFACT_MAX_MB * 1024 * 1024:
                # Refused before reading it: a huge file never goes into memory.
                problems.append(
                    f"“{upload.name[:100]}” is {upload.size / 1_048_576:.1f} MB; files can be "
                    f"at most {settings.LEAP_ARTIFACT_MAX_MB} MB."
                )
                continue
            try:
                services.artifact_add_file(
                    submission=submission,
                    slot_id=requirement.id,
                    name=upload.name,
                    data=upload.read(),
                )
            except EvidenceError as error:
                problems += error.problems
        link = request.POST.get(f"link-{requirement.id}", "").strip()
        if link:
            try:
                services.artifact_add_link(submission=submission, slot_id=requirement.id, url=link)
            except EvidenceError as error:
                problems += error.problems
    remove = request.POST.get("remove", "")
    if remove and not remove.isdigit():
        raise Http404("No such artifact.")
    if remove:
        artifact = get_object_or_404(Artifact, pk=remove, submission=submission)
        services.artifact_remove(artifact=artifact)
        messages.success(request, "Removed.")
    if problems:
        return _render(request, submission, problems=problems, posted=answers, status=400)
    if action == "submit":
        try:
            services.submission_submit(
                submission=submission, privacy_confirmed=request.POST.get("privacy") == "on"
            )
        except EvidenceError as error:
            return _render(request, submission, problems=error.problems, status=400)
        messages.success(request, "Submitted. A reviewer will assess it against the rubric.")
        return redirect("submissions:detail", pk=submission.pk)
    if not remove:
        messages.success(request, "Draft saved.")
    return redirect("submissions:detail", pk=submission.pk)


@login_required
@require_POST
def submission_withdraw(request, pk: int):
    submission = _own(request, pk)
    try:
        services.submission_withdraw(submission=submission)
    except EvidenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Withdrawn. It does not count as an attempt.")
    return redirect("submissions:detail", pk=submission.pk)


def artifact_response(artifact: Artifact, *, blind: bool) -> FileResponse:
    """A private file, as a download (never rendered inline), under the learner's own
    sanitised name or, for reviewers, a name that says nothing about who sent it."""
    if artifact.is_link or not artifact.file:
        raise Http404("No file.")
    try:
        handle = artifact.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=artifact.blind_name if blind else artifact.name,
        content_type=artifact.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def artifact_download(request, pk: int, artifact_id: int):
    artifact = get_object_or_404(
        Artifact.objects.select_related("submission"), pk=artifact_id, submission_id=pk
    )
    if not can_see_evidence(request.user, artifact.submission):
        raise Http404("No such file.")
    return artifact_response(artifact, blind=artifact.submission.learner_id != request.user.pk)
