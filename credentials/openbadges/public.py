"""The public Open Badges 2.0 JSON of each kind as (HTTP status, body), or None when there
is no such object: what the public views serve and the cache keeps. One query each."""

from credentials.models import Assertion, BadgeClass, Issuer
from credentials.openbadges import ob2

PublicJson = tuple[int, bytes] | None


def issuer_public_json(uuid) -> PublicJson:
    found = Issuer.objects.filter(uuid=uuid).first()
    return (200, ob2.dump(ob2.issuer_json(found))) if found else None


def badge_class_public_json(uuid) -> PublicJson:
    found = BadgeClass.objects.select_related("issuer").filter(uuid=uuid).first()
    return (200, ob2.dump(ob2.badge_class_json(found))) if found else None


def assertion_public_json(uuid) -> PublicJson:
    found = Assertion.objects.select_related("badge_class__issuer").filter(uuid=uuid).first()
    if found is None:
        return None
    if found.revoked:
        return (410, ob2.dump(ob2.revoked_json(found)))
    return (200, ob2.dump(ob2.assertion_json(found)))
