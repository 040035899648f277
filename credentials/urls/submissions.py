from django.urls import path

from credentials.views import submissions as submission_views

app_name = "submissions"

urlpatterns = [
    path("", submission_views.submission_list, name="list"),
    path("start/<int:page_id>/", submission_views.submission_start, name="start"),
    path("<int:pk>/", submission_views.submission_detail, name="detail"),
    path("<int:pk>/withdraw/", submission_views.submission_withdraw, name="withdraw"),
    path(
        "<int:pk>/artifacts/<int:artifact_id>/",
        submission_views.artifact_download,
        name="artifact",
    ),
]
