"""What was handed to the verifier, read: a baked PNG or SVG image, JSON, a compact JWS
(a VC-JWT or a signed OB 2.0 assertion) or a URL. Each becomes a `Presented` badge, or an
`Unreadable` error whose message says, in plain words, what was wrong with it."""

import json
import re
import struct
import zlib
from dataclasses import dataclass

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The keywords of the chunks baking writes: OB 2.0 and OB 3.0.
PNG_KEYWORDS = (b"openbadges", b"openbadgecredential")
JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
SVG_OPENING = re.compile(r"<openbadges:(assertion|credential)\b([^<>]{0,4000})>")
SVG_VERIFY = re.compile(r"""\bverify\s*=\s*(["'])([^"']*)\1""")
MAX_TEXT = 1_000_000  # a badge's text, once out of its image


def scrubbed(value):
    """JSON as read, with any lone surrogate (which JSON's \\u escapes can carry, but no
    text can be written out with) replaced: a badge is shown, stored and answered in UTF-8."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [scrubbed(item) for item in value]
    if isinstance(value, dict):
        return {scrubbed(key): scrubbed(item) for key, item in value.items()}
    return value


class Unreadable(ValueError):
    """Not a badge Leap can read; the message says why."""


@dataclass
class Presented:
    """A badge as given: exactly one of `document` (JSON), `token` (compact JWS) or `url`."""

    source: str  # how it came, in words: "a baked PNG image", "a link", "JSON", "a JWT"
    document: dict | None = None
    token: str | None = None
    url: str | None = None


def presented_from_text(text: str, *, source: str) -> Presented:
    text = scrubbed(text).strip().lstrip("\ufeff")
    if not text:
        raise Unreadable("There is nothing here to check.")
    if len(text) > MAX_TEXT:
        raise Unreadable("This is far longer than any badge.")
    if text.startswith(("http://", "https://")) and len(text.split()) == 1:
        return Presented(source=source, url=text)
    if text.startswith("{"):
        try:
            document = scrubbed(json.loads(text))
        except ValueError as error:
            raise Unreadable(f"This looks like JSON but does not parse: {error}.") from error
        except RecursionError as error:
            raise Unreadable("This JSON is nested far deeper than any badge.") from error
        if not isinstance(document, dict):
            raise Unreadable("This JSON is not an object, so it is not a badge.")
        return Presented(source=source, document=document)
    if JWS.match(text):
        return Presented(source=source, token=text)
    raise Unreadable(
        "This is not a badge: Leap reads a badge's link, its JSON, a JWT, or a baked badge "
        "image (PNG or SVG)."
    )


def presented_from_bytes(data: bytes, *, name: str = "") -> Presented:
    """An uploaded file or a fetched body."""
    if data.startswith(PNG_SIGNATURE):
        return presented_from_text(png_unbake(data), source="a baked PNG image")
    head = data[:2048].lstrip().lower()
    if b"<svg" in head or head.startswith(b"<?xml") or name.lower().endswith(".svg"):
        return presented_from_text(svg_unbake(data), source="a baked SVG image")
    if data[:4] in (b"GIF8", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1") or data[:4] == b"RIFF":
        raise Unreadable(
            "This image is not a baked badge: Open Badges are baked into PNG or SVG images."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Unreadable(
            "This file is not a badge: Leap reads baked PNG or SVG images, JSON and JWTs."
        ) from error
    return presented_from_text(text, source="a file")


def png_unbake(data: bytes) -> str:
    """The badge text in a PNG's openbadges (OB 2.0) or openbadgecredential (OB 3.0) chunk."""
    position = len(PNG_SIGNATURE)
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        crc = data[position + 8 + length : position + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise Unreadable("This PNG image is cut short: it is damaged or incomplete.")
        if struct.unpack(">I", crc)[0] != zlib.crc32(kind + body):
            raise Unreadable(
                "This PNG image has been altered: one of its parts does not match its checksum."
            )
        if kind in (b"iTXt", b"tEXt"):
            text = _png_text(kind, body)
            if text is not None:
                return text
        if kind == b"IEND":
            break
        position += 12 + length
    raise Unreadable("This PNG image has no badge baked into it.")


def _png_text(kind: bytes, body: bytes) -> str | None:
    keyword, _, rest = body.partition(b"\0")
    if keyword not in PNG_KEYWORDS:
        return None
    if kind == b"tEXt":
        return rest.decode("latin-1")
    if len(rest) < 2:
        raise Unreadable("The badge chunk of this PNG image is damaged.")
    compressed, text = rest[0], rest[2:]
    _language, _, text = text.partition(b"\0")
    _translated, _, text = text.partition(b"\0")
    if compressed:
        inflate = zlib.decompressobj()
        text = inflate.decompress(text, MAX_TEXT + 1)
        if len(text) > MAX_TEXT:
            raise Unreadable("The badge baked into this image is far longer than any badge.")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Unreadable("The badge baked into this PNG image is not readable text.") from error


def svg_unbake(data: bytes) -> str:
    """The badge in an SVG's openbadges:assertion (OB 2.0) or openbadges:credential (OB 3.0)
    element: its text (CDATA), or else its `verify` attribute (a URL or a JWT). Read by
    pattern, not by an XML parser, so no entity or external reference is ever expanded."""
    try:
        markup = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Unreadable("This SVG image is not UTF-8 text.") from error
    # Linear: the first opening tag, then one search for its closing tag.
    found = SVG_OPENING.search(markup)
    if not found:
        raise Unreadable("This SVG image has no badge baked into it.")
    kind, attributes = found.groups()
    content = ""
    if not attributes.rstrip().endswith("/"):
        end = markup.find(f"</openbadges:{kind}", found.end())
        if end < 0:
            raise Unreadable("The badge element of this SVG image is not closed.")
        content = markup[found.end() : end].strip()
        if content.startswith("<![CDATA[") and content.endswith("]]>"):
            content = content[len("<![CDATA[") : -len("]]>")].strip()
    if content:
        return content
    verify = SVG_VERIFY.search(attributes)
    if verify:
        return verify.group(2).replace("&amp;", "&")
    raise Unreadable("The badge element of this SVG image is empty.")
