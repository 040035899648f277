from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cms.health import run_checks


@never_cache
@require_GET
def health(request):
    """200 when every part answers, 503 naming the parts that do not. No internals leak."""
    results = run_checks()
    failing = [name for name, ok in results.items() if not ok]
    body = {
        "status": "error" if failing else "ok",
        "checks": {name: "ok" if ok else "unavailable" for name, ok in results.items()},
    }
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
