"""What each API record holds. Members are known by their member id (`/members/{id}`),
and every record about a person names that id as `member`. Private things (reflections,
notes, evidence, discussion posts) are never served."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from credentials.models import Assertion
from credentials.openbadges.ob2 import absolute, assertion_id
from learning.models import (
    Attendance,
    Cohort,
    CreditEntry,
    District,
    Enrolment,
    Membership,
    Rating,
    School,
    SelfAssessment,
)

MEMBER = "The member's id (see /members)."


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["id", "name", "slug", "time_zone"]


class SchoolSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True, help_text="Active members.")

    class Meta:
        model = School
        fields = ["id", "name", "member_count"]


class MemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.display_name")
    email = serializers.EmailField(source="user.email")
    joined_at = serializers.DateTimeField(source="created_at")
    active = serializers.BooleanField(source="is_active")
    school = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = ["id", "name", "email", "role", "school", "active", "joined_at"]


class EnrolmentSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member_id", help_text=MEMBER)
    pathway = serializers.IntegerField(
        source="pathway_id", allow_null=True, help_text="The pathway page's id (null once deleted)."
    )
    pathway_title = serializers.CharField()
    steps_completed = serializers.IntegerField()

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "member",
            "pathway",
            "pathway_title",
            "enrolled_at",
            "completed_at",
            "steps_completed",
        ]


class RatingSerializer(serializers.ModelSerializer):
    element = serializers.CharField(source="element.code", help_text="The element's code.")

    class Meta:
        model = Rating
        fields = ["element", "level"]


class SelfAssessmentSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member_id", help_text=MEMBER)
    framework = serializers.CharField(source="framework.code")
    ratings = RatingSerializer(many=True)

    class Meta:
        model = SelfAssessment
        fields = ["id", "member", "framework", "target_level", "completed_at", "ratings"]


class BadgeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid")
    member = serializers.IntegerField(source="member_id", help_text=MEMBER)
    name = serializers.CharField(source="badge_class.name")
    assertion_url = serializers.SerializerMethodField(
        help_text="The Open Badges 2.0 assertion, public: anyone can verify it here."
    )
    credential_url = serializers.SerializerMethodField(
        help_text="The signed Open Badges 3.0 credential (JSON-LD)."
    )

    class Meta:
        model = Assertion
        fields = [
            "id",
            "member",
            "name",
            "issued_on",
            "expires_on",
            "revoked",
            "revoked_at",
            "revocation_reason",
            "assertion_url",
            "credential_url",
        ]

    @extend_schema_field(serializers.URLField())
    def get_assertion_url(self, assertion: Assertion) -> str:
        return assertion_id(assertion)

    @extend_schema_field(serializers.URLField())
    def get_credential_url(self, assertion: Assertion) -> str:
        return absolute(reverse("credentials:assertion_ob3_json", args=[assertion.uuid]))


class CohortSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(help_text="Members taking part or completed.")
    session_count = serializers.IntegerField()

    class Meta:
        model = Cohort
        fields = ["id", "title", "status", "start_date", "member_count", "session_count"]


class AttendanceSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member_id", help_text=MEMBER)
    cohort = serializers.IntegerField(source="session.cohort_id", help_text="The book club's id.")
    session = serializers.IntegerField(source="session.number", help_text="The meeting's number.")
    starts_at = serializers.DateTimeField(source="session.starts_at")

    class Meta:
        model = Attendance
        fields = ["id", "member", "cohort", "session", "starts_at", "status", "recorded_at"]


class CreditSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member_id", help_text=MEMBER)
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, coerce_to_string=False)
    voided = serializers.SerializerMethodField()

    class Meta:
        model = CreditEntry
        fields = ["id", "member", "source", "title", "hours", "earned_on", "voided", "voided_at"]

    def get_voided(self, entry: CreditEntry) -> bool:
        return entry.voided_at is not None
