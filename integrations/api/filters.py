"""The API's filters (django-filter): by school and by day on every list where they fit,
on the district-bound FilterSet of learning.filters (whose MemberFilter the district's
member list on Leap's own screens uses too). Another district's school or book club is
refused like any unknown choice, with a 400 that names the parameter."""

import django_filters

from cms.models import Framework
from credentials.models import Assertion
from learning.filters import DistrictFilterSet, IdFilter, MemberFilter, YesNoFilter
from learning.models import Attendance, Cohort, CreditEntry, Enrolment, SelfAssessment

__all__ = ["MemberFilter"]


def _district_cohorts(request):
    district = getattr(getattr(request, "auth", None), "district", None)
    return Cohort.objects.filter(district=district)


class EnrolmentFilter(DistrictFilterSet):
    day = "enrolled_at__date"
    completed = YesNoFilter(isnull="completed_at")

    class Meta:
        model = Enrolment
        fields = ["school", "completed", "since", "until"]


class SelfAssessmentFilter(DistrictFilterSet):
    day = "completed_at__date"
    framework = django_filters.ModelChoiceFilter(
        queryset=Framework.objects.all(),
        to_field_name="code",
        label="A framework's code, e.g. ISTE-E.",
    )

    class Meta:
        model = SelfAssessment
        fields = ["school", "framework", "since", "until"]


class BadgeFilter(DistrictFilterSet):
    day = "issued_on__date"
    person = "recipient_id"
    revoked = YesNoFilter(field_name="revoked")

    class Meta:
        model = Assertion
        fields = ["school", "revoked", "since", "until"]


class CohortFilter(DistrictFilterSet):
    day = "start_date"
    school = None
    status = django_filters.ChoiceFilter(choices=Cohort.Status.choices)

    class Meta:
        model = Cohort
        fields = ["status", "since", "until"]


class AttendanceFilter(DistrictFilterSet):
    day = "session__starts_at__date"
    cohort = IdFilter(
        queryset=_district_cohorts, field_name="session__cohort", label="A book club (id)."
    )

    class Meta:
        model = Attendance
        fields = ["school", "cohort", "since", "until"]


class CreditFilter(DistrictFilterSet):
    day = "earned_on"
    source = django_filters.ChoiceFilter(choices=CreditEntry.Source.choices)
    voided = YesNoFilter(isnull="voided_at")

    class Meta:
        model = CreditEntry
        fields = ["school", "source", "voided", "since", "until"]
