"""A district admin's credentials screens, mounted at /district/ beside learning's own."""

from django.urls import path

from credentials.views import district

urlpatterns = [
    path("<slug:slug>/issuer/", district.district_issuer, name="district_issuer"),
]
