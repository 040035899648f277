"""Evidence files: what a file really is (from its bytes, not its name), whether Leap takes
it (no macros, zip bombs or web pages posing as CSV), a safe name, images without their
metadata (EXIF holds where a photo was taken), and the copy reviewers get (`blind.py`)."""

import io
import re
import warnings
import zipfile
from dataclasses import dataclass

from django.utils.text import get_valid_filename
from PIL import Image, ImageOps

from accounts.errors import LeapError
from credentials.blind import (
    REFUSED_DAMAGED,
    REFUSED_MACROS,
    BlindCopy,
    Refused,
    blind_copy_isolated,
    jpeg_without_metadata,
    png_without_metadata,
    zip_has_macros,
    zip_open,
)

# The kinds an artifact slot may accept (cms.blocks.ARTIFACT_FILE_TYPES) and the formats
# each kind takes, by the extension that format's files carry.
KIND_FORMATS = {
    "pdf": {"pdf"},
    "document": {"docx", "odt"},
    "presentation": {"pptx", "odp"},
    "spreadsheet": {"xlsx", "ods", "csv"},
    "image": {"jpeg", "png"},
    "video": {"mp4"},
    "audio": {"mp3", "m4a"},
}
FORMAT_NAMES = {
    "pdf": "a PDF",
    "docx": "a Word document",
    "odt": "an OpenDocument text",
    "pptx": "a PowerPoint presentation",
    "odp": "an OpenDocument presentation",
    "xlsx": "an Excel spreadsheet",
    "ods": "an OpenDocument spreadsheet",
    "csv": "a CSV file",
    "jpeg": "a JPEG image",
    "png": "a PNG image",
    "mp4": "an MP4 video",
    "mp3": "an MP3 recording",
    "m4a": "an M4A recording",
    "html": "a web page or script",
}
EXTENSION_FORMATS = {ext: ext for ext in FORMAT_NAMES if ext != "html"} | {
    "jpg": "jpeg",
    "jpe": "jpeg",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "mp4": "video/mp4",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
}
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"dash",
}
MAX_IMAGE_PIXELS = 40_000_000
OOXML_PARTS = {"word/": "docx", "ppt/": "pptx", "xl/": "xlsx"}
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.presentation": "odp",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}


def _zip_format(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        if "mimetype" in names:
            # Read a few bytes at most: a "mimetype" entry that unpacks to gigabytes is a bomb.
            if archive.getinfo("mimetype").file_size > 100:
                return None
            with archive.open("mimetype") as entry:
                return ODF_MIMETYPES.get(entry.read(100).strip())
        if "[Content_Types].xml" in names:
            for prefix, fmt in OOXML_PARTS.items():
                if any(name.startswith(prefix) for name in names):
                    return fmt
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data[:8192]:
        return False
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the 64 KB boundary is still text.
        return error.start >= 65536 - 4
    return True


# Text that a browser or a shell would run: markup at the start (as browsers sniff it), or
# a script element, frame, or event handler anywhere in the first 64 KB.
MARKUP_START = re.compile(rb"^\s*<(?:[!?a-z/])", re.I)
MARKUP_INSIDE = re.compile(
    rb"<\s*/?\s*(?:script|html|body|head|iframe|frame|object|embed|svg|meta|link|style|"
    rb"form|img|base)[\s/>]|<a\s[^>\n]{0,200}href|\bjavascript\s*:|"
    rb"<[a-z][^>\n]{0,200}\son[a-z]+\s*=",
    re.I,
)


def _is_markup(data: bytes) -> bool:
    head = data[:65536].removeprefix(b"\xef\xbb\xbf")
    return bool(MARKUP_START.match(head) or MARKUP_INSIDE.search(head) or head.startswith(b"#!"))


def sniff_format(data: bytes) -> str | None:
    """The format the bytes are in, from signatures and structure; None if unknown."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _zip_format(data)
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand.startswith(b"M4A"):
            return "m4a"
        # HEIC photos and QuickTime films share the container but are not MP4.
        return "mp4" if brand in MP4_BRANDS else None
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if data and _is_text(data):
        return "html" if _is_markup(data) else "csv"
    return None


def safe_name(name: str, fmt: str) -> str:
    """A file name safe to show and store: no path, no odd characters, the format's
    extension, at most 100 characters."""
    stem = re.sub(r"\.[^.]*$", "", name.replace("\\", "/").rsplit("/", 1)[-1])
    stem = get_valid_filename(stem.strip()) if stem.strip() else ""
    stem = (stem or "file")[:90]
    extension = "jpg" if fmt == "jpeg" else fmt
    return f"{stem}.{extension}"


def image_without_metadata(data: bytes, fmt: str) -> bytes:
    """Re-encode a photo with its orientation applied and every metadata block (EXIF, GPS,
    XMP, comments, text chunks) left out."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
        with image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise LeapError(
                    f"The image is {width} × {height} pixels; make it smaller than "
                    f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels and upload it again."
                )
            image = ImageOps.exif_transpose(image)
            if fmt == "jpeg" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            # Pillow writes some of what it read back out (a JPEG's comment, for one).
            image.info.clear()
            out = io.BytesIO()
            if fmt == "jpeg":
                image.save(out, "JPEG", quality=92, optimize=True)
            else:
                image.save(out, "PNG", optimize=True)
    except (
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise LeapError("The image could not be read; export it again and retry.") from error
    # And whatever segment or chunk the encoder adds is dropped again, byte by byte.
    if fmt == "jpeg":
        return jpeg_without_metadata(out.getvalue())
    return png_without_metadata(out.getvalue())


@dataclass(frozen=True)
class CheckedFile:
    name: str  # safe, for the learner's eyes only
    format: str
    content_type: str
    data: bytes  # kept for the learner
    blind: bytes  # the copy reviewers get
    # What the reviewers' copy lacks besides metadata, for the learner ("scripts and
    # automatic actions"); empty when only metadata went.
    blind_removed: tuple[str, ...] = ()


def check_upload(
    *, name: str, data: bytes, accepted_kinds: list[str], max_bytes: int
) -> CheckedFile:
    """Accept a file only if its content is one of the accepted kinds and its name says
    the same format, and it holds nothing that could act on a reviewer's computer that
    cannot be taken out; photos lose their metadata. Makes the copy reviewers get (see
    `blind.py`). Raises LeapError with a sentence."""
    shown = name.replace("\\", "/").rsplit("/", 1)[-1][:100] or "The file"
    if len(data) > max_bytes:
        raise LeapError(
            f"“{shown}” is {len(data) / 1_048_576:.1f} MB; files can be at most "
            f"{max_bytes / 1_048_576:.0f} MB."
        )
    if not data:
        raise LeapError(f"“{shown}” is empty.")
    accepted = set().union(*(KIND_FORMATS.get(kind, set()) for kind in accepted_kinds))
    try:
        actual = _format_of_safe_file(data)
    except Refused as refused:
        raise LeapError(f"“{shown}” {refused.reason}") from None
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = EXTENSION_FORMATS.get(extension)
    if actual is None or actual not in accepted:
        allowed = ", ".join(FORMAT_NAMES[f].split(" ", 1)[1] for f in sorted(accepted))
        what = (
            f"it is {FORMAT_NAMES[actual]}" if actual else "its content is not a format we accept"
        )
        raise LeapError(f"“{shown}” cannot be used here: {what}. Accepted: {allowed}.")
    if claimed != actual:
        raise LeapError(
            f"“{shown}” is named like {FORMAT_NAMES.get(claimed, 'another kind of file')} but "
            f"its content is {FORMAT_NAMES[actual]}. Save it in the right format and upload "
            "it again."
        )
    if actual in ("jpeg", "png"):
        # Leap keeps no photo's location, not even for the learner: both copies are clean.
        data = image_without_metadata(data, actual)
    try:
        blind = blind_copy_isolated(data, actual)
    except Refused as refused:
        raise LeapError(f"“{shown}” {refused.reason}") from None
    return CheckedFile(
        safe_name(name, actual), actual, CONTENT_TYPES[actual], data, blind.data, blind.removed
    )


def blind_copy_of_stored(*, name: str, data: bytes) -> BlindCopy:
    """The reviewers' copy of a file stored before such copies were made (`name` is its
    stored, sanitised name), under today's checks. Raises LeapError with a sentence."""
    shown = name or "The file"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        actual = _format_of_safe_file(data)
        if actual is None or actual != EXTENSION_FORMATS.get(extension):
            raise Refused(REFUSED_DAMAGED)
        return blind_copy_isolated(data, actual)
    except Refused as refused:
        raise LeapError(f"“{shown}” {refused.reason}") from None


def _format_of_safe_file(data: bytes) -> str | None:
    """sniff_format, once a zip has shown it is no bomb; Office and OpenDocument files with
    macros are refused whatever their name. Raises Refused."""
    if data.startswith(b"PK\x03\x04"):
        with zip_open(data) as archive:
            if zip_has_macros(archive):
                raise Refused(REFUSED_MACROS)
    return sniff_format(data)


WORD = re.compile(r"\S+")


def word_count(text: str) -> int:
    return len(WORD.findall(text or ""))
