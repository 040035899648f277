"""W3C Bitstring Status List: each issuer publishes signed lists of 131,072 bits, one per
credential, set when the credential is revoked. Each Open Badges 3.0 credential points at its
bit with a BitstringStatusListEntry; verifiers (DCC's, 1EdTech's) fetch the list, check its
proof and read the bit.

The list is computed from the database on each request, so a revocation shows the moment it
commits (the response has an ETag; clients revalidate). Bits are drawn at random within a
list that is never more than half full, so a bit's place gives nothing away."""

import base64
import gzip
import secrets

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.urls import reverse

from credentials.models import Assertion, Issuer, StatusListEntry
from credentials.openbadges.data_integrity import proof_create
from credentials.openbadges.did import issuer_did, verification_method_id
from credentials.openbadges.keys import issuer_signing_key, private_key_of
from credentials.openbadges.ob2 import absolute
from credentials.openbadges.times import xsd_datetime

LIST_SIZE = 131_072  # bits: the minimum the specification sets, for herd privacy
FILL_LIMIT = LIST_SIZE // 2
ATTEMPTS = 50
PURPOSE = "revocation"
CONTEXTS = ["https://www.w3.org/ns/credentials/v2"]


def status_list_url(issuer: Issuer, number: int) -> str:
    return absolute(reverse("credentials:issuer_status_list", args=[issuer.uuid, number]))


def status_entry_get(assertion: Assertion) -> StatusListEntry:
    """The assertion's bit, drawn the first time it is asked for (at award)."""
    try:
        return assertion.status_entry
    except StatusListEntry.DoesNotExist:
        return _allocate(assertion)


def _allocate(assertion: Assertion) -> StatusListEntry:
    issuer = assertion.badge_class.issuer
    number = _open_list(issuer)
    for _ in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return StatusListEntry.objects.create(
                    assertion=assertion,
                    issuer=issuer,
                    number=number,
                    index=secrets.randbelow(LIST_SIZE),
                )
        except IntegrityError:
            existing = StatusListEntry.objects.filter(assertion=assertion).first()
            if existing is not None:  # another request drew it meanwhile
                return existing
    raise RuntimeError(f"No free status bit found in list {number} of {issuer}.")


def status_entries_allocate(*, assertions: list[Assertion], issuer: Issuer) -> None:
    """Draw the bits of many new assertions of one issuer at once (a bulk award): the free
    ones found with one query, written with one insert. Should another award take one of
    these bits meanwhile, the insert fails as a whole and is drawn again."""
    if not assertions:
        return
    for _ in range(ATTEMPTS):
        number = _open_list(issuer)
        indexes = _free_indexes(issuer, number, len(assertions))
        try:
            with transaction.atomic():
                StatusListEntry.objects.bulk_create(
                    StatusListEntry(assertion=assertion, issuer=issuer, number=number, index=index)
                    for assertion, index in zip(assertions, indexes, strict=True)
                )
            return
        except IntegrityError:
            continue
    raise RuntimeError(f"No free status bits found in the lists of {issuer}.")


def _free_indexes(issuer: Issuer, number: int, count: int) -> list[int]:
    """`count` different bits of the list not yet drawn, in random order (a set's order
    would hand them out sorted, and a bit's place would tell when it was awarded)."""
    chosen: set[int] = set()
    while len(chosen) < count:
        wanted = count - len(chosen)
        candidates = {secrets.randbelow(LIST_SIZE) for _ in range(wanted)} - chosen
        taken = set(
            StatusListEntry.objects.filter(
                issuer=issuer, number=number, index__in=candidates
            ).values_list("index", flat=True)
        )
        chosen |= candidates - taken
    drawn = list(chosen)
    secrets.SystemRandom().shuffle(drawn)
    return drawn


def _open_list(issuer: Issuer) -> int:
    """The issuer's list that is less than half full. Lists fill in order, so only the
    latest can be: two index lookups (its number, its count), whatever the issuer has
    issued before."""
    entries = StatusListEntry.objects.filter(issuer=issuer)
    latest = entries.aggregate(latest=Max("number"))["latest"]
    if latest is None:
        return 0
    return latest if entries.filter(number=latest).count() < FILL_LIMIT else latest + 1


def status_entry_json(assertion: Assertion) -> dict:
    """The credential's `credentialStatus`."""
    entry = status_entry_get(assertion)
    url = status_list_url(entry.issuer, entry.number)
    return {
        "id": f"{url}#{entry.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(entry.index),
        "statusListCredential": url,
    }


def encoded_list(indexes) -> str:
    """The bits as the specification writes them: bit 0 is the first (most significant)
    bit of the first byte; GZIP-compressed, then multibase base64url ("u…", no padding)."""
    bits = bytearray(LIST_SIZE // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def decoded_list(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("A status list is multibase base64url: it starts with “u”.")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def bit_is_set(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(issuer: Issuer, number: int) -> dict | None:
    """The signed BitstringStatusListCredential for one of the issuer's lists, or None when
    the list does not exist. `validFrom` is the list's last change (so the bytes, and the
    ETag, change only when a bit does)."""
    entries = StatusListEntry.objects.filter(issuer=issuer, number=number)
    summary = entries.aggregate(count=Count("pk"), changed=Max("assertion__revoked_at"))
    if not summary["count"] and number != 0:
        return None
    revoked = entries.filter(assertion__revoked=True).values_list("index", flat=True)
    url = status_list_url(issuer, number)
    changed = summary["changed"] or issuer.created_at
    credential = {
        "@context": CONTEXTS,
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(issuer),
        "validFrom": xsd_datetime(changed),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encoded_list(revoked),
        },
    }
    key = issuer_signing_key(issuer)
    proof = proof_create(
        credential,
        private_key=private_key_of(key),
        verification_method=verification_method_id(key),
        created=xsd_datetime(max(changed, key.created_at)),
    )
    return {**credential, "proof": proof}
