"""Open Badges (issuers, versioned badge classes, assertions), evidence submissions and
their review. Issue badges only through `credentials.services.badges.assertion_award`."""

from .badges import (
    Assertion,
    AssertionQuerySet,
    BadgeClass,
    Issuer,
    IssuerKey,
    IssuingArrangement,
    StatusListEntry,
)
from .evidence import (
    Artifact,
    AttemptAllowance,
    DecisionYear,
    DistrictDecisionYear,
    Submission,
    private_storage,
)
from .external import ExternalBadge
from .review import (
    CalibrationScore,
    CriterionScore,
    DoubleReviewTally,
    Exemplar,
    PoolMember,
    Review,
    ReviewerPool,
    covered_by,
)

__all__ = [
    "Artifact",
    "Assertion",
    "AssertionQuerySet",
    "AttemptAllowance",
    "BadgeClass",
    "CalibrationScore",
    "CriterionScore",
    "DecisionYear",
    "DistrictDecisionYear",
    "DoubleReviewTally",
    "Exemplar",
    "ExternalBadge",
    "Issuer",
    "IssuerKey",
    "IssuingArrangement",
    "PoolMember",
    "Review",
    "ReviewerPool",
    "StatusListEntry",
    "Submission",
    "covered_by",
    "private_storage",
]
