"""A plain badge image for micro-credentials that have none of their own."""

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

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
