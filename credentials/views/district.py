"""A district admin's screen for the district's own Open Badges issuer profile. Guarded by
`learning.api.district_for_admin`: anyone but the district's admins gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.errors import LeapError
from credentials.forms.badges import DistrictIssuerForm
from credentials.selectors.badges import district_issuer_get, issuing_page_list
from credentials.services.issuers import district_issuer_save
from learning import api as learning


@login_required
def district_issuer(request, slug: str):
    district = learning.district_for_admin(request.user, slug)
    issuer = district_issuer_get(district=district)
    if request.method != "POST":
        form = DistrictIssuerForm(
            initial={
                "name": issuer.name if issuer else district.name,
                "url": issuer.url if issuer else "",
                "email": issuer.email if issuer else request.user.email,
                "description": issuer.description if issuer else "",
                "micro_credentials": [page.pk for page in issuing_page_list(issuer=issuer)],
            }
        )
    else:
        form = DistrictIssuerForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                issuer = district_issuer_save(
                    district=district,
                    name=data["name"],
                    url=data["url"],
                    email=data["email"],
                    description=data["description"],
                    image=data["image"],
                    pages=list(data["micro_credentials"]),
                )
            except LeapError as error:
                error.add_to_form(form)
            else:
                messages.success(request, f"The issuer profile of {issuer.name} is saved.")
                return redirect("district_issuer", slug=district.slug)
    return render(
        request,
        "credentials/district_issuer.html",
        {"district": district, "issuer": issuer, "form": form},
        status=400 if form.errors else 200,
    )
