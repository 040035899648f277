"""Book-club screens: the list, starting and editing a cohort, its schedule and members
(for facilitators and district admins), and the member's cohort page. Every view finds
the cohort through `learning.cohorts.permissions`, so anyone else gets a 404."""

from dataclasses import replace
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.errors import LeapError
from accounts.throttle import CODE_WAIT, throttle_blocked, throttle_failure, too_many_requests
from learning.api import time_zone_of
from learning.cohorts import (
    completion,
    facilitating,
    invitations,
    participation_selectors,
    selectors,
    services,
)
from learning.cohorts.forms import (
    AddMemberForm,
    CohortCodeForm,
    CohortCreateForm,
    CohortEditForm,
    InviteAddressForm,
    SessionForm,
    session_initial,
)
from learning.cohorts.permissions import (
    can_create_in,
    cohort_for_facilitator,
    cohort_for_participant,
    cohort_list_run,
    cohort_list_visible,
)
from learning.cohorts.views_common import action_report, form_submit
from learning.invitation_actions import RESEND, WITHDRAW, InvitationChange, invitation_change_apply
from learning.models import Cohort, CohortMember, CohortSession, Invitation
from learning.permissions import district_for_staff

MESSAGES_SHOWN = 20  # the newest messages on the members' page


@login_required
def cohort_list(request):
    user = request.user
    return render(
        request,
        "learning/cohorts/cohort_list.html",
        {
            "taking_part": selectors.cohort_list_annotated(
                cohort_list_visible(user).filter(
                    members__user=user, members__state__in=selectors.TAKING_PART
                )
            ).order_by("-start_date", "title"),
            "running": selectors.cohort_list_annotated(cohort_list_run(user)).order_by(
                "-start_date", "title"
            ),
            "pending": selectors.place_list_pending(user=user),
            "joinable": selectors.cohort_list_joinable(user=user),
            "code_form": CohortCodeForm(),
        },
    )


@login_required
def cohort_create(request, slug: str):
    district, role = district_for_staff(request.user, slug)
    if not can_create_in(request.user, district.pk):
        raise Http404("No such district.")
    is_admin = role != "facilitator"
    form = CohortCreateForm(
        request.POST or None, district=district, initial={"facilitators": [request.user.pk]}
    )

    def start(_data):
        details = form.details()
        if not is_admin and request.user not in details.facilitators:
            # A facilitator who starts a cohort leads it; only an admin may name others alone.
            details = replace(details, facilitators=(*details.facilitators, request.user))
        return services.cohort_create(
            district=district, created_by=request.user, details=details, plan=form.plan()
        )

    if planned := form_submit(
        request,
        form,
        start,
        done=lambda cohort: (
            f"“{cohort.title}” is planned, with a meeting for each part. "
            "Check the schedule, then open it so people can join."
        ),
        then=lambda cohort: reverse("cohorts:schedule", args=[cohort.pk]),
    ):
        return planned
    return render(
        request,
        "learning/cohorts/cohort_form.html",
        {"form": form, "district": district, "cohort": None, "is_admin": is_admin},
        status=400 if form.is_bound else 200,
    )


@login_required
def cohort_edit(request, pk: int):
    cohort = cohort_for_facilitator(request.user, pk)
    facilitators = CohortMember.objects.filter(
        cohort=cohort, role=CohortMember.Role.FACILITATOR
    ).exclude(state=CohortMember.State.LEFT)
    form = CohortEditForm(
        request.POST or None,
        instance=cohort,
        district=cohort.district,
        initial={"facilitators": [p.user_id for p in facilitators]},
    )
    if saved := form_submit(
        request,
        form,
        lambda _data: services.cohort_update(cohort=cohort, details=form.details()),
        done="Saved.",
        then=reverse("cohorts:schedule", args=[cohort.pk]),
    ):
        return saved
    cohort.refresh_from_db()
    return render(
        request,
        "learning/cohorts/cohort_form.html",
        {"form": form, "district": cohort.district, "cohort": cohort},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def cohort_open(request, pk: int):
    cohort = cohort_for_facilitator(request.user, pk)
    action_report(
        request,
        lambda: services.cohort_open(cohort=cohort),
        done=f"“{cohort.title}” is open: people can join now.",
    )
    return redirect("cohorts:schedule", pk=cohort.pk)


def _session_rows(sessions, zone, forms=None):
    forms = forms or {}
    return [
        (
            session,
            forms.get(session.pk)
            or SessionForm(
                initial=session_initial(session, zone), zone=zone, prefix=f"s{session.pk}"
            ),
        )
        for session in sessions
    ]


def _render_schedule(request, cohort, *, forms=None, add_form=None, status=200):
    zone = ZoneInfo(cohort.time_zone)
    sessions = selectors.session_list(cohort=cohort)
    return render(
        request,
        "learning/cohorts/schedule.html",
        {
            "cohort": cohort,
            "zone": zone,
            "rows": _session_rows(sessions, zone, forms),
            "add_form": add_form or SessionForm(zone=zone, prefix="add"),
            "progress": selectors.schedule_progress(sessions),
        },
        status=status,
    )


@login_required
def schedule(request, pk: int):
    cohort = cohort_for_facilitator(request.user, pk)
    return _render_schedule(request, cohort)


def _session(cohort: Cohort, session_id: int) -> CohortSession:
    return get_object_or_404(CohortSession, pk=session_id, cohort=cohort)


@login_required
@require_POST
def session_edit(request, pk: int, session_id: int):
    cohort = cohort_for_facilitator(request.user, pk)
    session = _session(cohort, session_id)
    form = SessionForm(request.POST, zone=ZoneInfo(cohort.time_zone), prefix=f"s{session.pk}")
    saved = form_submit(
        request,
        form,
        lambda _data: services.session_update(session=session, **form.meeting()),
        done=lambda meeting: f"Meeting “{meeting.title}” saved.",
        then=reverse("cohorts:schedule", args=[cohort.pk]),
    )
    return saved or _render_schedule(request, cohort, forms={session.pk: form}, status=400)


@login_required
@require_POST
def session_add(request, pk: int):
    cohort = cohort_for_facilitator(request.user, pk)
    form = SessionForm(request.POST, zone=ZoneInfo(cohort.time_zone), prefix="add")
    added = form_submit(
        request,
        form,
        lambda _data: services.session_add(cohort=cohort, **form.meeting()),
        done=lambda meeting: f"Meeting “{meeting.title}” added.",
        then=reverse("cohorts:schedule", args=[cohort.pk]),
    )
    return added or _render_schedule(request, cohort, add_form=form, status=400)


def _session_action(request, pk: int, session_id: int, action, done: str):
    cohort = cohort_for_facilitator(request.user, pk)
    session = _session(cohort, session_id)
    action_report(request, lambda: action(session=session), done=done)
    return redirect("cohorts:schedule", pk=cohort.pk)


@login_required
@require_POST
def session_merge(request, pk: int, session_id: int):
    return _session_action(
        request, pk, session_id, services.session_merge, "Merged with the next meeting."
    )


@login_required
@require_POST
def session_split(request, pk: int, session_id: int):
    return _session_action(
        request,
        pk,
        session_id,
        services.session_split,
        "Split in two; the later meetings moved a week.",
    )


@login_required
@require_POST
def session_remove(request, pk: int, session_id: int):
    return _session_action(request, pk, session_id, services.session_remove, "Meeting removed.")


def _render_members(
    request, cohort, *, add_form=None, invite_form=None, address_form=None, status=200
):
    places = list(selectors.member_list(cohort=cohort))
    groups = {state: [] for state in CohortMember.State.values}
    for place in places:
        groups[place.state].append(place)
    return render(
        request,
        "learning/cohorts/members.html",
        {
            "cohort": cohort,
            "taking_part": groups["active"] + groups["completed"],
            "waiting": groups["waiting"],
            "requested": groups["requested"],
            "invited": groups["invited"],
            "places_taken": sum(
                1 for p in groups["active"] + groups["completed"] if p.role == "member"
            ),
            "add_form": add_form or AddMemberForm(cohort=cohort, prefix="add"),
            "invite_form": invite_form or AddMemberForm(cohort=cohort, prefix="invite"),
            "address_form": address_form or InviteAddressForm(prefix="address"),
            "invitations": selectors.invitation_open_list(cohort=cohort),
        },
        status=status,
    )


@login_required
def members(request, pk: int):
    cohort = cohort_for_facilitator(request.user, pk)
    return _render_members(request, cohort)


def _name(user) -> str:
    return user.display_name or user.email


@login_required
@require_POST
def member_add(request, pk: int):
    cohort = cohort_for_facilitator(request.user, pk)
    form = AddMemberForm(request.POST, cohort=cohort, prefix="add")
    added = form_submit(
        request,
        form,
        lambda data: services.member_add(cohort=cohort, user=data["user"], added_by=request.user),
        done=lambda place: (
            f"{_name(place.user)} is in."
            if place.state == "active"
            else f"The group is full: {_name(place.user)} is on the waiting list."
        ),
        then=reverse("cohorts:members", args=[cohort.pk]),
    )
    return added or _render_members(request, cohort, add_form=form, status=400)


@login_required
@require_POST
def member_invite(request, pk: int):
    cohort = cohort_for_facilitator(request.user, pk)
    form = AddMemberForm(request.POST, cohort=cohort, prefix="invite")
    invited = form_submit(
        request,
        form,
        lambda data: services.member_invite(
            cohort=cohort, user=data["user"], invited_by=request.user
        ),
        done=lambda place: f"Invitation sent to {place.user.email}.",
        then=reverse("cohorts:members", args=[cohort.pk]),
    )
    return invited or _render_members(request, cohort, invite_form=form, status=400)


@login_required
@require_POST
def member_invite_address(request, pk: int):
    cohort = cohort_for_facilitator(request.user, pk)
    form = InviteAddressForm(request.POST, prefix="address")
    invited = form_submit(
        request,
        form,
        lambda data: invitations.member_invite_address(
            cohort=cohort, email=data["email"], invited_by=request.user
        ),
        done=lambda sent: (
            f"Invitation sent to {sent.user.email}."
            if isinstance(sent, CohortMember)
            else f"{sent.email} is invited to join {cohort.district.name} and this book "
            "club. They will have their place as soon as they accept."
        ),
        then=reverse("cohorts:members", args=[cohort.pk]),
    )
    return invited or _render_members(request, cohort, address_form=form, status=400)


def _invitation_change(request, pk: int, invitation_id: int, change: InvitationChange):
    """Send again or withdraw an open invitation that brings this club; any other is 404."""
    cohort = cohort_for_facilitator(request.user, pk)
    invitation = get_object_or_404(
        Invitation.objects.select_related("district"),
        pk=invitation_id,
        cohort=cohort,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    )
    invitation_change_apply(request, invitation, change)
    return redirect("cohorts:members", pk=cohort.pk)


@login_required
@require_POST
def invitation_resend(request, pk: int, invitation_id: int):
    return _invitation_change(request, pk, invitation_id, RESEND)


@login_required
@require_POST
def invitation_withdraw(request, pk: int, invitation_id: int):
    return _invitation_change(request, pk, invitation_id, WITHDRAW)


def _place(cohort: Cohort, place_id: int) -> CohortMember:
    return get_object_or_404(
        CohortMember.objects.select_related("user"), pk=place_id, cohort=cohort
    )


@login_required
@require_POST
def member_answer(request, pk: int, place_id: int, answer: str):
    if answer not in ("approve", "decline", "remove"):
        raise Http404("No such action.")
    cohort = cohort_for_facilitator(request.user, pk)
    place = _place(cohort, place_id)
    name = _name(place.user)
    if answer == "approve":
        action_report(
            request,
            lambda: services.member_approve(place=place),
            done=lambda approved: (
                f"{name} is in."
                if approved.state == "active"
                else f"{name} is on the waiting list."
            ),
        )
    elif answer == "decline":
        action_report(
            request,
            lambda: services.member_decline(place=place),
            done=f"{name}'s request was declined.",
        )
    else:
        action_report(
            request,
            lambda: services.member_leave(place=place, removed_by=request.user),
            done=f"{name} is no longer in the group.",
        )
    return redirect("cohorts:members", pk=cohort.pk)


@login_required
def cohort_detail(request, pk: int):
    cohort = cohort_for_participant(request.user, pk)
    sessions = selectors.session_list(cohort=cohort)
    place = selectors.place_get(cohort=cohort, user=request.user)
    progress = selectors.schedule_progress(sessions)
    takes_part = (
        place is not None
        and place.role == CohortMember.Role.MEMBER
        and place.state in selectors.TAKING_PART
    )
    return render(
        request,
        "learning/cohorts/cohort_detail.html",
        {
            "cohort": cohort,
            "sessions": sessions,
            "progress": progress,
            "my_progress": takes_part
            and completion.progress_get(cohort=cohort, user_id=request.user.pk),
            "my_rsvp": progress.current
            and participation_selectors.rsvp_get(session=progress.current, user=request.user),
            "zone": time_zone_of(user=request.user),
            "place": place,
            "facilitators": selectors.member_list(cohort=cohort).filter(
                role=CohortMember.Role.FACILITATOR, state__in=selectors.TAKING_PART
            ),
            "runs_it": cohort_list_run(request.user).filter(pk=cohort.pk).exists(),
            "cohort_messages": facilitating.cohort_message_list(
                cohort=cohort, limit=MESSAGES_SHOWN
            ),
        },
    )


@login_required
@require_POST
def cohort_join(request, pk: int):
    cohort = get_object_or_404(selectors.cohort_list_joinable(user=request.user), pk=pk)
    try:
        place = services.member_join(cohort=cohort, user=request.user)
    except LeapError as error:
        messages.error(request, str(error))
        return redirect("cohorts:list")
    if place.state == CohortMember.State.WAITING:
        messages.success(request, f"“{cohort.title}” is full: you are on its waiting list.")
        return redirect("cohorts:list")
    messages.success(request, f"Welcome to “{cohort.title}”.")
    return redirect("cohorts:detail", pk=cohort.pk)


@login_required
@require_POST
def cohort_request(request):
    form = CohortCodeForm(request.POST)
    if form.is_valid() and (wait := throttle_blocked(request, "join-code")):
        return too_many_requests(request, wait, CODE_WAIT)
    if asked := form_submit(
        request,
        form,
        lambda data: services.member_request(code=data["code"], user=request.user),
        done=lambda place: (
            f"You asked to join “{place.cohort.title}”. The facilitator will let you know."
        ),
        then=reverse("cohorts:list"),
    ):
        return asked
    if request.method == "POST" and form.errors:  # a wrong code counts toward the limit
        throttle_failure(request, "join-code")
    for error in form.errors.get("code", []) + form.non_field_errors():
        messages.error(request, error)
    return redirect("cohorts:list")


def _own_place(request, pk: int, state: str) -> CohortMember:
    return get_object_or_404(
        CohortMember.objects.select_related("cohort", "cohort__district"),
        cohort_id=pk,
        user=request.user,
        state=state,
    )


@login_required
def invitation(request, pk: int):
    place = _own_place(request, pk, CohortMember.State.INVITED)
    cohort = place.cohort
    if request.method == "POST":
        try:
            if request.POST.get("answer") == "accept":
                place = services.member_accept(place=place)
                if place.state == CohortMember.State.ACTIVE:
                    messages.success(request, f"Welcome to “{cohort.title}”.")
                    return redirect("cohorts:detail", pk=cohort.pk)
                messages.success(request, f"“{cohort.title}” is full: you are on its waiting list.")
            else:
                services.member_leave(place=place)
                messages.success(request, f"You turned down the invitation to “{cohort.title}”.")
        except LeapError as error:
            messages.error(request, str(error))
        return redirect("cohorts:list")
    return render(
        request,
        "learning/cohorts/invitation.html",
        {
            "cohort": cohort,
            "sessions": selectors.session_list(cohort=cohort),
            "zone": time_zone_of(user=request.user),
        },
    )


@login_required
@require_POST
def cohort_leave(request, pk: int):
    place = get_object_or_404(
        CohortMember.objects.select_related("cohort"),
        cohort_id=pk,
        user=request.user,
        state__in=[
            CohortMember.State.ACTIVE,
            CohortMember.State.WAITING,
            CohortMember.State.REQUESTED,
        ],
    )
    action_report(
        request,
        lambda: services.member_leave(place=place),
        done=f"You left “{place.cohort.title}”.",
    )
    return redirect("cohorts:list")
