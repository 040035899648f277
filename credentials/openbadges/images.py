"""Badge and issuer images: a plain badge for micro-credentials that have none of their
own, and the check of an uploaded issuer image."""

import io
import textwrap

from django.core.exceptions import ValidationError
from PIL import Image, ImageDraw, ImageFont

from cms.validators import badge_image_kind

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


def image_upload_check(upload) -> str:
    """The kind ("png" or "svg") of an uploaded issuer image, which follows the rule for badge
    images (`cms.validators.badge_image_kind`). Raises ValidationError saying why not."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(f"The image is larger than {MAX_UPLOAD_BYTES // 2**20} MB.")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return badge_image_kind(data)
