"""Baking: the assertion's OB 2.0 JSON inside a copy of its badge image (a PNG chunk, or
SVG markup for SVG badges), so the image alone can be verified."""

import io
import json
import struct
import zlib
from collections.abc import Callable

import png
from django.core.files.base import ContentFile
from django.db import connection
from openbadges_bakery import bake

from credentials.models import Assertion
from credentials.openbadges.ob2 import assertion_json

# A PNG file's first eight bytes, and the start of the chunk Open Badges bakes into it: an
# iTXt chunk keyed "openbadges", uncompressed, with no language or translated keyword.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BADGE_CHUNK_START = b"openbadges\x00\x00\x00\x00\x00"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(data, zlib.crc32(kind)) & 0xFFFFFFFF
    return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", crc)


def baker(image: bytes) -> Callable[[str], bytes]:
    """Bakes assertion JSON into `image`: the file openbadges-bakery makes, byte for byte.
    A PNG is read once (with pypng, as the bakery reads it) and each assertion's chunk is
    put after its header, where the bakery puts it, any earlier Open Badges chunk left out;
    the bakery read the image again and wrote a temporary file for every badge. An SVG is
    baked by the bakery."""
    if not image.startswith(PNG_SIGNATURE):
        return lambda text: bake(io.BytesIO(image), text).read()
    chunks = png.Reader(bytes=image).chunks()
    head = PNG_SIGNATURE + _png_chunk(*next(chunks))
    tail = b"".join(
        _png_chunk(kind, data) for kind, data in chunks if not data.startswith(b"openbadges\x00")
    )
    return lambda text: head + _png_chunk(b"iTXt", BADGE_CHUNK_START + text.encode()) + tail


def _bake_into(assertion: Assertion, bake_into: Callable[[str], bytes]) -> None:
    """Bake with the badge class's `baker` and store the file under the assertion's one
    name, setting `baked_image` on the object only."""
    extension = "svg" if assertion.badge_class.image_is_svg else "png"
    content = bake_into(json.dumps(assertion_json(assertion)))
    field = assertion.baked_image.field
    storage = field.storage
    stored_name = field.generate_filename(assertion, f"{assertion.uuid}.{extension}")
    if storage.exists(stored_name):
        storage.delete(stored_name)
    # As FieldFile.save, without working the name out a second time.
    assertion.baked_image = storage.save(
        stored_name, ContentFile(content), max_length=field.max_length
    )


def _image_of(badge_class) -> bytes:
    with badge_class.image.open("rb") as source:
        return source.read()


def assertion_bake(*, assertion: Assertion) -> Assertion:
    """Bake the assertion into a copy of its badge image and store it under its one name
    (`baked/<uuid>.png` or `.svg`): baking again, after a crash or a replay, replaces that
    file rather than adding another beside it."""
    _bake_into(assertion, baker(_image_of(assertion.badge_class)))
    Assertion.objects.filter(pk=assertion.pk).update(baked_image=assertion.baked_image.name)
    return assertion


def assertions_bake(*, assertions: list[Assertion]) -> int:
    """`assertion_bake` for many (a bulk award's chunk): each badge class's image read and
    parsed once, the names recorded in one update. Returns how many were baked."""
    bakers: dict[int, Callable[[str], bytes]] = {}
    for assertion in assertions:
        if assertion.badge_class_id not in bakers:
            bakers[assertion.badge_class_id] = baker(_image_of(assertion.badge_class))
        _bake_into(assertion, bakers[assertion.badge_class_id])
    # The names in one statement: bulk_update's CASE over a hundred rows cost more to build
    # than the bakes' own bookkeeping. (A VALUES list's columns are column1, column2 on
    # PostgreSQL and SQLite alike.)
    if assertions:
        meta, quote = Assertion._meta, connection.ops.quote_name
        table, pk = quote(meta.db_table), quote(meta.pk.column)
        column = quote(meta.get_field("baked_image").column)
        rows = ", ".join(["(%s, %s)"] * len(assertions))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {column} = named.column2 FROM (VALUES {rows}) AS named "  # noqa: S608 (names)
                f"WHERE {table}.{pk} = CAST(named.column1 AS BIGINT)",
                [value for a in assertions for value in (a.pk, a.baked_image.name)],
            )
    return len(assertions)


def assertion_baked_image(*, assertion: Assertion):
    """The stored baked image, baked (again) first when it is missing."""
    image = assertion.baked_image
    if not image or not image.storage.exists(image.name):
        assertion_bake(assertion=assertion)
    return assertion.baked_image
