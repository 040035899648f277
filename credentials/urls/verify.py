"""The public "Verify a badge" page, mounted at /verify/ (its JSON twin is /public/verify)."""

from django.urls import path

from credentials.views.verify import verify_page

urlpatterns = [path("", verify_page, name="verify")]
