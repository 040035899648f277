"""District admins' screens for their district's integrations: API tokens (here) and
webhooks (integrations.webhook_views). Every view goes through
`learning.permissions.district_for_admin`, so anyone else gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.reauthentication import recent_authentication_required
from integrations import selectors, services
from integrations.forms import ApiTokenForm, made_with_secret
from learning.permissions import district_for_admin


@login_required
@require_http_methods(["GET", "POST"])
@recent_authentication_required
def district_api(request, slug: str):
    """The district's API tokens, and a form to make one: its secret is shown once, on the
    answer to the form, and never again."""
    district = district_for_admin(request.user, slug)
    form, created, secret, status = made_with_secret(
        request,
        ApiTokenForm,
        lambda data: services.api_token_create(
            district=district,
            name=data["name"],
            scopes=data["scopes"],
            days=data["days"],
            created_by=request.user,
        ),
    )
    return render(
        request,
        "integrations/district_api.html",
        {
            "district": district,
            "form": form,
            "tokens": selectors.api_token_list(district=district),
            "created": created,
            "secret": secret,
            "docs_url": request.build_absolute_uri(reverse("api:docs")),
            "api_url": request.build_absolute_uri(reverse("api:district")),
        },
        status=status,
    )


@login_required
@require_POST
@recent_authentication_required
def api_token_revoke(request, slug: str, pk: int):
    district = district_for_admin(request.user, slug)
    token = get_object_or_404(selectors.api_token_list(district=district), pk=pk)
    services.api_token_revoke(token=token, revoked_by=request.user)
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("integrations:district_api", slug=district.slug)
