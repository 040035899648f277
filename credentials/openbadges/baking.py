"""Baking: the assertion's OB 2.0 JSON inside a copy of its badge image (a PNG chunk, or
SVG markup for SVG badges), so the image alone can be verified."""

import io
import json

from django.core.files.base import ContentFile
from openbadges_bakery import bake

from credentials.models import Assertion
from credentials.openbadges.ob2 import assertion_json


def assertion_bake(*, assertion: Assertion) -> Assertion:
    """Bake the assertion into a copy of its badge image and store it under its one name
    (`baked/<uuid>.png` or `.svg`): baking again, after a crash or a replay, replaces that
    file rather than adding another beside it."""
    with assertion.badge_class.image.open("rb") as source:
        image = source.read()
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
    Assertion.objects.filter(pk=assertion.pk).update(baked_image=assertion.baked_image.name)
    return assertion


def assertion_baked_image(*, assertion: Assertion):
    """The stored baked image, baked (again) first when it is missing."""
    image = assertion.baked_image
    if not image or not image.storage.exists(image.name):
        assertion_bake(assertion=assertion)
    return assertion.baked_image
