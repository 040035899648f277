"""How a change reaches the cached public verification documents: stamps, and the hook
where a CDN purge goes.

A stamp is a value per record a document depends on (an assertion, an issuer, an issuer's
revocations), kept in the shared cache; `cache` keeps each document with the stamps it read
before it read the database, and serves it only while they are unchanged. A change gives
the record a new stamp once it commits, and `public_urls_changed` names the URLs whose
answer changed."""

import logging
import secrets
import time

from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse

from credentials.models import Issuer
from credentials.openbadges.did import did_document_path
from credentials.openbadges.ob2 import absolute

logger = logging.getLogger(__name__)

# A stamp outlives the documents kept under it (an hour); one that is lost is made anew,
# and what was kept under the old one is built again, never served stale.
STAMP_SECONDS = 24 * 60 * 60

# Sent by `public_urls_changed` with `urls`: where a deployment behind a CDN connects its purge.
public_urls_purge = Signal()


def assertion_stamp(assertion_uuid) -> str:
    return f"stamp:assertion:{assertion_uuid}"


def issuer_stamp(issuer_uuid) -> str:
    return f"stamp:issuer:{issuer_uuid}"


def revocations_stamp(issuer_uuid) -> str:
    return f"stamp:revocations:{issuer_uuid}"


def stamp_new() -> tuple[float, str]:
    """When it was made (the change it marks was no later), and a random part."""
    return (time.time(), secrets.token_hex(8))


def restamp(key: str) -> None:
    cache.set(key, stamp_new(), STAMP_SECONDS)


def public_urls_changed(urls: list[str]) -> None:
    """The public documents at `urls` changed; called after the change commits, once Leap's
    own cache has forgotten them. This is where a CDN purge goes: today it logs the URLs and
    sends `public_urls_purge`, which nothing in Leap receives. A purge that fails must not
    undo the change, so a receiver's error is logged, not raised."""
    logger.info("Public verification documents changed: %s", " ".join(urls))
    for receiver, outcome in public_urls_purge.send_robust(sender=None, urls=urls):
        if isinstance(outcome, Exception):
            logger.warning("Purging changed public URLs failed (%s): %s", receiver, outcome)


def issuer_keys_changed(issuer: Issuer) -> None:
    """In the transaction that gives the issuer new keys: credentials are signed with them
    from now on. Stamped at once (this transaction's own reads sign with the new keys) and
    again after the commit (a read meanwhile signed with the old ones, which still verify);
    then the key sets are purged, since a verifier must find the new key."""

    def committed():
        restamp(issuer_stamp(issuer.uuid))
        public_urls_changed(
            [
                absolute(did_document_path(issuer)),
                absolute(reverse("credentials:issuer_jwks", args=[issuer.uuid])),
            ]
        )

    restamp(issuer_stamp(issuer.uuid))
    transaction.on_commit(committed)
