"""The facilitator's messages, meeting summaries and final report (mounted under
/book-clubs/ in cms/urls.py)."""

from django.urls import path

from learning.cohorts import views_facilitating as views

app_name = "cohort_facilitating"

urlpatterns = [
    path("<int:cohort_id>/messages/", views.message_page, name="messages"),
    path(
        "<int:cohort_id>/sessions/<int:session_id>/summary/",
        views.summary_page,
        name="summary",
    ),
    path("<int:cohort_id>/final-report/", views.report_page, name="report"),
    path("<int:cohort_id>/final-report.csv", views.report_csv, name="report_csv"),
]
