"""The district REST API: read-only lists (a page at a time, by cursor) and single records,
each limited to the token's district and opened by one of its scopes."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import viewsets
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import RetrieveAPIView
from rest_framework.permissions import AllowAny

from cms.middleware import policy_header
from integrations import selectors
from integrations.api import filters, serializers
from integrations.models import ApiScope


class DistrictView(RetrieveAPIView):
    """The district this token belongs to."""

    serializer_class = serializers.DistrictSerializer

    def get_object(self):
        return self.request.auth.district


class DistrictViewSet(viewsets.ReadOnlyModelViewSet):
    scope: str
    rows = None  # the selector of this district's rows

    def list(self, request, *args, **kwargs):
        unknown = sorted(set(request.query_params) - self._parameters())
        if unknown:
            raise ValidationError(
                {name: ["Not a parameter of this list (see the schema)."] for name in unknown}
            )
        return super().list(request, *args, **kwargs)

    def _parameters(self) -> set[str]:
        filters = set(self.filterset_class.base_filters) if self.filterset_class else set()
        return filters | {"cursor", "page_size", "format"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is being drawn
            return self.serializer_class.Meta.model.objects.none()
        return type(self).rows(district=self.request.auth.district)


class SchoolViewSet(DistrictViewSet):
    """The district's schools."""

    scope = ApiScope.MEMBERS
    rows = staticmethod(selectors.api_school_list)
    serializer_class = serializers.SchoolSerializer
    filterset_class = None


class MemberViewSet(DistrictViewSet):
    """The district's members (active and former), with their role and school."""

    scope = ApiScope.MEMBERS
    rows = staticmethod(selectors.api_member_list)
    serializer_class = serializers.MemberSerializer
    filterset_class = filters.MemberFilter


class EnrolmentViewSet(DistrictViewSet):
    """Members' pathway enrolments and how far each has got."""

    scope = ApiScope.PROGRESS
    rows = staticmethod(selectors.api_enrolment_list)
    serializer_class = serializers.EnrolmentSerializer
    filterset_class = filters.EnrolmentFilter


class SelfAssessmentViewSet(DistrictViewSet):
    """Members' finished self-assessments: a level per framework element (notes are
    private and not served)."""

    scope = ApiScope.ASSESSMENTS
    rows = staticmethod(selectors.api_self_assessment_list)
    serializer_class = serializers.SelfAssessmentSerializer
    filterset_class = filters.SelfAssessmentFilter


class BadgeViewSet(DistrictViewSet):
    """Badges members earned on Leap, with their public Open Badges addresses."""

    scope = ApiScope.BADGES
    rows = staticmethod(selectors.api_badge_list)
    serializer_class = serializers.BadgeSerializer
    filterset_class = filters.BadgeFilter
    lookup_field = "uuid"
    lookup_url_kwarg = "id"


class CohortViewSet(DistrictViewSet):
    """The district's book clubs."""

    scope = ApiScope.COHORTS
    rows = staticmethod(selectors.api_cohort_list)
    serializer_class = serializers.CohortSerializer
    filterset_class = filters.CohortFilter


class AttendanceViewSet(DistrictViewSet):
    """Attendance at book-club meetings, one record per member and meeting."""

    scope = ApiScope.COHORTS
    rows = staticmethod(selectors.api_attendance_list)
    serializer_class = serializers.AttendanceSerializer
    filterset_class = filters.AttendanceFilter


class CreditViewSet(DistrictViewSet):
    """The PD-hours ledger: one entry per pathway, badge or book club credited."""

    scope = ApiScope.CREDIT
    rows = staticmethod(selectors.api_credit_list)
    serializer_class = serializers.CreditSerializer
    filterset_class = filters.CreditFilter


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def not_found(request, *args, **kwargs):
    """Any other address under the API: a JSON 404, never the site's HTML page."""
    raise NotFound(
        "There is no such endpoint: the schema at /api/v1/schema lists them all, and the "
        "documentation is at /api/v1/docs."
    )


# Swagger UI runs only its own files (the split view serves its start-up script as a file
# too), but draws with inline styles and data: images.
DOCS_POLICY = policy_header(
    {
        **settings.LEAP_CSP,
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
    }
)


class ApiDocsView(SpectacularSwaggerSplitView):
    """The browsable documentation of the schema, from Leap's own static files."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_POLICY
        return response
