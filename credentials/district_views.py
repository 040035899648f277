"""A district admin's screen for the district's own Open Badges issuer profile. Guarded by
`learning.permissions.district_for_admin`: anyone but the district's admins gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render

from credentials import services
from credentials.forms import DistrictIssuerForm
from credentials.selectors import district_issuer as district_issuer_of
from learning.permissions import district_for_admin


@login_required
def district_issuer(request, slug: str):
    district = district_for_admin(request.user, slug)
    issuer = district_issuer_of(district)
    arranged = (
        [a.micro_credential for a in issuer.issuing_arrangements.select_related("micro_credential")]
        if issuer
        else []
    )
    if request.method != "POST":
        form = DistrictIssuerForm(
            initial={
                "name": issuer.name if issuer else district.name,
                "url": issuer.url if issuer else "",
                "email": issuer.email if issuer else request.user.email,
                "description": issuer.description if issuer else "",
                "micro_credentials": [page.pk for page in arranged],
            }
        )
    else:
        form = DistrictIssuerForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            # Unpublished pages are not offered, so their arrangements are kept as they are.
            unpublished = [page for page in arranged if not page.live]
            try:
                with transaction.atomic():
                    issuer = services.issuer_for_district_save(
                        district=district,
                        name=data["name"],
                        url=data["url"],
                        email=data["email"],
                        description=data["description"],
                        image=data["image"],
                    )
                    services.issuing_arrangements_set(
                        issuer=issuer, pages=[*data["micro_credentials"], *unpublished]
                    )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"The issuer profile of {issuer.name} is saved.")
                return redirect("district_issuer", slug=district.slug)
    return render(
        request,
        "credentials/district_issuer.html",
        {"district": district, "issuer": issuer, "form": form},
        status=400 if form.errors else 200,
    )
