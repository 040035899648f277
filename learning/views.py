"""The learner's screens: onboarding, joining a district, self-assessment, the plan,
pathway progress, the dashboard and the transcript. Every object is looked up with the
signed-in user as owner, so someone else's id answers 404."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from wagtail.models import Page

from accounts.errors import LeapError
from accounts.throttle import (
    CODE_WAIT,
    throttle_blocked,
    throttle_failure,
    throttled,
    too_many_requests,
)
from cms.models import Framework, MicroCredentialPage, PathwayPage
from cms.selectors import visible_to
from cms.spreadsheets import spreadsheet_safe
from learning import selectors, services
from learning.forms import JoinCodeForm, OnboardingForm, ReflectionForm, SelfAssessmentForm
from learning.invitation_note import invitation_note_forget, invitation_note_remember
from learning.models import Enrolment, PlanItem, SelfAssessment


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


# Onboarding and joining.


@login_required
def onboarding(request):
    profile = selectors.profile_get(user=request.user)
    initial = {"display_name": request.user.display_name, "role": profile.role if profile else None}
    form = OnboardingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["join_code"]
        if code and (wait := throttle_blocked(request, "join-code")):
            return too_many_requests(request, wait, CODE_WAIT)
        try:
            membership = (
                services.membership_join_by_code(user=request.user, code=code) if code else None
            )
        except LeapError as error:
            throttle_failure(request, "join-code")
            form.add_error("join_code", str(error))
        else:
            services.profile_onboard(
                user=request.user,
                display_name=form.cleaned_data["display_name"],
                role=form.cleaned_data["role"],
            )
            if membership is not None:
                messages.success(request, f"You joined {membership.district.name}.")
            return redirect("learning:assessment_start")
    # People who joined already (by invitation, say) are not asked for a join code.
    memberships = selectors.dashboard_membership_list(user=request.user)
    return render(request, "learning/onboarding.html", {"form": form, "memberships": memberships})


@login_required
def join(request):
    form = JoinCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if wait := throttle_blocked(request, "join-code"):
            return too_many_requests(request, wait, CODE_WAIT)
        try:
            membership = services.membership_join_by_code(
                user=request.user, code=form.cleaned_data["code"]
            )
        except LeapError as error:
            throttle_failure(request, "join-code")
            form.add_error("code", str(error))
        else:
            messages.success(request, f"You are a member of {membership.district.name}.")
            return redirect("learning:dashboard")
    memberships = selectors.dashboard_membership_list(user=request.user)
    return render(request, "learning/join.html", {"form": form, "memberships": memberships})


def invitation(request, token: str):
    """The link in an invitation e-mail. Signed out: sign up with the invited address (or
    sign in), then come back here. Signed in with the invited address: one button joins.
    Signed in as someone else: say so, and offer to log out. Used: "you have joined" to
    the person who used it, a neutral sentence to anyone else."""
    found = selectors.invitation_get_by_token(token=token)
    user = request.user
    if (
        user.is_authenticated
        and found is not None
        and found.accepted_at is not None
        and found.accepted_by_id == user.pk
    ):
        invitation_note_forget(request)
        return render(
            request,
            "learning/invitation_joined.html",
            {
                "invitation": found,
                "membership": selectors.membership_get(user=user, district=found.district),
                "needs_onboarding": selectors.needs_onboarding(user=user),
            },
        )
    # Links that match no invitation count against the address: tokens cannot be guessed.
    if wait := throttle_blocked(request, "invitation-token"):
        return too_many_requests(request, wait)
    try:
        invite = services.invitation_for_token(token)
    except LeapError as error:
        throttle_failure(request, "invitation-token")
        return render(request, "learning/invitation.html", {"error": str(error)}, status=410)
    if not user.is_authenticated:
        if request.method == "POST":
            return redirect(f"{reverse('account_login')}?next={request.path}")
        # The sign-up and log-in pages say what the person is joining.
        invitation_note_remember(request, invitation=invite)
        return render(request, "learning/invitation.html", {"invitation": invite})
    if not selectors.invitation_is_for(user=user, invitation=invite):
        return render(
            request, "learning/invitation.html", {"invitation": invite, "other_account": True}
        )
    if request.method == "POST":
        try:
            services.invitation_accept(user=user, token=token)
        except LeapError as error:
            messages.error(request, str(error))
        else:
            return redirect(request.path)
    return render(request, "learning/invitation.html", {"invitation": invite})


# Self-assessment.


@login_required
def assessment_start(request):
    profile = selectors.profile_get(user=request.user)
    if request.method == "POST":
        framework = Framework.objects.live().filter(code=request.POST.get("framework", "")).first()
        if framework is None or not services.assessable_elements(framework).exists():
            messages.error(request, "Choose one of the frameworks listed.")
        else:
            take = services.assessment_start(user=request.user, framework=framework)
            return redirect("learning:assessment_edit", pk=take.pk)
    suggested, others = selectors.assessment_framework_list(
        role_code=profile.role.code if profile and profile.role else None
    )
    return render(
        request,
        "learning/assessment_start.html",
        {
            "suggested": suggested,
            "others": others,
            "assessments": selectors.assessment_list(user=request.user),
        },
    )


@login_required
def assessment_edit(request, pk: int):
    take = get_object_or_404(
        SelfAssessment.objects.select_related("framework"), pk=pk, user=request.user
    )
    if take.is_complete:
        return redirect("learning:assessment_detail", pk=take.pk)
    elements = list(services.assessable_elements(take.framework).select_related("category"))
    form = SelfAssessmentForm(
        request.POST or None, elements=elements, levels=selectors.level_list(), assessment=take
    )
    if request.method == "POST" and form.is_valid():
        finishing = "finish" in request.POST
        try:
            # Ratings are saved first, so a take that cannot be finished yet loses nothing.
            services.assessment_save(
                assessment=take,
                ratings=form.ratings(),
                target_level=form.cleaned_data["target_level"],
            )
            if finishing:
                services.assessment_finish(assessment=take)
        except LeapError as error:
            messages.error(request, str(error))
            return redirect("learning:assessment_edit", pk=take.pk)
        if finishing:
            messages.success(request, "Self-assessment finished. Here is what we recommend.")
            return redirect("learning:assessment_detail", pk=take.pk)
        messages.success(request, "Your ratings are saved. Come back any time to finish.")
        return redirect("learning:assessment_edit", pk=take.pk)
    rated = sum(1 for rating in take.ratings.all())
    return render(
        request,
        "learning/assessment_edit.html",
        {"assessment": take, "form": form, "rated": rated, "total": len(elements)},
        status=400 if form.errors else 200,
    )


@login_required
def assessment_detail(request, pk: int):
    take = get_object_or_404(
        SelfAssessment.objects.select_related("framework"), pk=pk, user=request.user
    )
    if not take.is_complete:
        return redirect("learning:assessment_edit", pk=take.pk)
    takes, rows = selectors.rating_history_get(user=request.user, framework=take.framework)
    levels = selectors.level_list()
    return render(
        request,
        "learning/assessment_detail.html",
        {
            "assessment": take,
            "recommendations": selectors.recommendation_list(user=request.user, assessment=take),
            "takes": takes,
            "rows": rows,
            "levels": levels,
            "chart": selectors.rating_chart_list(
                assessment=take, takes=takes, rows=rows, levels=levels
            ),
        },
    )


# The plan.


def _plan_page(request, page_id) -> Page:
    pages = visible_to(Page.objects.type(PathwayPage, MicroCredentialPage), request.user)
    return get_object_or_404(pages, pk=page_id).specific


@login_required
def plan(request):
    latest = selectors.assessment_latest_list(user=request.user)
    recommendations = (
        selectors.recommendation_list(
            user=request.user, assessment=latest[0], leave_out_planned=True
        )
        if latest
        else []
    )
    return render(
        request,
        "learning/plan.html",
        {
            "items": selectors.plan_item_list(user=request.user),
            "recommendations": recommendations,
            "assessment": latest[0] if latest else None,
        },
    )


@login_required
@require_POST
def plan_add(request):
    try:
        page_id = int(request.POST.get("page", ""))
    except ValueError:
        raise Http404("No such page.") from None
    page = _plan_page(request, page_id)
    reason, source = "", PlanItem.Source.CHOSEN
    if request.POST.get("source") == PlanItem.Source.RECOMMENDED:
        # The reason is worked out again here, never taken from the form.
        for take in selectors.assessment_latest_list(user=request.user):
            match = next(
                (
                    r
                    for r in selectors.recommendation_list(
                        user=request.user, assessment=take, limit=None
                    )
                    if r.page.pk == page.pk
                ),
                None,
            )
            if match is not None:
                reason, source = "; ".join(match.reasons), PlanItem.Source.RECOMMENDED
                break
    try:
        services.plan_add(user=request.user, page=page, source=source, reason=reason)
    except LeapError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{page.title}” is in your plan.")
    return redirect(_safe_next(request, reverse("learning:plan")))


@login_required
@require_POST
def plan_item_move(request, pk: int):
    item = get_object_or_404(PlanItem, pk=pk, user=request.user)
    services.plan_move(item=item, offset=-1 if request.POST.get("direction") == "up" else 1)
    return redirect(f"{reverse('learning:plan')}#plan-item-{item.pk}")


@login_required
@require_POST
def plan_item_remove(request, pk: int):
    item = get_object_or_404(PlanItem.objects.select_related("page"), pk=pk, user=request.user)
    title = item.page.title
    services.plan_remove(item=item)
    messages.success(request, f"“{title}” is no longer in your plan.")
    return redirect(_safe_next(request, reverse("learning:plan")))


# Pathways.


@login_required
@require_POST
def pathway_enrol(request, pathway_id: int):
    pathway = get_object_or_404(visible_to(PathwayPage.objects.all(), request.user), pk=pathway_id)
    try:
        services.enrolment_enrol(user=request.user, pathway=pathway)
    except LeapError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You are enrolled in “{pathway.title}”.")
    return redirect(pathway.url)


@login_required
@require_POST
def step_update(request, pathway_id: int, step_id: str):
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("pathway"), pathway_id=pathway_id, user=request.user
    )
    form = ReflectionForm(request.POST)
    reflection = None
    if "reflection" in request.POST:
        if not form.is_valid():
            messages.error(request, form.errors["reflection"][0])
            return redirect(f"{enrolment.pathway.url}#step-{step_id}")
        reflection = form.cleaned_data["reflection"]
    was_complete = enrolment.is_complete
    try:
        services.step_update(
            enrolment=enrolment,
            step_id=step_id,
            done=request.POST.get("done") == "1",
            reflection=reflection,
        )
    except LeapError as error:
        messages.error(request, str(error))
        if not enrolment.is_available:
            return redirect("learning:dashboard")
    else:
        enrolment.refresh_from_db(fields=["completed_at"])
        if enrolment.is_complete and not was_complete:
            messages.success(request, "Pathway complete: its hours are on your transcript.")
    return redirect(f"{enrolment.pathway.url}#step-{step_id}")


# Dashboard and transcript.


@login_required
def dashboard(request):
    if selectors.needs_onboarding(user=request.user):
        return redirect("learning:onboarding")
    return render(request, "learning/dashboard.html", selectors.dashboard_get(user=request.user))


@login_required
def transcript(request):
    years = selectors.transcript_get(user=request.user)
    return render(request, "learning/transcript.html", {"years": years})


@login_required
@throttled("export", methods=("GET",))
def transcript_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="leap-transcript.csv"'
    writer = csv.writer(response)
    writer.writerow(["school_year", "date", "activity", "kind", "hours", "verify_url"])
    for year in selectors.transcript_get(user=request.user):
        for entry in year.entries:
            writer.writerow(
                [
                    year.label,
                    entry.earned_on.isoformat(),
                    spreadsheet_safe(entry.title),
                    entry.get_source_display(),
                    entry.hours,
                    entry.url,
                ]
            )
    return response
