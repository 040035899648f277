"""District admins' screens: their district's people, invitations and progress. Every view
goes through `permissions.district_for_admin`, so anyone else gets a 404; the district's
home also shows its facilitators the roster (`permissions.district_for_staff`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.errors import LeapError
from accounts.models import BatchJob
from accounts.reauthentication import recent_authentication_required
from accounts.selectors import batch_list, batch_outcomes
from cms.links import object_url_maker
from learning import selectors, services
from learning.cohorts.selectors import cohort_page_for_district
from learning.filters import MemberFilter
from learning.forms import InvitationCsvForm, InvitationForm, MemberDeleteForm, MembershipForm
from learning.invitation_actions import RESEND, WITHDRAW, InvitationChange, invitation_change_apply
from learning.models import Invitation, Membership
from learning.models.districts import INVITATION_RESEND_INTERVAL, INVITATION_VALID_DAYS
from learning.permissions import district_for_admin, district_for_staff


@login_required
def district_home(request, slug: str):
    district, role = district_for_staff(request.user, slug)
    if role == Membership.Role.FACILITATOR:
        return _render_roster(request, district)
    return _render_home(
        request,
        district,
        invite_form=InvitationForm(district=district),
        csv_form=InvitationCsvForm(district=district),
    )


MEMBERS_PER_PAGE = 50
INVITATIONS_PER_PAGE = 25
BOOK_CLUBS_PER_PAGE = 10


def _render_roster(request, district):
    page = selectors.district_roster_page_get(
        district=district, cursor=request.GET.get("cursor"), size=MEMBERS_PER_PAGE
    ).linked(request.GET, "cursor", path=request.path)
    return render(
        request,
        "learning/district_roster.html",
        {"district": district, "members": page.items, "members_page": page},
    )


def _render_home(request, district, *, invite_form, csv_form, status=200):
    rows = selectors.district_member_list(district=district)
    # The API's member filters (learning.filters), on the same parameters.
    member_filter = MemberFilter(request.GET, queryset=rows, district=district)
    if member_filter.is_valid():
        rows = member_filter.qs
    elif request.method == "GET":
        status = 400
    # Each list pages by its own cursor; a link to another page keeps the filters and the
    # other list's place, and leads to the home page (this may be a refused form's answer).
    home = reverse("learning:district_home", args=[district.slug])
    members = selectors.district_member_page_get(
        members=rows, cursor=request.GET.get("cursor"), size=MEMBERS_PER_PAGE
    ).linked(request.GET, "cursor", path=home, anchor="#members")
    invitations = selectors.invitation_open_page_get(
        district=district,
        cursor=request.GET.get("invitations_cursor"),
        size=INVITATIONS_PER_PAGE,
    ).linked(request.GET, "invitations_cursor", path=home, anchor="#invitations")
    cohorts = cohort_page_for_district(
        district=district, cursor=request.GET.get("book_clubs_cursor"), size=BOOK_CLUBS_PER_PAGE
    ).linked(request.GET, "book_clubs_cursor", path=home, anchor="#book-clubs")
    member_url = object_url_maker("learning:district_member", district.slug)
    for member in members.items:
        member.admin_url = member_url(member.pk)
    resend_url = object_url_maker("learning:district_invitation_resend", district.slug)
    revoke_url = object_url_maker("learning:district_invitation_revoke", district.slug)
    for invitation in invitations.items:
        invitation.resend_url = resend_url(invitation.pk)
        invitation.revoke_url = revoke_url(invitation.pk)
    context = {
        "district": district,
        "member_filter": member_filter,
        "filtered": any(request.GET.get(name) for name in member_filter.filters),
        "members": members.items,
        "members_page": members,
        "invitations": invitations.items,
        "invitations_page": invitations,
        "valid_days": INVITATION_VALID_DAYS,
        "resend_minutes": int(INVITATION_RESEND_INTERVAL.total_seconds() // 60),
        "invite_form": invite_form,
        "csv_form": csv_form,
        "district_cohorts": cohorts.items,
        "district_cohorts_page": cohorts,
        "invitation_uploads": batch_list(
            kind=services.INVITATIONS_BATCH,
            scope=services.invitations_batch_scope(district),
            limit=5,
        ),
    }
    return render(request, "learning/district_home.html", context, status=status)


@login_required
@require_POST
def district_invite(request, slug: str):
    district = district_for_admin(request.user, slug)
    form = InvitationForm(request.POST, district=district)
    if form.is_valid():
        try:
            services.invitation_send(
                district=district,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                school=form.cleaned_data["school"],
                invited_by=request.user,
            )
        except LeapError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("learning:district_home", slug=district.slug)
    return _render_home(
        request,
        district,
        invite_form=form,
        csv_form=InvitationCsvForm(district=district),
        status=400,
    )


@login_required
@require_POST
def district_invite_csv(request, slug: str):
    district = district_for_admin(request.user, slug)
    form = InvitationCsvForm(request.POST, request.FILES, district=district)
    if form.is_valid():
        job = services.invitations_send_many(
            district=district,
            rows=form.rows,
            invited_by=request.user,
            url_for=lambda job: reverse(
                "learning:district_invitations_job", args=[district.slug, job.uuid]
            ),
        )
        messages.success(
            request, f"All {job.total} row(s) are right: the invitations are being sent."
        )
        return redirect(job.url)
    return _render_home(
        request,
        district,
        invite_form=InvitationForm(district=district),
        csv_form=form,
        status=400,
    )


def _invitation_change(request, slug: str, pk: int, change: InvitationChange):
    """Send again or withdraw one of the district's open invitations and go back to the
    list. Another district's, or a closed, invitation is a 404."""
    district = district_for_admin(request.user, slug)
    invitation = get_object_or_404(
        Invitation.objects.select_related("district"),
        pk=pk,
        district=district,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    )
    invitation_change_apply(request, invitation, change)
    return redirect(f"{reverse('learning:district_home', args=[district.slug])}#invitations")


@login_required
@require_POST
def district_invitation_resend(request, slug: str, pk: int):
    return _invitation_change(request, slug, pk, RESEND)


@login_required
@require_POST
def district_invitation_revoke(request, slug: str, pk: int):
    return _invitation_change(request, slug, pk, WITHDRAW)


@login_required
@require_POST
def district_join_code_reset(request, slug: str):
    district = district_for_admin(request.user, slug)
    services.district_join_code_reset(district=district)
    messages.success(request, "The join code is changed; the old one no longer works.")
    return redirect("learning:district_home", slug=district.slug)


@login_required
@recent_authentication_required
def district_member(request, slug: str, pk: int):
    district = district_for_admin(request.user, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "school", "district"), pk=pk, district=district
    )
    form = MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                membership=membership,
                role=form.cleaned_data["role"],
                is_active=form.cleaned_data["is_active"],
                school=form.cleaned_data["school"],
            )
        except LeapError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{membership.user} is updated.")
            return redirect("learning:district_home", slug=district.slug)
    progress = selectors.member_progress_get(user=membership.user)
    return render(
        request,
        "learning/district_member.html",
        {"district": district, "membership": membership, "form": form, **progress},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@recent_authentication_required
def district_member_delete(request, slug: str, pk: int):
    """Delete a member's account at their request, with a reason (audited)."""
    district = district_for_admin(request.user, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "district"), pk=pk, district=district
    )
    person = membership.user
    form = MemberDeleteForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_account_delete(
                membership=membership,
                by=request.user,
                reason=form.cleaned_data["reason"],
                revoke_badges=form.cleaned_data["revoke_badges"],
            )
        except LeapError as error:
            error.add_to_form(form)
        else:
            messages.success(
                request, f"The account of {person.display_name or person.email} is deleted."
            )
            return redirect("learning:district_home", slug=district.slug)
    return render(
        request,
        "learning/district_member_delete.html",
        {"district": district, "membership": membership, "form": form},
        status=400 if form.errors else 200,
    )


INVITATION_OUTCOMES = {
    "sent": "Invitations sent",
    "already_member": "Not invited: already members",
    "already_sent": "Already sent by this upload",
    "failed": "Could not be sent",
}


@login_required
def district_invitations_job(request, slug: str, uuid):
    """The progress of an invitation list being sent; reloads itself until done."""
    district = district_for_admin(request.user, slug)
    job = get_object_or_404(
        BatchJob.objects.select_related("created_by"),
        uuid=uuid,
        kind=services.INVITATIONS_BATCH,
        scope=services.invitations_batch_scope(district),
    )
    return render(
        request,
        "learning/district_invitations_job.html",
        {
            "district": district,
            "job": job,
            "outcomes": batch_outcomes(job, INVITATION_OUTCOMES),
        },
    )
