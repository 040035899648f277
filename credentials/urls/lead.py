"""Lead reviewer tools, mounted at /review/lead/ (see `credentials.views.lead`)."""

from django.urls import path

from credentials.views import lead as lead_views

app_name = "review_lead"

urlpatterns = [
    path("", lead_views.home, name="home"),
    path("reports/", lead_views.reports_all, name="reports"),
    path("attempts/", lead_views.attempts, name="attempts"),
    path("pools/<int:pool_id>/report/", lead_views.report, name="report"),
    path("pools/<int:pool_id>/exemplars/", lead_views.exemplars, name="exemplars"),
    path(
        "pools/<int:pool_id>/exemplars/<int:submission_id>/",
        lead_views.exemplar_mark,
        name="exemplar_mark",
    ),
    path(
        "pools/<int:pool_id>/artifacts/<int:artifact_id>/",
        lead_views.artifact,
        name="artifact",
    ),
    path("pools/<int:pool_id>/", lead_views.pool, name="pool"),
    path(
        "pools/<int:pool_id>/members/<int:member_id>/active/",
        lead_views.member_active,
        name="member_active",
    ),
    path(
        "pools/<int:pool_id>/members/<int:member_id>/remove/",
        lead_views.member_remove,
        name="member_remove",
    ),
    path("pools/<int:pool_id>/calibration/", lead_views.calibration, name="calibration"),
    path(
        "pools/<int:pool_id>/calibration/<int:exemplar_id>/",
        lead_views.calibration_result,
        name="calibration_result",
    ),
]
