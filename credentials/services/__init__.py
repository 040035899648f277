"""Every write in credentials, by concept: badges (issuing, revoking, issuer profiles),
evidence (submissions and artifacts) and review (assignment, scoring, calibration)."""

from .badges import *  # noqa: F403
from .badges import AwardError  # noqa: F401  (named for readers; * brings it too)
from .evidence import *  # noqa: F403
from .review import *  # noqa: F403
