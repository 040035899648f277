"""Badge art: a square PNG for a micro-credential that has no image of its own, carrying its
title, level and issuer. Pure drawing (Pillow and the bundled DejaVu font, no database).

The same inputs give the same picture, but not always the same bytes: another Pillow, zlib
or FreeType may encode or smooth it differently. So anything that must stay stable (a badge
class's version) is keyed by `badge_art_key`, the inputs plus `ART_VERSION`, never by the
PNG's bytes; bump ART_VERSION whenever a change here changes what is drawn.

The shape is a hexagon with a ribbon across its lower half; its colour comes from a theme
(the first framework element the micro-credential is aligned to), the level is written on the
ribbon and shown again as one to three stars, so no meaning rests on colour alone."""

import hashlib
import io
import json
import math
import re
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# Bump when the drawing changes (shape, colours, fonts, layout): district badge classes then
# get a new version with the new art. A library upgrade alone does not.
ART_VERSION = 1

SIZE = 600
SCALE = 2  # drawn at twice the size and reduced, for smooth edges
FONT_PATH = Path(__file__).parent / "fonts" / "DejaVuSansCondensed-Bold.ttf"

# Deep colours: white text on each has a contrast ratio above 7:1.
PALETTE = [
    "#12505C",  # teal
    "#1D4E89",  # blue
    "#4A2574",  # violet
    "#1B5E20",  # green
    "#7A1F5C",  # plum
    "#8A3B12",  # rust
    "#2F3E8C",  # indigo
    "#095C43",  # pine
]
RIBBON = (255, 244, 214)
WHITE = (255, 255, 255)

LEVEL_STARS = {"introductory": 1, "intermediate": 2, "advanced": 3}


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _shade(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    """Darker (factor < 1) or lighter (factor > 1, towards white) version of a colour."""
    if factor <= 1:
        return tuple(round(c * factor) for c in colour)
    return tuple(round(c + (255 - c) * (factor - 1)) for c in colour)


def theme_colour(theme: str) -> str:
    """The palette colour for a theme; any string, the same one always gives the same."""
    digest = hashlib.sha256(theme.encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size=size)


def _hexagon(cx: float, cy: float, radius: float) -> list[tuple[float, float]]:
    """A hexagon standing on a point."""
    return [
        (
            cx + radius * math.cos(math.radians(90 + 60 * i)),
            cy + radius * math.sin(math.radians(90 + 60 * i)),
        )
        for i in range(6)
    ]


def _star(cx: float, cy: float, outer: float) -> list[tuple[float, float]]:
    inner = outer * 0.45
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(-90 + 36 * i)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: float) -> list[str]:
    """Words on lines no wider than `width`. A hyphenated word may break after its hyphens;
    a word still too long for a line is split with a hyphen."""
    tokens: list[tuple[str, str]] = []  # (text, what joins it to the token before)
    for word in text.split():
        for number, part in enumerate(re.findall(r"[^-]+-*|-+", word)):
            tokens.append((part, "" if number else " "))
    lines: list[str] = []
    for part, glue in tokens:
        while draw.textlength(part, font=font) > width and len(part) > 1:
            cut = len(part)
            while cut > 1 and draw.textlength(part[:cut] + "-", font=font) > width:
                cut -= 1
            lines.append(part[:cut] + "-")
            part, glue = part[cut:], ""
        candidate = f"{lines[-1]}{glue}{part}" if lines else part
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
        else:
            lines.append(part)
    return lines


def _fit(draw, text: str, width: float, height: float, largest: int, smallest: int):
    """The largest font (and its lines) that fits the box; at the smallest size, lines that
    do not fit are dropped and the last kept one ends with an ellipsis."""
    for size in range(largest, smallest - 1, -2 * SCALE):
        font = _font(size)
        lines = _wrap(draw, text, font, width)
        if len(lines) * size * 1.15 <= height:
            return font, lines
    font = _font(smallest)
    lines = _wrap(draw, text, font, width)
    keep = max(1, int(height // (smallest * 1.15)))
    if len(lines) > keep:
        lines = lines[:keep]
        last = lines[-1].rstrip("-")
        while last and draw.textlength(last + "…", font=font) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return font, lines


def _text_centred(draw, lines, font, cx: float, top: float, fill, spacing: float = 1.15):
    for number, line in enumerate(lines):
        draw.text((cx, top + number * font.size * spacing), line, font=font, fill=fill, anchor="ma")


def badge_art_key(*, title: str, level: str, issuer: str, theme: str = "") -> str:
    """What the art drawn from these inputs stands for: a digest of the inputs and
    ART_VERSION, the same whatever library versions draw it."""
    inputs = {"version": ART_VERSION, "title": title, "level": level, "issuer": issuer}
    inputs["theme"] = theme or title
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def badge_art_png(*, title: str, level: str, issuer: str, theme: str = "") -> bytes:
    """A 600 × 600 PNG (RGBA, transparent corners): `title` in the middle, sized and wrapped
    to fit; `issuer` along the top; `level` (introductory, intermediate, advanced, or any
    short word) on the ribbon, with one to three stars. `theme` picks the colour (the title
    when empty)."""
    size = SIZE * SCALE
    centre = size / 2
    colour = _rgb(theme_colour(theme or title))
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    radius = size * 0.47
    draw.polygon(_hexagon(centre, centre, radius), fill=_shade(colour, 0.62))
    draw.polygon(_hexagon(centre, centre, radius * 0.92), fill=colour)
    # A lighter cap behind the issuer's name gives the face some depth.
    cap_bottom = size * 0.3
    cap = [(x, min(y, cap_bottom)) for x, y in _hexagon(centre, centre, radius * 0.92)]
    draw.polygon(cap, fill=_shade(colour, 1.14))
    draw.polygon(_hexagon(centre, centre, radius * 0.84), outline=WHITE, width=3 * SCALE)

    # The issuer, along the top: up to two lines.
    issuer_font, issuer_lines = _fit(
        draw, issuer.upper(), size * 0.36, 2 * 26 * SCALE * 1.15, 24 * SCALE, 15 * SCALE
    )
    issuer_top = size * 0.3 - len(issuer_lines) * issuer_font.size * 1.15 - 14 * SCALE
    _text_centred(draw, issuer_lines, issuer_font, centre, issuer_top, WHITE)

    # The title, as large as fits.
    box_top, box_height = size * 0.315, size * 0.3
    font, lines = _fit(draw, title, size * 0.6, box_height, 60 * SCALE, 24 * SCALE)
    block = len(lines) * font.size * 1.15
    _text_centred(draw, lines, font, centre, box_top + (box_height - block) / 2, WHITE)

    # The ribbon, with folded tails behind it.
    ribbon_top, ribbon_height = size * 0.63, size * 0.11
    left, right = size * 0.08, size * 0.92
    tail = _shade(RIBBON, 0.78)
    fold = _shade(colour, 0.45)
    for edge, direction in ((left, -1), (right, 1)):
        outer = edge + direction * size * 0.06
        top, bottom = ribbon_top + ribbon_height * 0.28, ribbon_top + ribbon_height * 1.28
        notch = outer - direction * size * 0.025
        draw.polygon(
            [
                (edge, top),
                (outer, top),
                (notch, (top + bottom) / 2),
                (outer, bottom),
                (edge, bottom),
            ],
            fill=tail,
        )
        draw.polygon(
            [
                (edge, ribbon_top + ribbon_height),
                (edge, bottom),
                (edge - direction * size * 0.03, ribbon_top + ribbon_height),
            ],
            fill=fold,
        )
    draw.rectangle((left, ribbon_top, right, ribbon_top + ribbon_height), fill=RIBBON)
    level_font, level_lines = _fit(
        draw, level.upper(), right - left - 40 * SCALE, ribbon_height * 0.7, 32 * SCALE, 16 * SCALE
    )
    draw.text(
        (centre, ribbon_top + ribbon_height / 2),
        level_lines[0],
        font=level_font,
        fill=_shade(colour, 0.7),
        anchor="mm",
    )

    # Stars for the level, below the ribbon.
    stars = LEVEL_STARS.get(level.lower(), 1)
    star_y, gap = size * 0.83, 44 * SCALE
    for i in range(stars):
        x = centre + (i - (stars - 1) / 2) * gap
        draw.polygon(_star(x, star_y, 17 * SCALE), fill=WHITE)

    image = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
