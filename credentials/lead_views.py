"""Lead reviewer tools under /review/lead/: exemplars with reference scores, calibration
for reviewers joining a pool, reports, and allowing another attempt after the limit.
Everything is blind: submissions are known by their number, never by the learner's name
(district admins see their own people's names on the attempts page only). Permission
checks live in `credentials.lead_permissions` and answer 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from credentials import lead_permissions as perms
from credentials import reports, selectors, services
from credentials.lead_forms import AllowAttemptForm, CriterionScoresForm, ReportPeriodForm
from credentials.models import CalibrationScore, Exemplar, PoolMember, Submission
from credentials.submission_views import artifact_response


def _blind(submission: Submission, pool_id: int) -> dict:
    """What a lead or a calibrating reviewer sees of a submission: its number, the answers
    under their questions and the artifacts (files through our download view, under a
    neutral name; links as they are). Never the learner or the original file names."""
    answers, slots = [], []
    for item in selectors.evidence_of(submission):
        requirement = item["requirement"]
        if requirement.takes_text:
            answers.append((requirement, item["answer"]))
            continue
        for artifact in item["artifacts"]:
            if not artifact.is_link:
                artifact.download_url = reverse("review_lead:artifact", args=[pool_id, artifact.pk])
        slots.append((requirement, item["artifacts"]))
    return {"submission": submission, "answers": answers, "slots": slots}


def _criteria(submission: Submission) -> list[tuple[str, dict]]:
    return services.rubric_for(submission)


def _exemplar_criteria(exemplar: Exemplar) -> list[tuple[str, dict]]:
    """The criteria the exemplar was referenced on, in rubric order (a criterion later
    taken out of the rubric is still scored, under a neutral title)."""
    rubric = dict(_criteria(exemplar.submission))
    ordered = [cid for cid in rubric if cid in exemplar.reference]
    ordered += [cid for cid in exemplar.reference if cid not in rubric]
    return [(cid, rubric.get(cid, {"title": "A criterion since removed"})) for cid in ordered]


@login_required
def home(request):
    user = request.user
    memberships = list(
        PoolMember.objects.filter(user=user, is_active=True)
        .select_related("pool__micro_credential")
        .annotate(exemplar_count=Count("pool__exemplars"))
        .order_by("pool__name", "pk")
    )
    districts = perms.admin_district_ids(user)
    perms.must(bool(memberships or districts))
    scored = dict(
        CalibrationScore.objects.filter(reviewer=user)
        .values("exemplar__pool_id")
        .annotate(n=Count("pk"))
        .values_list("exemplar__pool_id", "n")
    )
    for member in memberships:
        member.scored = scored.get(member.pool_id, 0)
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
    report = reports.report_for(pools=pools, days=period.period())
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
    marked = list(
        pool.exemplars.select_related("submission__micro_credential")
        .annotate(scored_by=Count("scores"))
        .order_by("created_at", "pk")
    )
    for exemplar in marked:
        values = list(exemplar.reference.values())
        exemplar.meets = values.count("meets")
        exemplar.not_yet = len(values) - exemplar.meets
    decided = perms.decided_for_lead(request.user, pool).select_related("exemplar")
    state = request.GET.get("state")
    if state in perms.DECIDED_STATES:
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
            "states": [(s.value, s.label) for s in perms.DECIDED_STATES],
        },
    )


@login_required
def exemplar_mark(request, pool_id: int, submission_id: int):
    pool = perms.pool_for_lead(request.user, pool_id)
    submission = perms.submission_for_lead(request.user, pool, submission_id)
    existing = Exemplar.objects.filter(submission=submission).select_related("pool").first()
    criteria = _criteria(submission)
    form = CriterionScoresForm(
        request.POST if request.method == "POST" else None, criteria=criteria
    )
    if request.method == "POST":
        if existing is not None:
            form.add_error(None, "This submission is an exemplar already.")
        elif form.is_valid():
            try:
                services.exemplar_mark(
                    submission=submission,
                    pool=pool,
                    reference=form.scores(),
                    marked_by=request.user,
                )
            except services.ReviewError as error:
                form.add_error(None, " ".join(error.problems))
            else:
                messages.success(
                    request,
                    f"Submission {submission.number} is now an exemplar of {pool.name}. "
                    "Reviewers joining the pool will score it to calibrate.",
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


@login_required
def calibration(request, pool_id: int):
    member = perms.member_of(request.user, pool_id)
    pool = member.pool
    pool_exemplars = list(
        pool.exemplars.select_related("submission__micro_credential").order_by("created_at", "pk")
    )
    scores = {
        score.exemplar_id: score
        for score in CalibrationScore.objects.filter(exemplar__pool=pool, reviewer=request.user)
    }
    pending = [e for e in pool_exemplars if e.pk not in scores]
    may_score = member.calibrated_at is None
    current = pending[0] if may_score and pending else None
    form = None
    status = 200
    if request.method == "POST":
        if not may_score:
            messages.info(request, "You are calibrated already; there is nothing to score.")
            return redirect("review_lead:calibration", pool_id=pool.pk)
        try:
            exemplar_id = int(request.POST.get("exemplar", ""))
        except ValueError:
            raise Http404("No such exemplar.") from None
        current = perms.exemplar_for_member(member, exemplar_id)
        form = CriterionScoresForm(request.POST, criteria=_exemplar_criteria(current))
        if form.is_valid():
            try:
                services.calibration_record(
                    exemplar=current, reviewer=request.user, results=form.scores()
                )
            except services.ReviewError as error:
                form.add_error(None, " ".join(error.problems))
            else:
                messages.success(request, f"Your scores on {current.submission.number} are saved.")
                return redirect("review_lead:calibration", pool_id=pool.pk)
        status = 400
    elif current is not None:
        form = CriterionScoresForm(criteria=_exemplar_criteria(current))

    context = {
        "pool": pool,
        "member": member,
        "total": len(pool_exemplars),
        "scored": len(scores),
        "bar": settings.LEAP_CALIBRATION_BAR,
        "bar_percent": round(settings.LEAP_CALIBRATION_BAR * 100),
        "form": form,
    }
    if current is not None:
        context.update(
            exemplar=current,
            position=pool_exemplars.index(current) + 1,
            **_blind(current.submission, pool.pk),
        )
    elif scores:
        result = services.calibration_agreement(pool=pool, reviewer=request.user)
        differences = []
        for exemplar in pool_exemplars:
            if exemplar.pk not in scores:
                continue
            for cid, value in _exemplar_criteria(exemplar):
                yours = scores[exemplar.pk].results.get(cid, "")
                if yours != exemplar.reference[cid]:
                    differences.append(
                        {
                            "number": exemplar.submission.number,
                            "criterion": value.get("title", "Criterion"),
                            "yours": yours,
                            "reference": exemplar.reference[cid],
                        }
                    )
        context.update(
            result=result,
            reached=result.meets(settings.LEAP_CALIBRATION_BAR),
            differences=differences,
        )
    return render(request, "credentials/lead/calibration.html", context, status=status)


@login_required
def attempts(request):
    """Learners who have used every attempt, with a form per row to allow one more."""
    user = request.user
    led = list(perms.led_pools(user))
    districts = perms.admin_district_ids(user)
    perms.must(bool(led or districts))
    scope = Q(pk__in=[])
    if led:
        scope |= perms.covered_by(led)
    if districts:
        scope |= Q(learner_id__in=perms.district_learner_ids(districts))

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
        if services.attempts_for(learner=learner, page=page).left:
            messages.info(request, f"Submission {submission.number}: an attempt is still left.")
            return redirect("review_lead:attempts")
        form = AllowAttemptForm(request.POST, auto_id=f"allow-{submission.pk}-%s")
        if form.is_valid():
            try:
                services.attempt_allow(
                    learner=learner, page=page, note=form.cleaned_data["note"], granted_by=user
                )
            except services.EvidenceError as error:
                form.add_error("note", " ".join(error.problems))
            else:
                messages.success(
                    request,
                    f"Another attempt at “{page.title}” is allowed "
                    f"(after submission {submission.number}).",
                )
                return redirect("review_lead:attempts")
        failed = (learner.pk, page.pk)

    rows = reports.at_limit(
        scope=scope,
        named_learners=perms.district_learner_ids(districts) if districts else [],
        exclude_user=user,
    )
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
        {"rows": rows, "is_lead": bool(led), "is_admin": bool(districts)},
        status=400 if failed else 200,
    )
