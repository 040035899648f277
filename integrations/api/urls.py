from django.urls import path, re_path
from django.views.decorators.cache import cache_page
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from integrations.api import views

app_name = "api"

router = SimpleRouter(trailing_slash=False)
router.register("schools", views.SchoolViewSet, basename="school")
router.register("members", views.MemberViewSet, basename="member")
router.register("enrolments", views.EnrolmentViewSet, basename="enrolment")
router.register("self-assessments", views.SelfAssessmentViewSet, basename="self-assessment")
router.register("badges", views.BadgeViewSet, basename="badge")
router.register("cohorts", views.CohortViewSet, basename="cohort")
router.register("attendance", views.AttendanceViewSet, basename="attendance")
router.register("credit", views.CreditViewSet, basename="credit")

# A stable contract: /api/v1/… stays as it is; a change that breaks clients gets /api/v2/.
urlpatterns = [
    path("district", views.DistrictView.as_view(), name="district"),
    # The schema changes only when Leap does: drawn once an hour at most.
    path("schema", cache_page(60 * 60)(SpectacularAPIView.as_view()), name="schema"),
    path("docs", views.ApiDocsView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
    re_path(r"^", views.not_found),
]
