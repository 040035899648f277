"""Credentials' own signals, for the parts above it (the district webhooks) to follow
without credentials importing them. Each is sent inside the transaction that made the
change, so a receiver's writes commit or roll back with it."""

from django.dispatch import Signal

# Sent with `assertion` once a badge is issued (not when an award returns the badge the
# person already held).
badge_awarded = Signal()

# Sent with `assertions`, a list, once a bulk award has issued them (instead of
# `badge_awarded` for each: a receiver can do its work for all of them at once).
badges_awarded = Signal()

# Sent with `assertion` once a badge is revoked (not when it was revoked already).
badge_revoked = Signal()
