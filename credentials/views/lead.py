"""Lead reviewer tools under /review/lead/: each pool's members (who is calibrated; add,
pause, resume, remove), exemplars with reference scores, calibration for the pool's
reviewers, reports, and allowing another attempt after the limit.
Everything is blind: submissions are known by their number, never by the learner's name
(district admins see their own people's names on the attempts page only). Permission
checks live in `credentials.permissions.lead` and answer 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.errors import LeapError
from accounts.reauthentication import recent_authentication_required
from credentials.forms.lead import (
    AllowAttemptForm,
    CriterionScoresForm,
    PoolMemberJoinForm,
    ReportPeriodForm,
)
from credentials.models import CalibrationScore, Exemplar, Submission
from credentials.permissions import lead as perms
from credentials.requirements import rubric_for
from credentials.selectors import reports
from credentials.selectors.evidence import attempts_get, evidence_list
from credentials.selectors.review import (
    calibration_get,
    exemplar_criteria_list,
    exemplar_list,
    exemplar_result_get,
    membership_list,
    pool_member_handover_get,
    pool_member_list,
)
from credentials.services.calibration import calibration_record
from credentials.services.calibration import exemplar_mark as mark
from credentials.services.evidence import attempt_allow
from credentials.services.review import (
    lead_refusal,
    pool_member_join,
    pool_member_remove,
    pool_member_set_active,
)
from credentials.views.files import artifact_for_reviewers, artifact_response
from learning import api as learning


def _blind(submission: Submission, pool_id: int) -> dict:
    """What a lead or a calibrating reviewer sees of a submission: its number, the answers
    under their questions and the artifacts (files through our download view, under a
    neutral name; links as they are). Never the learner or the original file names."""
    answers, slots = [], []
    for item in evidence_list(submission=submission):
        requirement = item["requirement"]
        if requirement.takes_text:
            answers.append((requirement, item["answer"]))
            continue
        artifacts = [artifact_for_reviewers(a) for a in item["artifacts"]]
        for artifact in artifacts:
            if not artifact.is_link:
                artifact.download_url = reverse("review_lead:artifact", args=[pool_id, artifact.pk])
        slots.append((requirement, artifacts))
    return {"submission": submission, "answers": answers, "slots": slots}


@login_required
def home(request):
    memberships = membership_list(user=request.user)
    districts = learning.district_ids_administered(request.user)
    perms.must(bool(memberships or districts))
    led = [m for m in memberships if m.is_lead]
    return render(
        request,
        "credentials/lead/home.html",
        {
            "led": led,
            "reviewing": [m for m in memberships if not m.is_lead],
            "can_allow": bool(led or districts),
        },
    )


def _report_page(request, *, pools, pool=None):
    period = ReportPeriodForm(request.GET or None)
    report = reports.report_get(pools=pools, days=period.period())
    return render(
        request,
        "credentials/lead/report.html",
        {
            "pool": pool,
            "report": report,
            "period_form": period,
            "bar": settings.LEAP_CALIBRATION_BAR,
            "bar_percent": round(settings.LEAP_CALIBRATION_BAR * 100),
        },
    )


@login_required
@require_GET
def reports_all(request):
    pools = list(perms.led_pools(request.user).select_related("micro_credential"))
    perms.must(bool(pools))
    return _report_page(request, pools=pools)


@login_required
@require_GET
def report(request, pool_id: int):
    pool = perms.pool_for_lead(request.user, pool_id)
    return _report_page(request, pools=[pool], pool=pool)


@login_required
@require_GET
def exemplars(request, pool_id: int):
    pool = perms.pool_for_lead(request.user, pool_id)
    marked = exemplar_list(pool=pool)
    decided = perms.decided_for_lead(request.user, pool).select_related("exemplar")
    state = request.GET.get("state")
    if state in Submission.DECIDED_STATES:
        decided = decided.filter(state=state)
    else:
        state = ""
    page = Paginator(decided.order_by("-decided_at", "-pk"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "credentials/lead/exemplars.html",
        {
            "pool": pool,
            "marked": marked,
            "page_obj": page,
            "state": state,
            "states": [(s.value, s.label) for s in Submission.DECIDED_STATES],
        },
    )


@login_required
def exemplar_mark(request, pool_id: int, submission_id: int):
    pool = perms.pool_for_lead(request.user, pool_id)
    submission = perms.submission_for_lead(request.user, pool, submission_id)
    existing = Exemplar.objects.filter(submission=submission).select_related("pool").first()
    criteria = rubric_for(submission)
    form = CriterionScoresForm(
        request.POST if request.method == "POST" else None, criteria=criteria
    )
    if request.method == "POST":
        if existing is not None:
            form.add_error(None, "This submission is an exemplar already.")
        elif form.is_valid():
            try:
                mark(
                    submission=submission,
                    pool=pool,
                    reference=form.scores(),
                    marked_by=request.user,
                )
            except LeapError as error:
                error.add_to_form(form)
            else:
                messages.success(
                    request,
                    f"Submission {submission.number} is now an exemplar of {pool.name}. "
                    "Every reviewer in the pool scores it before more live work.",
                )
                return redirect("review_lead:exemplars", pool_id=pool.pk)
    reference = []
    if existing is not None:
        reference = [
            (value.get("title", "Criterion"), existing.reference.get(cid, ""))
            for cid, value in criteria
        ]
    return render(
        request,
        "credentials/lead/exemplar_mark.html",
        {
            "pool": pool,
            "existing": existing,
            "reference": reference,
            "form": form,
            **_blind(submission, pool.pk),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def artifact(request, pool_id: int, artifact_id: int):
    """Stream a private evidence file as a download under a neutral name: the stored name
    keeps the stem of the learner's own file name, which may name them or a student."""
    return artifact_response(perms.artifact_for(request.user, pool_id, artifact_id), blind=True)


def _name(user) -> str:
    return user.display_name or user.email


@login_required
@recent_authentication_required
def pool(request, pool_id: int):
    """A pool's members as its leads see them (state, calibration, agreement, open work),
    and adding someone by e-mail."""
    pool = perms.pool_for_lead(request.user, pool_id)
    form = PoolMemberJoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["email"]
        try:
            pool_member_join(pool=pool, user=person, added_by=request.user)
        except LeapError as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, f"{_name(person)} joined {pool.name} and has been told.")
            return redirect("review_lead:pool", pool_id=pool.pk)
    return render(
        request,
        "credentials/lead/pool.html",
        {
            "pool": pool,
            "rows": pool_member_list(pool=pool),
            "form": form,
            "exemplar_count": pool.exemplars.count(),
            "bar_percent": round(settings.LEAP_CALIBRATION_BAR * 100),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
@recent_authentication_required
def member_active(request, pool_id: int, member_id: int):
    """Pause a member, or resume a paused one."""
    pool = perms.pool_for_lead(request.user, pool_id)
    member = perms.member_for_lead(pool, member_id)
    action = request.POST.get("action")
    name = _name(member.user)
    if action not in ("pause", "resume"):
        messages.error(request, "Choose pause or resume.")
    elif member.user_id == request.user.pk:
        messages.error(
            request, "You cannot pause yourself here. Ask another lead or the platform staff."
        )
    else:
        try:
            pool_member_set_active(member=member, active=action == "resume")
        except LeapError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"{name} is paused: no new work comes to them from {pool.name}, and their "
                "open reviews of this pool's work go to other reviewers, unless another of "
                "their pools covers it."
                if action == "pause"
                else f"{name} is active in {pool.name} again.",
            )
    return redirect("review_lead:pool", pool_id=pool.pk)


@login_required
@recent_authentication_required
def member_remove(request, pool_id: int, member_id: int):
    """Ask, then take someone out of the pool."""
    pool = perms.pool_for_lead(request.user, pool_id)
    member = perms.member_for_lead(pool, member_id)
    name = _name(member.user)
    if member.user_id == request.user.pk:
        messages.error(
            request, "You cannot remove yourself here. Ask another lead or the platform staff."
        )
        return redirect("review_lead:pool", pool_id=pool.pk)
    if member.is_lead and request.method != "POST":
        messages.error(request, lead_refusal(member, doing="removed"))
        return redirect("review_lead:pool", pool_id=pool.pk)
    if request.method == "POST":
        try:
            pool_member_remove(member=member)
        except LeapError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"{name} is no longer in {pool.name}. Their open reviews of this pool's work "
                "go to other reviewers, unless another of their pools covers it.",
            )
        return redirect("review_lead:pool", pool_id=pool.pk)
    return render(
        request,
        "credentials/lead/member_remove.html",
        {
            "pool": pool,
            "member": member,
            "name": name,
            "handover": pool_member_handover_get(member=member),
        },
    )


def _calibration_context(member, state) -> dict:
    return {
        "pool": member.pool,
        "member": member,
        "state": state,
        "bar": settings.LEAP_CALIBRATION_BAR,
        "bar_percent": round(settings.LEAP_CALIBRATION_BAR * 100),
        "below_bar": state.overall is not None
        and state.overall.percent is not None
        and not state.overall.meets(settings.LEAP_CALIBRATION_BAR),
    }


@login_required
def calibration(request, pool_id: int):
    """A pool member scores the pool's exemplars, one at a time and blind, like live work;
    with none left, their agreement with the references."""
    member = perms.member_of(request.user, pool_id)
    pool = member.pool
    state = calibration_get(member=member)
    form = None
    status = 200
    if request.method == "POST":
        try:
            exemplar_id = int(request.POST.get("exemplar", ""))
        except ValueError:
            raise Http404("No such exemplar.") from None
        exemplar = perms.exemplar_for_member(member, exemplar_id)
        if any(result.exemplar.pk == exemplar.pk for result in state.results):
            messages.info(request, "You have scored this example already.")
            return redirect(
                "review_lead:calibration_result", pool_id=pool.pk, exemplar_id=exemplar.pk
            )
        form = CriterionScoresForm(request.POST, criteria=exemplar_criteria_list(exemplar=exemplar))
        if form.is_valid():
            try:
                calibration_record(exemplar=exemplar, reviewer=request.user, results=form.scores())
            except LeapError as error:
                error.add_to_form(form)
            else:
                return redirect(
                    "review_lead:calibration_result", pool_id=pool.pk, exemplar_id=exemplar.pk
                )
        state.current = exemplar
        status = 400
    elif state.current is not None:
        form = CriterionScoresForm(criteria=exemplar_criteria_list(exemplar=state.current))

    context = {**_calibration_context(member, state), "form": form}
    if state.current is not None:
        context.update(exemplar=state.current, **_blind(state.current.submission, pool.pk))
    return render(request, "credentials/lead/calibration.html", context, status=status)


@login_required
@require_GET
def calibration_result(request, pool_id: int, exemplar_id: int):
    """How the member's scores on one exemplar compare with the reference: shown only once
    they have scored it (before that the reference is not found)."""
    member = perms.member_of(request.user, pool_id)
    exemplar = perms.exemplar_for_member(member, exemplar_id)
    score = CalibrationScore.objects.filter(exemplar=exemplar, reviewer=request.user).first()
    if score is None:
        raise Http404("No such result.")
    state = calibration_get(member=member)
    return render(
        request,
        "credentials/lead/calibration_result.html",
        {
            **_calibration_context(member, state),
            "result": exemplar_result_get(exemplar=exemplar, score=score),
        },
    )


@login_required
def attempts(request):
    """Learners who have used every attempt, with a form per row to allow one more."""
    user = request.user
    scope, is_lead, districts = perms.attempts_scope(user)
    named = learning.district_member_ids(district_ids=districts) if districts else []

    form, failed = None, None
    if request.method == "POST":
        submission_id = request.POST.get("submission", "")
        submission = (
            Submission.objects.filter(pk=int(submission_id))
            .select_related("learner", "micro_credential")
            .first()
            if submission_id.isdigit()
            else None
        )
        if submission is None or not perms.may_allow_attempt(
            user, learner=submission.learner, micro_credential_id=submission.micro_credential_id
        ):
            raise Http404("No such submission.")
        page = submission.micro_credential
        learner = submission.learner
        if attempts_get(learner=learner, page=page).left:
            messages.info(request, f"Submission {submission.number}: an attempt is still left.")
            return redirect("review_lead:attempts")
        form = AllowAttemptForm(request.POST, auto_id=f"allow-{submission.pk}-%s")
        if form.is_valid():
            try:
                attempt_allow(
                    learner=learner, page=page, note=form.cleaned_data["note"], granted_by=user
                )
            except LeapError as error:
                form.add_error("note", error.message)
            else:
                messages.success(
                    request,
                    f"Another attempt at “{page.title}” is allowed "
                    f"(after submission {submission.number}).",
                )
                return redirect("review_lead:attempts")
        failed = (learner.pk, page.pk)

    rows = reports.at_limit_list(scope=scope, named_learners=named, exclude_user=user)
    for row in rows:
        if failed == (row.learner_id, row.micro_credential_id):
            row.form = form
        else:
            row.form = AllowAttemptForm(
                initial={"submission": row.latest_submission_id},
                auto_id=f"allow-{row.latest_submission_id}-%s",
            )
    return render(
        request,
        "credentials/lead/attempts.html",
        {"rows": rows, "is_lead": is_lead, "is_admin": bool(districts)},
        status=400 if failed else 200,
    )
