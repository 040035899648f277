"""The benchmark's URL conf (cms.settings.bench): Leap's own, plus two yardsticks for the
public assertion JSON's throughput. Both pass through the same middleware and answer a
constant JSON body:

- the minimal Django view does nothing else;
- the minimal view with one Redis round trip also does the least a public document must:
  count the request against the per-address limit and read the document from the shared
  cache (so that a revocation reaches every web process at once), both in one script, as
  Leap does (`accounts.throttle.throttle_request_reading`). It shows what Leap's own code
  costs on top."""

from django.core.cache import cache
from django.http import HttpResponse
from django.urls import path

from accounts.client_ip import client_ip
from cms.urls import urlpatterns as leap_urlpatterns

CONSTANT_BODY = b'{"constant": true, "purpose": "the benchmark\'s minimal Django view"}'
CONSTANT_KEY = "bench:constant.json"


def constant_json(request):
    return HttpResponse(CONSTANT_BODY, content_type="application/json")


def shared_cache_json(request):
    _count, found = cache.count_and_get_many(f"bench:{client_ip(request)}", 60, [CONSTANT_KEY])
    body = found.get(CONSTANT_KEY)
    if body is None:
        body = CONSTANT_BODY
        cache.set(CONSTANT_KEY, body, 3600)
    return HttpResponse(body, content_type="application/json")


urlpatterns = [
    path("bench/constant.json", constant_json),
    path("bench/shared-cache.json", shared_cache_json),
    *leap_urlpatterns,
]
