"""The learner's export of every badge they hold."""

import io
import json
import zipfile

from django.utils.text import slugify

from credentials.models import Assertion
from credentials.openbadges.baking import assertion_baked_image
from credentials.openbadges.ob2 import assertion_json
from credentials.openbadges.ob3 import credential_jwt, credential_signed


def badges_zip(assertions: list[Assertion]) -> bytes:
    """A zip with, per badge, the baked image, the OB 2.0 assertion, and the OB 3.0
    credential twice: JSON-LD with its Data Integrity proof (what wallets such as the
    Learner Credential Wallet import) and the VC-JWT.
    Revoked badges are left out: they no longer vouch for anything."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for assertion in assertions:
            if assertion.revoked:
                continue
            stem = f"{slugify(assertion.badge_class.name)}-{str(assertion.uuid)[:8]}"
            extension = "svg" if assertion.badge_class.image_is_svg else "png"
            with assertion_baked_image(assertion=assertion).open("rb") as image:
                archive.writestr(f"{stem}/badge.{extension}", image.read())
            archive.writestr(
                f"{stem}/openbadges-2.0.json", json.dumps(assertion_json(assertion), indent=2)
            )
            archive.writestr(
                f"{stem}/openbadges-3.0.json", json.dumps(credential_signed(assertion), indent=2)
            )
            archive.writestr(f"{stem}/openbadges-3.0.jwt", credential_jwt(assertion))
    return buffer.getvalue()
