"""The learner's evidence: start a submission from a micro-credential, work on the draft
(one form: answers, files and links, the privacy confirmation), submit, withdraw, read the
decision. Every object is looked up with the learner as owner: someone else's id is 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.errors import LeapError
from accounts.throttle import throttle_request, too_many_requests
from cms.models import MicroCredentialPage
from cms.selectors import visible_to
from credentials.models import Artifact, Submission
from credentials.permissions.evidence import can_see_evidence
from credentials.requirements import requirements_of, rubric_for
from credentials.selectors.evidence import (
    attempts_get,
    decision_score_list,
    evidence_list,
)
from credentials.selectors.evidence import (
    submission_list as submissions_of,
)
from credentials.services import evidence as services
from credentials.views.files import artifact_response

AUTOSAVE_WAIT = (
    "Saving paused for a moment: answers were saved very often. Your text is kept on this "
    "device; use “Save draft” in a minute."
)


@login_required
def submission_list(request):
    return render(
        request,
        "credentials/submission_list.html",
        {"submissions": submissions_of(learner=request.user)},
    )


@login_required
@require_POST
def submission_start(request, page_id: int):
    page = get_object_or_404(
        visible_to(MicroCredentialPage.objects.all(), request.user), pk=page_id
    )
    try:
        submission = services.submission_start(learner=request.user, page=page)
    except LeapError as error:
        messages.error(request, error.message)
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


def _render(request, submission, *, problems=(), posted=None, status=200, saved=True):
    page = submission.micro_credential
    context = {
        "submission": submission,
        # The form says which revision of the answers it shows, and whether the server holds
        # the text it shows (false when a refused post shows what was typed): the script
        # keeps a copy on the device until the server has it.
        "revision": submission.revision,
        "server_has_text": saved,
        "page": page,
        "slots": evidence_list(submission=submission, answers=posted),
        "problems": problems,
        "attempts": attempts_get(learner=submission.learner, page=page),
        "max_mb": settings.LEAP_ARTIFACT_MAX_MB,
        "max_bytes": settings.LEAP_ARTIFACT_MAX_MB * 1024 * 1024,
        # A refused post keeps the confirmation the learner ticked.
        "privacy_checked": request.method == "POST" and request.POST.get("privacy") == "on",
    }
    if submission.state == Submission.State.DRAFT:
        context["rubric"] = rubric_for(submission)  # the public rubric, beside the form
    if submission.is_decided:
        context["feedback"] = decision_score_list(submission=submission)
    elif submission.previous_id and submission.state == Submission.State.DRAFT:
        # The feedback this attempt answers, beside the form.
        context["previous"] = submission.previous
        context["previous_feedback"] = decision_score_list(submission=submission.previous)
    return render(request, "credentials/submission_detail.html", context, status=status)


def _draft_post(request, submission):
    """The draft form: everything it carries is applied by `submission_draft_update` (in
    an order that loses nothing), then, if asked, the submission is sent. Autosave posts
    only the answers and gets JSON back."""
    action = request.POST.get("action", "save")
    if submission.state != Submission.State.DRAFT:
        messages.error(request, "This submission has been sent for review and cannot change.")
        return redirect("submissions:detail", pk=submission.pk)
    requirements = requirements_of(submission.micro_credential)
    answers = {r.id: request.POST.get(f"answer-{r.id}", "") for r in requirements if r.takes_text}
    revision = request.POST.get("revision", "")
    # A form from before revisions existed, or a hand-made post, saves as before.
    revision = int(revision) if revision.isdigit() else None
    if action == "autosave":
        if wait := throttle_request(request, "autosave"):
            return too_many_requests(request, wait, AUTOSAVE_WAIT)
        try:
            problems = services.submission_draft_update(
                submission=submission, answers=answers, revision=revision
            )
        except services.DraftConflict as conflict:
            return JsonResponse(
                {
                    "saved": False,
                    "conflict": True,
                    "problems": conflict.problems,
                    "revision": conflict.revision,
                    "changed_at": conflict.changed_at.isoformat(),
                },
                status=409,
            )
        submission.refresh_from_db(fields=["revision"])
        return JsonResponse(
            {"saved": not problems, "problems": problems, "revision": submission.revision},
            status=400 if problems else 200,
        )
    slots = [r for r in requirements if r.kind == "artifact"]
    remove = request.POST.get("remove", "")
    if remove and not remove.isdigit():
        raise Http404("No such artifact.")
    try:
        problems = _draft_update(request, submission, slots, answers, revision, remove)
    except services.DraftConflict as conflict:
        # Nothing typed was saved and nothing is lost: the page shows the learner's text
        # with the server's revision, so saving again replaces the other version.
        submission.refresh_from_db()
        return _render(
            request,
            submission,
            problems=conflict.problems,
            posted=answers,
            status=409,
            saved=False,
        )
    if remove:
        messages.success(request, "Removed.")
    if problems:
        submission.refresh_from_db()
        return _render(
            request, submission, problems=problems, posted=answers, status=400, saved=False
        )
    if action == "submit":
        try:
            services.submission_submit(
                submission=submission, privacy_confirmed=request.POST.get("privacy") == "on"
            )
        except LeapError as error:
            # Show what was just sent (and saved above), never the copy read before saving.
            submission.refresh_from_db()
            return _render(request, submission, problems=error.problems, posted=answers, status=400)
        messages.success(request, "Submitted. A reviewer will assess it against the rubric.")
        return redirect("submissions:detail", pk=submission.pk)
    if not remove:
        messages.success(request, "Draft saved.")
    return redirect("submissions:detail", pk=submission.pk)


def _draft_update(request, submission, slots, answers, revision, remove) -> list[str]:
    return services.submission_draft_update(
        submission=submission,
        revision=revision,
        answers=answers,
        uploads=[
            services.Upload(slot_id=slot.id, name=upload.name, size=upload.size, read=upload.read)
            for slot in slots
            for upload in request.FILES.getlist(f"file-{slot.id}")
        ],
        links={
            slot.id: link
            for slot in slots
            if (link := request.POST.get(f"link-{slot.id}", "").strip())
        },
        remove=get_object_or_404(Artifact, pk=remove, submission=submission) if remove else None,
    )


@login_required
@require_POST
def submission_withdraw(request, pk: int):
    submission = _own(request, pk)
    try:
        services.submission_withdraw(submission=submission)
    except LeapError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Withdrawn. It does not count as an attempt.")
    return redirect("submissions:detail", pk=submission.pk)


@login_required
def artifact_download(request, pk: int, artifact_id: int):
    artifact = get_object_or_404(
        Artifact.objects.select_related("submission"), pk=artifact_id, submission_id=pk
    )
    if not can_see_evidence(request.user, artifact.submission):
        raise Http404("No such file.")
    return artifact_response(artifact, blind=artifact.submission.learner_id != request.user.pk)
