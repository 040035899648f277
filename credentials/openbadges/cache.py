"""The public verification documents are cached (the shared cache: Redis in production)
with their ETag, so a request, and a revalidation above all, costs no query; anything that
changes what a document says makes the cache forget it, and tells `public_urls_changed`.

A document that depends on records a change may touch is kept with *stamps*: a random value
per record (an assertion, an issuer, an issuer's revocations) read before the database is,
and served only while each of its stamps is unchanged. A change, once it commits, gives the
record a new stamp, so every document built from it (the OB 2.0 assertion, both forms of the
OB 3.0 credential, the revocation and status lists) is built again on its next request,
however many there are. A request that read the database just before a change cannot put
the old answer back: it read the old stamp first. A stamp that is missing is made by the
request that finds it missing, but stored only after the build found the document, and
only if no other was stored meanwhile (one stored then may mark a change the build did not
see: the document is served but not kept). Badge classes and keys never change, so their
documents carry no stamps."""

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from django.core.cache import cache
from django.urls import reverse

from credentials.models import Assertion, Issuer, StatusListEntry
from credentials.openbadges import ob2, ob3, status_list
from credentials.openbadges.changes import (
    STAMP_SECONDS,
    assertion_stamp,
    issuer_stamp,
    public_urls_changed,
    restamp,
    revocations_stamp,
    stamp_new,
)
from credentials.openbadges.public import (
    PublicDocument,
    assertion_issuer_uuid,
    assertion_public_json,
    badge_class_public_json,
    credential_public,
    issuer_public_json,
    public_key_public,
    revocation_list_public,
    status_list_public,
)

TIMEOUT_SECONDS = 60 * 60

# Every document's key starts with this. A release that changes what is kept under them
# takes a new one, so that during a rolling deploy no process reads what another release
# wrote: the release before this one kept (status, body) under "ob2:assertion:<uuid>".
KEY_VERSION = "doc2"


def assertion_key(assertion_uuid) -> str:
    return f"{KEY_VERSION}:ob2:assertion:{assertion_uuid}"


def badge_class_key(badge_class_uuid) -> str:
    return f"{KEY_VERSION}:ob2:badge:{badge_class_uuid}"


def issuer_key(issuer_uuid) -> str:
    return f"{KEY_VERSION}:ob2:issuer:{issuer_uuid}"


def credential_key(assertion_uuid, form: str) -> str:
    return f"{KEY_VERSION}:ob3:{form}:{assertion_uuid}"


def revocation_list_key(issuer_uuid) -> str:
    return f"{KEY_VERSION}:ob3:revocations:{issuer_uuid}"


def status_list_key(issuer_uuid, number: int) -> str:
    return f"{KEY_VERSION}:ob3:status:{issuer_uuid}:{number}"


def public_key_key(issuer_uuid, kid: str) -> str:
    return f"{KEY_VERSION}:ob3:key:{issuer_uuid}:{kid}"


def _kept(value) -> PublicDocument | None:
    """What was found at a document's key, when it is a document: anything else (what
    another release kept there) counts as a miss and is built again."""
    return value if isinstance(value, PublicDocument) else None


def document(
    key: str,
    stamp_keys: list[str],
    build: Callable[[], PublicDocument | None],
    *,
    dated_by: str | None = None,
    found: dict | None = None,
) -> PublicDocument | None:
    """The document cached at `key` while every stamp it was kept under is current (and it
    was kept under each of `stamp_keys`); otherwise built again, stamps read first, and
    kept (unless a stamp it made was stored elsewhere meanwhile). `dated_by` names a stamp
    whose time counts as a change (a record with no edit time of its own). `found` holds
    what the caller has already read from the cache: `key` and each of `stamp_keys`."""
    if found is None:
        found = cache.get_many([key, *stamp_keys])
    kept = _kept(found.get(key))
    if kept is not None and set(stamp_keys) <= kept.stamps.keys():
        others = [name for name in kept.stamps if name not in found]
        if others:
            found = {**found, **cache.get_many(others)}
        if all(found.get(name) == value for name, value in kept.stamps.items()):
            return kept
    stamps = {name: found.get(name) for name in stamp_keys}
    made = {name: stamp_new() for name, value in stamps.items() if value is None}
    stamps.update(made)
    built = build()
    if built is None:  # an unknown id leaves nothing in the cache
        return None
    last_modified = built.last_modified
    if dated_by is not None:
        seen = datetime.fromtimestamp(stamps[dated_by][0], tz=UTC)
        last_modified = max(last_modified, seen)
    built = replace(built, stamps=stamps, last_modified=last_modified)
    # A stamp stored by someone else since it was found missing may mark a change this
    # build did not see: then the document is served, but not kept under either stamp.
    if all(cache.add(name, value, STAMP_SECONDS) for name, value in made.items()):
        cache.set(key, built, TIMEOUT_SECONDS)
    return built


# What the public views serve.


# Each document the verifiers ask for most has its keys named apart (`…_reads`), so that
# the public view can read them in the same Redis round trip as the request's limit, and
# pass what it found.


def assertion_reads(uuid) -> list[str]:
    return [assertion_key(uuid), assertion_stamp(uuid)]


def assertion_document(uuid, found: dict | None = None) -> PublicDocument | None:
    key, stamp = assertion_reads(uuid)
    return document(key, [stamp], lambda: assertion_public_json(uuid), found=found)


def badge_class_reads(uuid) -> list[str]:
    return [badge_class_key(uuid)]


def badge_class_document(uuid, found: dict | None = None) -> PublicDocument | None:
    return document(badge_class_key(uuid), [], lambda: badge_class_public_json(uuid), found=found)


def issuer_reads(uuid) -> list[str]:
    return [issuer_key(uuid), issuer_stamp(uuid)]


def issuer_document(uuid, found: dict | None = None) -> PublicDocument | None:
    key, stamp = issuer_reads(uuid)
    return document(key, [stamp], lambda: issuer_public_json(uuid), dated_by=stamp, found=found)


def credential_document(uuid, form: str) -> PublicDocument | None:
    """The OB 3.0 credential ("json" or "jwt"), kept under its assertion's stamp and its
    issuer's (the credential carries the issuer's profile). A cached copy names the issuer
    by its stamp; only a build asks the database which issuer it is."""
    key, own_stamp = credential_key(uuid, form), assertion_stamp(uuid)
    found = cache.get_many([key, own_stamp])
    kept = _kept(found.get(key))
    issuer_stamps = [name for name in (kept.stamps if kept else ()) if name != own_stamp]
    if not issuer_stamps:
        issuer_uuid = assertion_issuer_uuid(uuid)
        if issuer_uuid is None:
            return None
        issuer_stamps = [issuer_stamp(issuer_uuid)]
        found = {**found, **cache.get_many(issuer_stamps)}  # read before the build, as all are
    return document(
        key,
        [own_stamp, *issuer_stamps],
        lambda: credential_public(uuid, form),
        dated_by=issuer_stamps[0],
        found=found,
    )


def revocation_list_document(issuer_uuid) -> PublicDocument | None:
    return document(
        revocation_list_key(issuer_uuid),
        [revocations_stamp(issuer_uuid)],
        lambda: revocation_list_public(issuer_uuid),
    )


def status_list_document(issuer_uuid, number: int) -> PublicDocument | None:
    return document(
        status_list_key(issuer_uuid, number),
        [revocations_stamp(issuer_uuid)],
        lambda: status_list_public(issuer_uuid, number),
    )


def public_key_document(issuer_uuid, kid: str) -> PublicDocument | None:
    key = public_key_key(issuer_uuid, kid)
    return document(key, [], lambda: public_key_public(issuer_uuid, kid))


# Changes.


def forget_assertion(assertion_uuid) -> None:
    """After a change to an assertion commits (revoked, made public or private, its holder's
    account deleted): its documents are built again on their next request, and, for a
    revoked one, its issuer's revocation list and status lists too."""
    restamp(assertion_stamp(assertion_uuid))
    found = (
        Assertion.objects.select_related("badge_class__issuer").filter(uuid=assertion_uuid).first()
    )
    if found is None:
        return
    urls = [
        ob2.assertion_id(found),
        ob3.credential_id(found),
        ob2.absolute(reverse("credentials:assertion_ob3_json", args=[found.uuid])),
        ob2.absolute(reverse("credentials:assertion_image", args=[found.uuid])),
    ]
    if found.revoked:
        issuer = found.badge_class.issuer
        restamp(revocations_stamp(issuer.uuid))
        urls.append(ob3.revocation_list_url(issuer))
        entry = StatusListEntry.objects.filter(assertion=found).first()
        if entry is not None:
            urls.append(status_list.status_list_url(issuer, entry.number))
    public_urls_changed(urls)


def forget_issuer(issuer_uuid) -> None:
    """After an issuer profile changes and commits: its profile, and every OB 3.0 credential
    that carries it, are built again on their next request. Only the profile's URL is
    purged: a cache in front revalidates the credentials within their max-age (a minute)."""
    restamp(issuer_stamp(issuer_uuid))
    found = Issuer.objects.filter(uuid=issuer_uuid).first()
    if found is not None:
        public_urls_changed([ob2.issuer_id(found)])
