"""Review service levels are counted in business days (Monday to Friday)."""

from datetime import datetime, timedelta


def add_business_days(start: datetime, days: int) -> datetime:
    """The moment `days` business days after `start`, at the same time of day. Work that
    arrives at a weekend starts counting on Monday."""
    moment = start
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    remaining = days
    while remaining > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            remaining -= 1
    return moment
