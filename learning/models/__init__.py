"""The learner's side of Leap: districts and their people, self-assessments, the personal
plan, pathway progress, book-club cohorts and the PD-credit ledger."""

from .activity import ActivityYear, DistrictActivityYear, DistrictBadgeCount
from .assessments import Rating, SelfAssessment
from .cohorts import (
    Attendance,
    Cohort,
    CohortMember,
    CohortMessage,
    CohortSession,
    Post,
    ReminderSent,
    Rsvp,
)
from .credit import CreditEntry
from .districts import District, DistrictDomain, Invitation, LearnerProfile, Membership, School
from .insights import InstitutionalAssessment, InstitutionalRating, PDGoal, SharedReport
from .progress import Enrolment, PlanItem, StepProgress

__all__ = [
    "ActivityYear",
    "Attendance",
    "Cohort",
    "CohortMember",
    "CohortMessage",
    "CohortSession",
    "CreditEntry",
    "District",
    "DistrictActivityYear",
    "DistrictBadgeCount",
    "DistrictDomain",
    "Enrolment",
    "InstitutionalAssessment",
    "InstitutionalRating",
    "Invitation",
    "LearnerProfile",
    "Membership",
    "PDGoal",
    "PlanItem",
    "Post",
    "Rating",
    "ReminderSent",
    "Rsvp",
    "School",
    "SharedReport",
    "SelfAssessment",
    "StepProgress",
]
