"""Baking: the assertion's OB 2.0 JSON inside a copy of its badge image (a PNG chunk, or
SVG markup for SVG badges), so the image alone can be verified."""

import io
import json

from django.core.files.base import ContentFile
from openbadges_bakery import bake

from credentials.models import Assertion
from credentials.openbadges.ob2 import assertion_json


def _bake_into(assertion: Assertion, image: bytes) -> None:
    """Bake into `image` (the badge class's) and store the file under the assertion's one
    name, setting `baked_image` on the object only."""
    extension = "svg" if assertion.badge_class.image_is_svg else "png"
    baked = bake(io.BytesIO(image), json.dumps(assertion_json(assertion)))
    baked.seek(0)
    content = baked.read()
    name = f"{assertion.uuid}.{extension}"
    storage = assertion.baked_image.storage
    stored_name = assertion.baked_image.field.generate_filename(assertion, name)
    if storage.exists(stored_name):
        storage.delete(stored_name)
    assertion.baked_image.save(name, ContentFile(content), save=False)


def _image_of(badge_class) -> bytes:
    with badge_class.image.open("rb") as source:
        return source.read()


def assertion_bake(*, assertion: Assertion) -> Assertion:
    """Bake the assertion into a copy of its badge image and store it under its one name
    (`baked/<uuid>.png` or `.svg`): baking again, after a crash or a replay, replaces that
    file rather than adding another beside it."""
    _bake_into(assertion, _image_of(assertion.badge_class))
    Assertion.objects.filter(pk=assertion.pk).update(baked_image=assertion.baked_image.name)
    return assertion


def assertions_bake(*, assertions: list[Assertion]) -> int:
    """`assertion_bake` for many (a bulk award's chunk): each badge class's image read
    once, the names recorded in one update. Returns how many were baked."""
    images: dict[int, bytes] = {}
    for assertion in assertions:
        if assertion.badge_class_id not in images:
            images[assertion.badge_class_id] = _image_of(assertion.badge_class)
        _bake_into(assertion, images[assertion.badge_class_id])
    Assertion.objects.bulk_update(assertions, ["baked_image"])
    return len(assertions)


def assertion_baked_image(*, assertion: Assertion):
    """The stored baked image, baked (again) first when it is missing."""
    image = assertion.baked_image
    if not image or not image.storage.exists(image.name):
        assertion_bake(assertion=assertion)
    return assertion.baked_image
