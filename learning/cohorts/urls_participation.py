"""Taking part in a book club's sessions (mounted under /book-clubs/ in cms/urls.py)."""

from django.urls import path

from learning.cohorts import views_participation as views

app_name = "cohort_participation"

SESSION = "<int:cohort_id>/sessions/<int:session_id>/"
POST = "<int:cohort_id>/posts/<int:post_id>/"

urlpatterns = [
    path(SESSION + "discussion/", views.discussion_page, name="discussion"),
    path(POST + "reply/", views.post_reply, name="post_reply"),
    path(POST + "edit/", views.post_edit, name="post_edit"),
    path(POST + "hide/", views.post_hide, name="post_hide"),
    path(POST + "unhide/", views.post_unhide, name="post_unhide"),
    path(SESSION + "rsvp/", views.rsvp, name="rsvp"),
    path("rsvp/<str:token>/", views.rsvp_confirm, name="rsvp_confirm"),
    path(SESSION + "attendance/", views.attendance_page, name="attendance"),
    path(SESSION + "check-in/", views.checkin_page, name="checkin"),
    path(SESSION + "check-in/code/", views.checkin_code_page, name="checkin_code"),
    path(SESSION + "check-in/code.json", views.checkin_code_json, name="checkin_code_json"),
    path("<int:cohort_id>/roster/", views.roster_page, name="roster"),
]
