"""District admins' screens: their district's people, invitations and progress. Every view
goes through `permissions.district_for_admin`, so anyone else gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.errors import LeapError
from learning import selectors, services
from learning.forms import InvitationCsvForm, InvitationForm, MembershipForm
from learning.models import Membership
from learning.permissions import district_for_admin


@login_required
def district_home(request, slug: str):
    district = district_for_admin(request.user, slug)
    return _render_home(
        request,
        district,
        invite_form=InvitationForm(district=district),
        csv_form=InvitationCsvForm(district=district),
    )


MEMBERS_PER_PAGE = 50


def _render_home(request, district, *, invite_form, csv_form, status=200):
    members = Paginator(selectors.district_member_list(district=district), MEMBERS_PER_PAGE)
    page_obj = members.get_page(request.GET.get("page"))
    context = {
        "district": district,
        "members": page_obj.object_list,
        "page_obj": page_obj,
        "invitations": selectors.invitation_open_list(district=district),
        "invite_form": invite_form,
        "csv_form": csv_form,
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
        result = services.invitations_send_many(
            district=district, rows=form.rows, invited_by=request.user
        )
        text = f"{result.sent} invitation{'s' if result.sent != 1 else ''} sent."
        if result.already_members:
            text += f" Not invited, already members: {', '.join(result.already_members)}."
        messages.success(request, text)
        return redirect("learning:district_home", slug=district.slug)
    return _render_home(
        request,
        district,
        invite_form=InvitationForm(district=district),
        csv_form=form,
        status=400,
    )


@login_required
@require_POST
def district_join_code_reset(request, slug: str):
    district = district_for_admin(request.user, slug)
    services.district_join_code_reset(district=district)
    messages.success(request, "The join code is changed; the old one no longer works.")
    return redirect("learning:district_home", slug=district.slug)


@login_required
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
