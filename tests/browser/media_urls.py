"""The site's URLs plus media files, for browser tests: cms.urls serves media only with
DEBUG on (in production the web server or object storage does), and Wagtail renditions of
badge art are media. MEDIA_ROOT is read per request, since each test has its own."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from cms.urls import urlpatterns as site_urlpatterns


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), *site_urlpatterns]
