"""Open Badges (issuers, versioned badge classes, assertions), evidence submissions and
their review. Issue badges only through `credentials.services.assertion_award`."""

from .badges import Assertion, AssertionQuerySet, BadgeClass, Issuer, IssuerKey, IssuingArrangement
from .evidence import Artifact, AttemptAllowance, Submission, private_storage
from .review import (
    CalibrationScore,
    CriterionScore,
    Exemplar,
    Notification,
    NotificationSettings,
    PoolMember,
    Review,
    ReviewerPool,
)

__all__ = [
    "Artifact",
    "Assertion",
    "AssertionQuerySet",
    "AttemptAllowance",
    "BadgeClass",
    "CalibrationScore",
    "CriterionScore",
    "Exemplar",
    "Issuer",
    "IssuerKey",
    "IssuingArrangement",
    "Notification",
    "NotificationSettings",
    "PoolMember",
    "Review",
    "ReviewerPool",
    "Submission",
    "private_storage",
]
