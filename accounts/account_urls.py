"""Leap's additions to allauth's pages under /accounts/ (mounted before allauth's own)."""

from django.urls import path

from accounts import data_rights_views, second_factor, views

urlpatterns = [
    path(
        "verification/resend/",
        views.verification_resend,
        name="account_verification_resend",
    ),
    path("second-step/", second_factor.second_step, name="account_second_step"),
    path("your-data/", data_rights_views.your_data, name="account_your_data"),
    path(
        "your-data/download/",
        data_rights_views.your_data_download,
        name="account_your_data_download",
    ),
    path("your-data/delete/", data_rights_views.account_delete, name="account_delete"),
    path("deleted/", data_rights_views.account_deleted, name="account_deleted"),
]
