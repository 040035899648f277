"""Badge art for micro-credentials published without an image of their own.

The art is a Wagtail image on the page (`MicroCredentialPage.badge_image`), kept in the
collection "Generated badge art": that is how Leap tells its own art from an image an editor
chose, which is never replaced. Art is drawn from the title, level, alignment and the
platform issuer's name (credentials.openbadges.art); when one of those (or ART_VERSION)
changes and the page still has generated art, publishing draws it again as a new image
(earlier revisions keep theirs, so reverting one brings its art back). Which inputs an
image was drawn from is in its file name (`badge-art-<key>-<slug>.png`), so a new Pillow
or FreeType, which may draw other bytes, makes no new art, hence no new badge version."""

import hashlib
import os
import re

from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.images import get_image_model
from wagtail.models import Collection, ReferenceIndex, Revision

from cms.models import MicroCredentialPage
from credentials.openbadges.art import badge_art_key, badge_art_png
from credentials.services.issuers import issuer_platform

GENERATED_COLLECTION = "Generated badge art"
_KEYED_NAME = re.compile(r"badge-art-[0-9a-f]{16}-")


def _collection() -> Collection:
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=GENERATED_COLLECTION).first()
    return existing or root.add_child(name=GENERATED_COLLECTION)


def badge_art_is_generated(image) -> bool:
    """Whether a page's badge image is Leap's own art (not an editor's upload)."""
    return image is not None and image.collection.name == GENERATED_COLLECTION


def _theme(page: MicroCredentialPage) -> str:
    """The colour follows the first aligned element, so badges for the same competency area
    share a colour and the rest differ; without an alignment, the title picks it."""
    elements = page.aligned_elements
    if not elements:
        return page.title
    return f"{elements[0].framework.code}:{elements[0].code}"


def _inputs(page: MicroCredentialPage, issuer_name: str | None) -> dict:
    return {
        "title": page.title,
        "level": page.get_level_display(),
        "issuer": issuer_name or issuer_platform().name,
        "theme": _theme(page),
    }


def badge_art_draw(*, page: MicroCredentialPage, issuer_name: str | None = None) -> bytes:
    """The art for the page as it is now, naming `issuer_name` (the platform's by default)."""
    return badge_art_png(**_inputs(page, issuer_name))


def badge_art_key_for(*, page: MicroCredentialPage, issuer_name: str | None = None) -> str:
    """`badge_art_key` of the art `badge_art_draw` would draw, without drawing it."""
    return badge_art_key(**_inputs(page, issuer_name))


@transaction.atomic
def badge_art_ensure(*, page: MicroCredentialPage):
    """Give a published micro-credential generated art when it has no image, or draw it
    again when it has generated art that no longer matches its title, level, alignment or
    issuer. An image an editor chose is left alone. Returns the page's generated image, or
    None when the page has an image of its own. Running it again changes nothing."""
    current = page.badge_image
    if current is not None and not badge_art_is_generated(current):
        return None
    # The file name starts with the art's key (its inputs and ART_VERSION), so art still
    # drawn from the same inputs is kept even if another Pillow would draw other bytes.
    prefix = f"badge-art-{badge_art_key_for(page=page)[:16]}-"
    if current is not None:
        name = os.path.basename(current.file.name)
        if name.startswith(prefix):
            return current
    art = badge_art_draw(page=page)
    if current is not None and not _KEYED_NAME.match(name):
        # Art made before names carried the key: kept when it is the same picture.
        digest = hashlib.sha1(art, usedforsecurity=False).hexdigest()  # as Wagtail's file_hash
        if current.get_file_hash() == digest:
            return current
    image = get_image_model()(
        title=f"Badge art: {page.title}"[:255],
        collection=_collection(),
        file=ContentFile(art, name=f"{prefix}{page.slug}.png"),
    )
    image.description = f"Badge for the {page.title} micro-credential"[:255]
    image.save()
    image.get_file_hash()  # stored, so the next check compares without reading the file
    MicroCredentialPage.objects.filter(pk=page.pk).update(badge_image=image)
    # The revisions editors and publishing start from must hold the art too, or the next
    # publish would take it away (and draw it again).
    previous = current.pk if current is not None else None
    revision_ids = {page.latest_revision_id, page.live_revision_id} - {None}
    for revision in Revision.objects.filter(pk__in=revision_ids):
        if revision.content.get("badge_image") == previous:
            revision.content["badge_image"] = image.pk
            revision.save(update_fields=["content"])
    page.badge_image = image
    ReferenceIndex.create_or_update_for_object(page)
    return image


def badge_art_backfill() -> int:
    """Generated art for every live micro-credential without an image (or with outdated
    generated art). Returns how many pages got new art."""
    changed = 0
    pages = MicroCredentialPage.objects.live().select_related("badge_image__collection")
    for page in pages.order_by("pk"):
        before = page.badge_image_id
        image = badge_art_ensure(page=page)
        if image is not None and image.pk != before:
            changed += 1
    return changed
