"""Times as Open Badges 3.0 and JWTs write them."""

import datetime as dt


def xsd_datetime(moment: dt.datetime) -> str:
    """UTC to the second ("2026-12-06T10:00:00Z"): what JWT's nbf and exp can say exactly."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
