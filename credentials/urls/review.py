from django.urls import path

from credentials.views import review as review_views

app_name = "review"

urlpatterns = [
    path("", review_views.review_queue, name="queue"),
    path("<int:pk>/", review_views.review_detail, name="detail"),
    path("<int:pk>/artifacts/<int:artifact_id>/", review_views.review_artifact, name="artifact"),
]
