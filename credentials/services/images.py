"""SVG images stored before Leap made them passive: issuer images, badge classes' images,
the badges baked from them and editors' images in the CMS, rewritten by `cms.svg`."""

from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.images import get_image_model

from cms.svg import NotSvg, svg_sanitise
from credentials.models import Assertion, BadgeClass, Issuer
from credentials.openbadges import cache as public_cache
from credentials.openbadges.baking import assertion_bake


def _rewrite(field) -> bool:
    """Store the passive form of the SVG in `field` under the same name; whether it
    changed. A file that cannot be read as SVG is left for a person to replace."""
    try:
        with field.open("rb") as handle:
            data = handle.read()
        clean = svg_sanitise(data)
    except (FileNotFoundError, NotSvg):
        return False
    if clean == data:
        return False
    storage, name = field.storage, field.name
    storage.delete(name)
    stored = storage.save(name, ContentFile(clean))
    if stored != name:  # the storage chose another name: point the row at it
        field.name = stored
        field.instance.save(update_fields=[field.field.name])
    return True


def stored_svgs_sanitise() -> dict[str, int]:
    """Rewrite every stored SVG image that still holds more than a picture, and bake again
    the badges baked from a badge image that changed. Safe to run again. Returns how many
    of each kind changed."""
    changed = {"issuer images": 0, "badge images": 0, "baked badges": 0, "CMS images": 0}
    for issuer in Issuer.objects.exclude(image="").filter(image__iendswith=".svg"):
        if _rewrite(issuer.image):
            changed["issuer images"] += 1
            transaction.on_commit(lambda uuid=issuer.uuid: public_cache.forget_issuer(uuid))
    for badge_class in BadgeClass.objects.filter(image__iendswith=".svg"):
        if _rewrite(badge_class.image):
            changed["badge images"] += 1
            for assertion in Assertion.objects.filter(badge_class=badge_class).exclude(
                baked_image=""
            ):
                assertion_bake(assertion=assertion)
                changed["baked badges"] += 1
    for image in get_image_model().objects.filter(file__iendswith=".svg"):
        if _rewrite(image.file):
            image.renditions.all().delete()  # drawn again from the passive original
            changed["CMS images"] += 1
    return changed
