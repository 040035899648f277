"""The learner's own badges, mounted at /my/badges/."""

from django.urls import path

from credentials.views import learner

urlpatterns = [
    path("", learner.my_badges, name="my_badges"),
    path("export.zip", learner.my_badges_export, name="my_badges_export"),
    path("elsewhere/", learner.my_external_badge_add, name="my_external_badge_add"),
    path(
        "elsewhere/<uuid:uuid>/check",
        learner.my_external_badge_recheck,
        name="my_external_badge_recheck",
    ),
    path(
        "elsewhere/<uuid:uuid>/remove",
        learner.my_external_badge_remove,
        name="my_external_badge_remove",
    ),
    path("<uuid:uuid>/visibility", learner.my_badge_visibility, name="my_badge_visibility"),
]
