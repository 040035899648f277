"""Badge and issuer images: a plain badge for micro-credentials that have none of their
own, and the check of an uploaded issuer image."""

import io
import textwrap

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.core.exceptions import ValidationError
from PIL import Image, ImageDraw, ImageFont

from cms.validators import MIN_BADGE_PIXELS

SIZE = 600


def default_badge_png(title: str) -> bytes:
    image = Image.new("RGB", (SIZE, SIZE), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, SIZE - 20, SIZE - 20), fill="#0b5c8a")
    draw.ellipse((60, 60, SIZE - 60, SIZE - 60), outline="#ffffff", width=6)
    font = ImageFont.load_default(size=40)
    lines = textwrap.wrap(title, width=16)[:4]
    y = SIZE // 2 - 25 * len(lines)
    for line in lines:
        width = draw.textlength(line, font=font)
        draw.text(((SIZE - width) / 2, y), line, font=font, fill="#ffffff")
        y += 50
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


MAX_UPLOAD_BYTES = 5 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_TAGS = {"svg", "{http://www.w3.org/2000/svg}svg"}


def image_upload_check(upload) -> str:
    """The kind ("png" or "svg") of an uploaded issuer image, which follows the rule for badge
    images: a square PNG of 400 px or more, or an SVG. Raises ValidationError saying why not.
    The kind comes from the content, never from the file's name."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(f"The image is larger than {MAX_UPLOAD_BYTES // 2**20} MB.")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if data.startswith(PNG_SIGNATURE):
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                image.verify()
        except Exception as error:  # Pillow raises many kinds for a broken file
            raise ValidationError("The PNG file is damaged and cannot be read.") from error
        if width != height:
            raise ValidationError(
                f"The image must be square; this one is {width} × {height} pixels."
            )
        if width < MIN_BADGE_PIXELS:
            raise ValidationError(
                f"The image must be at least {MIN_BADGE_PIXELS} × {MIN_BADGE_PIXELS} pixels; "
                f"this one is {width} × {height}."
            )
        return "png"
    try:
        root = fromstring(data)  # defusedxml: no entity expansion, no external resources
    except (ParseError, DefusedXmlException, ValueError):
        root = None
    if root is None or root.tag not in SVG_TAGS:
        raise ValidationError("The image must be a PNG or an SVG file.")
    return "svg"
