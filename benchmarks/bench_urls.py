"""The benchmark's URL conf (cms.settings.bench): Leap's own, plus a minimal Django view
that answers a constant JSON body, the yardstick for the public assertion JSON's
throughput (it passes through the same middleware, and does nothing else)."""

from django.http import HttpResponse
from django.urls import path

from cms.urls import urlpatterns as leap_urlpatterns

CONSTANT_BODY = b'{"constant": true, "purpose": "the benchmark\'s minimal Django view"}'


def constant_json(request):
    return HttpResponse(CONSTANT_BODY, content_type="application/json")


urlpatterns = [path("bench/constant.json", constant_json), *leap_urlpatterns]
