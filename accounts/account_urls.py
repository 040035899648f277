"""Leap's additions to allauth's pages under /accounts/ (mounted before allauth's own)."""

from django.urls import path

from accounts import views

urlpatterns = [
    path(
        "verification/resend/",
        views.verification_resend,
        name="account_verification_resend",
    ),
]
