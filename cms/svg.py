"""SVG images people upload (issuer images, badge images), made passive: the image is read
as XML without entities or external resources (defusedxml) and written anew from allow
lists, so what comes out can only draw. Scripts, event handlers, <foreignObject>, links,
animation (which can rewrite a link), metadata (editors' names), and every reference
outside the image itself are left out; a picture embedded as a PNG, JPEG or GIF data
address stays. Leap also serves SVGs under `Content-Security-Policy: sandbox`, but a
badge travels to backpacks and other sites that do not, so the file itself must be safe.

No well-kept SVG sanitiser exists for Python; this follows the approach of the ones that
do elsewhere (an allow list, never a block list)."""

import re
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
MAX_ELEMENTS = 50_000
MAX_DEPTH = 64


def _words(text: str) -> set[str]:
    return set(text.split())


ELEMENTS = {
    "svg",
    "g",
    "defs",
    "symbol",
    "use",
    "title",
    "desc",
    "style",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "textPath",
    "linearGradient",
    "radialGradient",
    "stop",
    "pattern",
    "clipPath",
    "mask",
    "marker",
    "image",
    "filter",
    *(
        f"fe{name}"
        for name in _words(
            "Blend ColorMatrix ComponentTransfer Composite ConvolveMatrix DiffuseLighting "
            "DisplacementMap DistantLight DropShadow Flood FuncA FuncB FuncG FuncR "
            "GaussianBlur Image Merge MergeNode Morphology Offset PointLight "
            "SpecularLighting SpotLight Tile Turbulence"
        )
    ),
}
# Elements whose text is part of the picture (or the title read aloud).
TEXT_ELEMENTS = {"text", "tspan", "textPath", "title", "desc", "style"}

ATTRIBUTES = _words(
    """
    id class style transform d x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height viewBox
    preserveAspectRatio points pathLength version fill fill-opacity fill-rule stroke
    stroke-width stroke-linecap stroke-linejoin stroke-miterlimit stroke-dasharray
    stroke-dashoffset stroke-opacity opacity color display visibility overflow paint-order
    vector-effect shape-rendering text-rendering image-rendering color-interpolation
    color-interpolation-filters color-rendering mix-blend-mode isolation font-family
    font-size font-size-adjust font-weight font-style font-variant font-stretch text-anchor
    dominant-baseline alignment-baseline baseline-shift letter-spacing word-spacing
    text-decoration writing-mode direction unicode-bidi dx dy rotate textLength lengthAdjust
    startOffset method spacing side offset stop-color stop-opacity gradientUnits
    gradientTransform spreadMethod patternUnits patternContentUnits patternTransform
    clipPathUnits clip-path clip-rule clip mask maskUnits maskContentUnits marker-start
    marker-mid marker-end markerWidth markerHeight markerUnits refX refY orient filter
    filterUnits primitiveUnits in in2 result stdDeviation mode operator k1 k2 k3 k4 values
    type flood-color flood-opacity radius tableValues slope intercept amplitude exponent
    baseFrequency numOctaves seed stitchTiles scale xChannelSelector yChannelSelector order
    kernelMatrix kernelUnitLength divisor bias targetX targetY edgeMode preserveAlpha
    surfaceScale diffuseConstant specularConstant specularExponent lighting-color azimuth
    elevation z pointsAtX pointsAtY pointsAtZ limitingConeAngle href xml:space
    """
)
# CSS properties allowed in style attributes: the presentation attributes above.
CSS_PROPERTIES = {name for name in ATTRIBUTES if "-" in name or name.isalpha()} - {
    "href",
    "style",
    "id",
    "class",
}
# A reference inside the image (url(#gradient)) is fine; anything else that fetches, runs
# or escapes is not.
UNSAFE_VALUE = re.compile(
    r"url\s*\(\s*['\"]?\s*(?!#)|javascript\s*:|vbscript\s*:|data\s*:|expression\s*\(|"
    r"@import|behaviou?r\s*:|-moz-binding|\\|&#|<",
    re.I,
)
LOCAL_HREF = re.compile(r"#[A-Za-z_][\w.:-]*")
EMBEDDED_PICTURE = re.compile(r"data:image/(?:png|jpe?g|gif);base64,[A-Za-z0-9+/=\s]+")


class NotSvg(ValueError):
    """The bytes are not an SVG image that can be read safely."""


def _local(name: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return "", name


def _safe_style(value: str) -> str:
    kept = []
    for declaration in value.split(";"):
        prop, colon, prop_value = declaration.partition(":")
        prop = prop.strip().lower()
        if colon and prop in CSS_PROPERTIES and not UNSAFE_VALUE.search(prop_value):
            kept.append(f"{prop}:{prop_value.strip()}")
    return ";".join(kept)


def _attributes(tag: str, element) -> list[tuple[str, str]]:
    kept = []
    for raw_name, value in element.attrib.items():
        namespace, local = _local(raw_name)
        if namespace == XLINK and local == "href" or namespace == "" and local == "href":
            # Written as xlink:href, which every SVG reader knows (href alone is SVG 2).
            if LOCAL_HREF.fullmatch(value.strip()) and tag != "image":
                kept.append(("xlink:href", value.strip()))
            elif tag == "image" and EMBEDDED_PICTURE.fullmatch(value.strip()):
                kept.append(("xlink:href", re.sub(r"\s", "", value)))
            continue
        name = "xml:space" if namespace == XML and local == "space" else local
        if namespace not in ("", XML) or name not in ATTRIBUTES:
            continue  # event handlers, editors' own attributes, anything unknown
        if name == "style":
            value = _safe_style(value)
            if not value:
                continue
        elif UNSAFE_VALUE.search(value):
            continue
        kept.append((name, value))
    return kept


def _write(element, out: list[str], depth: int, count: list[int]) -> None:
    namespace, tag = _local(element.tag)
    count[0] += 1
    if count[0] > MAX_ELEMENTS or depth > MAX_DEPTH:
        raise NotSvg("too large")
    if namespace not in (SVG, "") or tag not in ELEMENTS:
        return  # and everything inside it: <script>, <foreignObject>, <a>, <metadata>…
    if tag == "style" and element.text and UNSAFE_VALUE.search(element.text):
        return
    attributes = _attributes(tag, element)
    if tag == "image" and not any(name == "xlink:href" for name, _ in attributes):
        return  # a picture from elsewhere: left out
    if depth == 0:
        attributes = [("xmlns", SVG), *attributes]
    out.append(f"<{tag}" + "".join(f" {name}={quoteattr(value)}" for name, value in attributes))
    out.append(">")
    if tag in TEXT_ELEMENTS and element.text:
        out.append(escape(element.text))
    for child in element:
        _write(child, out, depth + 1, count)
        if child.tail and tag in TEXT_ELEMENTS:
            out.append(escape(child.tail))
    out.append(f"</{tag}>")


def svg_sanitise(data: bytes) -> bytes:
    """The SVG in `data`, written again with only what draws (see the module's notes).
    Raises NotSvg when it is not an SVG image."""
    try:
        root = fromstring(data)  # defusedxml: no entities, no DTD fetching
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise NotSvg("not XML") from error
    namespace, tag = _local(root.tag)
    if tag != "svg" or namespace not in (SVG, ""):
        raise NotSvg("not SVG")
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _write(root, out, 0, [0])
    body = "".join(out)
    if "xlink:href=" in body:
        body = body.replace(f'xmlns="{SVG}"', f'xmlns="{SVG}" xmlns:xlink="{XLINK}"', 1)
    return body.encode("utf-8")


def image_upload_sanitise(sender, instance, **kwargs) -> None:
    """pre_save of Wagtail's image model: an SVG an editor uploads is stored passive (its
    renditions are copies of it, served from the public media address)."""
    field = instance.file
    if not field or getattr(field, "_committed", True) or not field.name.lower().endswith(".svg"):
        return
    field.open("rb")
    field.seek(0)
    try:
        clean = svg_sanitise(field.read())
    except NotSvg as error:
        # Wagtail's upload form refuses these first; this stops code storing one, since a
        # browser would read it as a document, not a picture.
        raise ValidationError(
            f"“{field.name}” is not an SVG image.", code="image_not_svg"
        ) from error
    instance.file = ContentFile(clean, name=field.name)
    instance._set_image_file_metadata()
