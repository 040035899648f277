"""The public Open Badges JSON is cached; anything that changes what it says forgets it."""

from django.core.cache import cache

TIMEOUT_SECONDS = 60 * 60


def assertion_key(assertion_uuid) -> str:
    return f"ob2:assertion:{assertion_uuid}"


def badge_class_key(badge_class_uuid) -> str:
    return f"ob2:badge:{badge_class_uuid}"


def issuer_key(issuer_uuid) -> str:
    return f"ob2:issuer:{issuer_uuid}"


def remember(key: str, build):
    """The cached value for key, built (and stored) when missing."""
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:
            cache.set(key, value, TIMEOUT_SECONDS)
    return value


def forget_assertion(assertion_uuid) -> None:
    cache.delete(assertion_key(assertion_uuid))


def forget_issuer(issuer_uuid) -> None:
    cache.delete(issuer_key(issuer_uuid))
