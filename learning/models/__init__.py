"""The learner's side of Leap: districts and their people, self-assessments, the personal
plan, pathway progress and the PD-credit ledger."""

from .assessments import Rating, SelfAssessment
from .credit import CreditEntry
from .districts import District, DistrictDomain, Invitation, LearnerProfile, Membership, School
from .progress import Enrolment, PlanItem, StepProgress

__all__ = [
    "CreditEntry",
    "District",
    "DistrictDomain",
    "Enrolment",
    "Invitation",
    "LearnerProfile",
    "Membership",
    "PlanItem",
    "Rating",
    "School",
    "SelfAssessment",
    "StepProgress",
]
