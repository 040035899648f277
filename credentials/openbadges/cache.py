"""The public Open Badges JSON is cached; anything that changes what it says forgets it."""

from django.core.cache import cache

from credentials.openbadges.public import assertion_public_json, issuer_public_json

TIMEOUT_SECONDS = 60 * 60


def assertion_key(assertion_uuid) -> str:
    return f"ob2:assertion:{assertion_uuid}"


def badge_class_key(badge_class_uuid) -> str:
    return f"ob2:badge:{badge_class_uuid}"


def issuer_key(issuer_uuid) -> str:
    return f"ob2:issuer:{issuer_uuid}"


def remember(key: str, build):
    """The cached value for key, built when missing. A build only *adds* (never replaces):
    a request that read the database before a revocation committed cannot overwrite what
    the revocation wrote."""
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:
            cache.add(key, value, TIMEOUT_SECONDS)
    return value


def replace(key: str, value) -> None:
    """Write what is now true (after a change commits), replacing any older copy."""
    if value is None:
        cache.delete(key)
    else:
        cache.set(key, value, TIMEOUT_SECONDS)


def forget_assertion(assertion_uuid) -> None:
    """After a change to an assertion commits: rebuild its public JSON in the shared cache."""
    replace(assertion_key(assertion_uuid), assertion_public_json(assertion_uuid))


def forget_issuer(issuer_uuid) -> None:
    """After an issuer profile changes and commits: rebuild its public JSON."""
    replace(issuer_key(issuer_uuid), issuer_public_json(issuer_uuid))
