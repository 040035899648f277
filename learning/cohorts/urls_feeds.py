"""Calendar feeds of cohort meetings and the district's cohort participation report."""

from django.urls import path

from learning.cohorts import views_feeds

app_name = "cohort_feeds"

urlpatterns = [
    path("book-clubs/calendar/<str:token>.ics", views_feeds.feed, name="feed"),
    path("book-clubs/<int:cohort_id>/calendar/", views_feeds.feed_page, name="feed_page"),
    path("book-clubs/<int:cohort_id>/calendar/reset/", views_feeds.feed_reset, name="feed_reset"),
    path(
        "book-clubs/<int:cohort_id>/meetings/<int:session_id>.ics",
        views_feeds.session_ics,
        name="session_ics",
    ),
    path(
        "district/<slug:slug>/book-clubs/participation/",
        views_feeds.district_report,
        name="district_report",
    ),
    path(
        "district/<slug:slug>/book-clubs/participation.csv",
        views_feeds.district_report_csv,
        name="district_report_csv",
    ),
]
