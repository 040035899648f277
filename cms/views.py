from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from wagtail.models import Page

from cms.health import health_check
from cms.models import (
    BookIndexPage,
    BookPage,
    MicroCredentialIndexPage,
    MicroCredentialPage,
    PathwayIndexPage,
    PathwayPage,
)
from cms.selectors import visible_to


@never_cache
@require_GET
def health(request):
    """200 while pages can be served ("ok", or "degraded" naming what is down), 503 when
    they cannot (the database is down). No internals leak."""
    found = health_check()
    body = {
        "status": found.status,
        "checks": found.results,
    }
    if found.failing:
        body["failing"] = found.failing
    return JsonResponse(body, status=503 if found.status == "error" else 200)


@never_cache
def cms_login(request):
    """Wagtail's log-in URL. People sign in through allauth, so e-mail verification and
    two-factor authentication hold for the CMS too; signed-in people who are not editors
    get a 403 instead of a loop between the two log-in pages."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("wagtailadmin_home")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url, login_url=reverse("account_login"))
    if request.user.has_perm("wagtailadmin.access_admin"):
        return redirect(next_url)
    raise PermissionDenied("Your account does not have access to the editor.")


SEARCH_RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def search(request):
    """Site search over pathways, micro-credentials and books (live and public only)."""
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    page_obj = None
    results = []
    if query:
        pages = visible_to(
            Page.objects.type(PathwayPage, MicroCredentialPage, BookPage), request.user
        )
        found = pages.search(query)
        page_obj = Paginator(found, SEARCH_RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        specific = Page.objects.filter(pk__in=[p.pk for p in page_obj]).specific().in_bulk()
        results = [specific[p.pk] for p in page_obj if p.pk in specific]
    sections = []
    if query and not results:
        sections = list(
            Page.objects.live().type(PathwayIndexPage, MicroCredentialIndexPage, BookIndexPage)
        )
    context = {"query": query, "page_obj": page_obj, "results": results, "sections": sections}
    return render(request, "cms/search.html", context)
