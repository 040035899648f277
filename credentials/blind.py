"""The copy of an evidence file that reviewers get. Review is blind, and files say more
than their names: a Word document records its author and who last saved it, each comment
and tracked change carries its writer's name, a PDF has an Author and an XMP packet, a
photo has EXIF and comments. `blind_copy` makes, from the learner's file, the same
document with all of that removed (names in comments and tracked changes become "Author")
and with what could act on a reviewer's computer taken out (PDF scripts and automatic
actions, spreadsheet formulas in a CSV); it refuses what cannot be made safe (macros, zip
bombs, password-protected or unreadable files). The learner's own file is kept as it came.

Pure functions over bytes; nothing here reads settings or the database."""

import csv
import io
import re
import struct
import zipfile
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

NEUTRAL_NAME = "Author"
NEUTRAL_INITIALS = "A"

# Zip files (Office, OpenDocument) are judged from their directory before anything is
# unpacked: a 2 GB "document" packed into a few kilobytes is refused at once.
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_UNPACKED = 300 * 1024 * 1024
ZIP_MAX_RATIO = 100  # unpacked size ÷ packed size, for an entry over ZIP_RATIO_FROM
ZIP_RATIO_FROM = 10 * 1024 * 1024
XML_MAX_BYTES = 64 * 1024 * 1024  # one XML part read to be cleaned
NESTED_DEPTH = 2  # documents inside documents (a chart's workbook in a Word file)


class Refused(Exception):
    """The file cannot be made safe for reviewers. `reason` completes a sentence that
    starts with the file's name: "“plan.docx” contains macros…"."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


REFUSED_BOMB = (
    "unpacks to far more than its size, the mark of a file made to overload a computer. "
    "Save it again from your office program and upload the new file."
)
REFUSED_MACROS = (
    "contains macros or controls that could run on a reviewer's computer. Save it as a "
    "document without macros (.docx, .xlsx, .pptx or OpenDocument) and upload it again."
)
REFUSED_DAMAGED = "seems to be damaged and cannot be read. Export it again and upload the new file."
REFUSED_PASSWORD = (
    "is protected by a password, so reviewers could not open it. Save a copy without the "
    "password and upload that."
)


@dataclass(frozen=True)
class BlindCopy:
    data: bytes
    # What was taken out that changes what a reviewer can do with the file, in words for the
    # learner ("scripts and automatic actions"); metadata is always removed and not listed.
    removed: tuple[str, ...] = ()


# Zip: the checks made before anything is unpacked.


def _zip_declared_entries(data: bytes) -> int:
    """How many entries the zip's end record declares, read before Python's zipfile builds
    an object for each (a directory of millions of entries is itself an attack)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        raise Refused(REFUSED_DAMAGED)
    entries = struct.unpack_from("<H", data, end + 10)[0]
    if entries == 0xFFFF and end >= 20 and data[end - 20 : end - 16] == b"PK\x06\x07":
        record = struct.unpack_from("<Q", data, end - 12)[0]
        if data[record : record + 4] == b"PK\x06\x06":
            entries = struct.unpack_from("<Q", data, record + 32)[0]
    return entries


def zip_open(data: bytes) -> zipfile.ZipFile:
    """The zip in `data`, once its directory shows it is not a bomb: few enough entries,
    a bounded total once unpacked, no large entry packed past ZIP_MAX_RATIO. Reading an
    entry never yields more than the size the directory declares (zipfile stops there),
    so these figures bound what unpacking can cost. Raises Refused."""
    if _zip_declared_entries(data) > ZIP_MAX_ENTRIES:
        raise Refused(REFUSED_BOMB)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise Refused(REFUSED_DAMAGED) from error
    if len(entries) > ZIP_MAX_ENTRIES:
        raise Refused(REFUSED_BOMB)
    total = 0
    for entry in entries:
        total += entry.file_size
        packed = max(entry.compress_size, 1)
        if entry.file_size > ZIP_RATIO_FROM and entry.file_size / packed > ZIP_MAX_RATIO:
            raise Refused(REFUSED_BOMB)
    if total > ZIP_MAX_UNPACKED:
        raise Refused(REFUSED_BOMB)
    return archive


# Macros and other active parts of Office and OpenDocument files.

MACRO_CONTENT_TYPE = re.compile(rb"macroEnabled|vnd\.ms-office\.(vbaProject|activeX)", re.I)


def zip_has_macros(archive: zipfile.ZipFile) -> bool:
    """Office macros (vbaProject.bin, a macro-enabled content type), ActiveX controls, or
    OpenDocument Basic and scripts."""
    for name in archive.namelist():
        lower = name.lower()
        if lower.rsplit("/", 1)[-1] in ("vbaproject.bin", "vbadata.xml"):
            return True
        if "/activex/" in f"/{lower}" or lower.startswith(("basic/", "scripts/")):
            return True
    if "[Content_Types].xml" in archive.namelist():
        info = archive.getinfo("[Content_Types].xml")
        if info.file_size > XML_MAX_BYTES:
            raise Refused(REFUSED_BOMB)
        if MACRO_CONTENT_TYPE.search(archive.read(info)):
            return True
    return False


# Cleaning XML parts. They are edited as text, attribute by attribute, never parsed and
# written again: Office names namespace prefixes inside attribute values (mc:Ignorable),
# which a rewrite with new prefixes would break, and the document must still open.

ATTRIBUTE = r"((?:[\w.-]+:)?{name})\s*=\s*(\"[^\"]*\"|'[^']*')"


def _tag_pattern(element: str) -> re.Pattern:
    return re.compile(r"<((?:[\w.-]+:)?" + element + r")(\s[^>]*?)(/?)>")


def _neutral_attributes(tag_attributes: str, names: dict[str, str]) -> str:
    for name, value in names.items():
        if name not in tag_attributes:
            continue
        tag_attributes = re.sub(
            ATTRIBUTE.format(name=re.escape(name)),
            lambda m, value=value: f'{m.group(1)}="{value}"',
            tag_attributes,
        )
    return tag_attributes


# Office (OOXML): elements whose attributes name people, and the neutral value of each.
OOXML_PEOPLE = {
    # Word: comments, tracked changes (insertions, deletions, moves, format changes).
    r"[\w]+": {"author": NEUTRAL_NAME, "initials": NEUTRAL_INITIALS},
    # Word's list of people (co-authoring), Excel's threaded-comment people.
    "person": {
        "displayName": NEUTRAL_NAME,
        "userId": NEUTRAL_NAME,
        "providerId": "None",
    },
    "presenceInfo": {"userId": NEUTRAL_NAME, "providerId": "None"},
    # PowerPoint: comment authors, old and new.
    "cmAuthor": {"name": NEUTRAL_NAME, "initials": NEUTRAL_INITIALS},
    "author": {
        "name": NEUTRAL_NAME,
        "initials": NEUTRAL_INITIALS,
        "userId": NEUTRAL_NAME,
        "providerId": "None",
    },
    # Excel: shared-workbook revisions and users, "reserved by" on sharing.
    "header": {"userName": NEUTRAL_NAME},
    "userInfo": {"name": NEUTRAL_NAME},
    "fileSharing": {"userName": NEUTRAL_NAME},
}
OOXML_PEOPLE_PATTERNS = [(_tag_pattern(element), names) for element, names in OOXML_PEOPLE.items()]
# Excel's list of comment authors (element text), and the bold "Name:" it starts each
# comment with.
XLSX_AUTHOR = re.compile(r"<((?:[\w.-]+:)?author)>([^<]*)</")
# Excel remembers the folder a workbook was saved in (C:\Users\<name>\...).
ABSOLUTE_PATH = re.compile(r"<(?:[\w.-]+:)?absPath\b[^>]*/>")
# Relationships to files on the author's computer (an attached template, a linked
# workbook) carry local paths that name them; web links stay.
RELATIONSHIP = _tag_pattern("Relationship")
LOCAL_TARGET = re.compile(r"^(?!https?:|mailto:|#)", re.I)

OOXML_EMPTY_PARTS = {
    "docProps/core.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"></cp:coreProperties>'
    ),
    "docProps/app.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"></Properties>'
    ),
    "docProps/custom.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"></Properties>'
    ),
}
# SharePoint's document-library properties (owner, editor) kept in customXml items.
SHAREPOINT_PROPERTIES = re.compile(
    r"<(?:[\w.-]+:)?properties\s[^>]*schemas\.microsoft\.com/office/2006/metadata/properties"
)


def _ooxml_part(name: str, text: str) -> str:
    if name.startswith("customXml/item") and SHAREPOINT_PROPERTIES.search(text[:4096]):
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<p:properties xmlns:p="http://schemas.'
            'microsoft.com/office/2006/metadata/properties"></p:properties>'
        )
    if name.endswith(".rels"):
        return RELATIONSHIP.sub(_neutral_relationship, text)
    for pattern, names in OOXML_PEOPLE_PATTERNS:
        text = pattern.sub(
            lambda m, names=names: (
                f"<{m.group(1)}{_neutral_attributes(m.group(2), names)}{m.group(3)}>"
            ),
            text,
        )
    authors = [m.group(2) for m in XLSX_AUTHOR.finditer(text) if m.group(2).strip()]
    text = XLSX_AUTHOR.sub(lambda m: f"<{m.group(1)}>{NEUTRAL_NAME}</", text)
    for author in authors:
        text = text.replace(f">{author}:", f">{NEUTRAL_NAME}:")
    return ABSOLUTE_PATH.sub("", text)


def _neutral_relationship(match: re.Match) -> str:
    attributes = match.group(2)
    if re.search(r"TargetMode\s*=\s*[\"']External[\"']", attributes):
        target = re.search(ATTRIBUTE.format(name="Target"), attributes)
        if target and LOCAL_TARGET.match(target.group(2)[1:-1]):
            attributes = _neutral_attributes(attributes, {"Target": "file:///removed"})
    return f"<{match.group(1)}{attributes}{match.group(3)}>"


# OpenDocument: meta.xml and settings.xml are replaced; in the content, the writer of each
# comment and tracked change (dc:creator) becomes "Author".
ODF_CREATOR = re.compile(r"<((?:[\w.-]+:)?creator)>[^<]*</")
ODF_INITIALS = re.compile(r"<((?:[\w.-]+:)?(?:creator|sender)-initials)>[^<]*</")
# Macros bound to events (opening the document, clicking a shape).
ODF_EVENTS = re.compile(r"<((?:[\w.-]+:)?event-listeners)(?:\s[^>]*)?(?:/>|>.*?</\1>)", re.S)
ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
ODF_EMPTY_PARTS = {
    "meta.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-meta xmlns:office="{ODF_OFFICE}" office:version="1.2">'
        "<office:meta/></office:document-meta>"
    ),
    "settings.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-settings xmlns:office="{ODF_OFFICE}" office:version="1.2"/>'
    ),
}


def _odf_part(name: str, text: str) -> str:
    text = ODF_CREATOR.sub(lambda m: f"<{m.group(1)}>{NEUTRAL_NAME}</", text)
    text = ODF_INITIALS.sub(lambda m: f"<{m.group(1)}>{NEUTRAL_INITIALS}</", text)
    return ODF_EVENTS.sub("", text)


def _well_formed(text: str) -> bool:
    try:
        fromstring(text.encode("utf-8"))  # defusedxml: no entities, no external resources
    except (ParseError, DefusedXmlException, ValueError):
        return False
    return True


def _xml_part(name: str, data: bytes, odf: bool) -> bytes:
    """One XML part with the people in it made neutral; raises Refused if it is not XML."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise Refused(REFUSED_DAMAGED) from error
    if not _well_formed(text):
        raise Refused(REFUSED_DAMAGED)
    cleaned = _odf_part(name, text) if odf else _ooxml_part(name, text)
    if cleaned == text:
        return data
    if not _well_formed(cleaned):  # never hand on a part the cleaning broke
        raise Refused(REFUSED_DAMAGED)
    # The declaration may say UTF-16; the text is now written as UTF-8, so say so.
    cleaned = re.sub(r"^(<\?xml[^>]*encoding=)([\"'])[^\"']*\2", r"\1\2UTF-8\2", cleaned)
    return cleaned.encode("utf-8")


def _replacement(name: str, odf: bool) -> str | None:
    """The neutral content of a metadata part, or None to clean the part as it is. (An
    OpenDocument object inside another, "Object 1/", has a meta.xml of its own.)"""
    if odf:
        return ODF_EMPTY_PARTS.get(name.rsplit("/", 1)[-1])
    return OOXML_EMPTY_PARTS.get(name)


def _zip_copy(data: bytes, *, odf: bool, depth: int = 0) -> bytes:
    archive = zip_open(data)
    if zip_has_macros(archive):
        raise Refused(REFUSED_MACROS)
    out = io.BytesIO()
    with archive, zipfile.ZipFile(out, "w") as copy:
        for entry in archive.infolist():
            name = entry.filename
            fresh = zipfile.ZipInfo(name, date_time=entry.date_time)
            fresh.compress_type = entry.compress_type
            fresh.external_attr = 0o644 << 16 if not entry.is_dir() else entry.external_attr
            if entry.is_dir():
                copy.writestr(fresh, b"")
                continue
            replacement = _replacement(name, odf)
            if replacement is not None:
                copy.writestr(fresh, replacement.encode("utf-8"))
                continue
            lower = name.lower()
            if lower.endswith((".xml", ".rels", ".vml")):
                if entry.file_size > XML_MAX_BYTES:
                    raise Refused(REFUSED_BOMB)
                copy.writestr(fresh, _xml_part(name, archive.read(entry), odf))
            elif lower.endswith((".jpg", ".jpeg", ".png")) or _is_nested(lower, depth):
                copy.writestr(fresh, _embedded(archive.read(entry), lower, depth))
            else:
                with archive.open(entry) as source, copy.open(fresh, "w") as target:
                    while chunk := source.read(1024 * 1024):
                        target.write(chunk)
    return out.getvalue()


NESTED_EXTENSIONS = (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp")


def _is_nested(lower: str, depth: int) -> bool:
    return lower.endswith(NESTED_EXTENSIONS) and depth < NESTED_DEPTH


def _embedded(data: bytes, lower: str, depth: int) -> bytes:
    """A picture or a document inside a document, cleaned like one sent on its own."""
    if lower.endswith(".png") and data.startswith(PNG_SIGNATURE):
        return png_without_metadata(data)
    if lower.endswith((".jpg", ".jpeg")) and data.startswith(b"\xff\xd8"):
        return jpeg_without_metadata(data)
    if lower.endswith(NESTED_EXTENSIONS):
        return _zip_copy(data, odf=lower.endswith((".odt", ".ods", ".odp")), depth=depth + 1)
    return data


# Images: metadata segments and chunks dropped without decoding the picture.

JPEG_KEEP_APP = {0xE0: (b"JFIF\0",), 0xE2: (b"ICC_PROFILE\0",), 0xEE: (b"Adobe",)}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Chunks that change how a PNG looks; every other ancillary chunk (tEXt, zTXt, iTXt, eXIf,
# tIME, C2PA manifests, private ones) is dropped.
PNG_KEEP = {
    b"IHDR",
    b"PLTE",
    b"IDAT",
    b"IEND",
    b"tRNS",
    b"gAMA",
    b"cHRM",
    b"sRGB",
    b"iCCP",
    b"sBIT",
    b"pHYs",
    b"bKGD",
    b"acTL",
    b"fcTL",
    b"fdAT",
}


def jpeg_without_metadata(data: bytes) -> bytes:
    """The JPEG with EXIF, XMP, IPTC/Photoshop, comments (COM) and any other application
    segment left out (JFIF, the colour profile and Adobe's colour transform stay), and
    nothing after the end of the picture. The picture itself is not decoded or changed."""
    if not data.startswith(b"\xff\xd8"):
        raise Refused(REFUSED_DAMAGED)
    out = bytearray(b"\xff\xd8")
    i, size = 2, len(data)
    while i < size:
        if data[i] != 0xFF:
            raise Refused(REFUSED_DAMAGED)
        marker = data[i + 1] if i + 1 < size else 0xD9
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xD9:  # end of image: anything after it is dropped
            out += b"\xff\xd9"
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out += data[i : i + 2]
            i += 2
            continue
        if i + 4 > size:
            raise Refused(REFUSED_DAMAGED)
        length = struct.unpack_from(">H", data, i + 2)[0]
        segment = data[i : i + 2 + length]
        if len(segment) < 2 + length or length < 2:
            raise Refused(REFUSED_DAMAGED)
        i += 2 + length
        if marker == 0xDA:  # start of scan: copy the coded data up to the next marker
            out += segment
            end = _scan_end(data, i)
            out += data[i:end]
            i = end
            continue
        if 0xE0 <= marker <= 0xEF:  # application segments: only the few that draw
            prefixes = JPEG_KEEP_APP.get(marker)
            keep = prefixes is not None and segment[4:].startswith(prefixes)
        else:
            keep = marker != 0xFE  # a comment
        if keep:
            out += segment
    out += b"\xff\xd9"
    return bytes(out)


def _scan_end(data: bytes, start: int) -> int:
    """Where a scan's coded data ends: the first 0xFF that starts a marker (not a stuffed
    0xFF 0x00, a restart marker or a fill byte)."""
    end = start
    while True:
        end = data.find(b"\xff", end)
        if end < 0 or end + 1 >= len(data):
            return len(data)
        following = data[end + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            end += 1
            continue
        return end


def png_without_metadata(data: bytes) -> bytes:
    """The PNG with its text, EXIF, time and private chunks left out, and nothing after
    its end; the picture is not decoded or changed."""
    if not data.startswith(PNG_SIGNATURE):
        raise Refused(REFUSED_DAMAGED)
    out = bytearray(PNG_SIGNATURE)
    i = len(PNG_SIGNATURE)
    while i + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, i)
        chunk = data[i : i + 12 + length]
        if len(chunk) < 12 + length:
            raise Refused(REFUSED_DAMAGED)
        i += 12 + length
        if kind in PNG_KEEP:
            out += chunk
        if kind == b"IEND":
            return bytes(out)
    raise Refused(REFUSED_DAMAGED)


# PDF: rewritten by pypdf, keeping only what the pages need.

# Actions that run something, send something or open something other than a link.
PDF_ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/ImportData",
    "/SubmitForm",
    "/ResetForm",
    "/GoToR",
    "/GoToE",
    "/Rendition",
    "/Movie",
    "/Sound",
    "/RichMediaExecute",
    "/Hide",
    "/SetOCGState",
    "/Trans",
    "/GoTo3DView",
}
SAFE_LINKS = ("http://", "https://", "mailto:")
# Keys dropped wherever they are found: metadata, automatic actions, scripts, attachments,
# application data. (/T on an annotation is its author and becomes "Author".)
PDF_DROPPED_KEYS = {
    "/Metadata",
    "/PieceInfo",
    "/OpenAction",
    "/AA",
    "/JS",
    "/JavaScript",
    "/EmbeddedFiles",
    "/XFA",
    "/SpiderInfo",
    "/Collection",
    "/Perms",
    "/Legal",
}
# Annotations whose /T is the name of the person who wrote them (form fields' /T is the
# field's name and stays).
PDF_MARKUP_WITH_AUTHOR = {
    "/Text",
    "/FreeText",
    "/Line",
    "/Square",
    "/Circle",
    "/Polygon",
    "/PolyLine",
    "/Highlight",
    "/Underline",
    "/Squiggly",
    "/StrikeOut",
    "/Stamp",
    "/Caret",
    "/Ink",
    "/Popup",
    "/FileAttachment",
    "/Sound",
    "/Redact",
}
PDF_ACTIVE_WORDS = {
    "/OpenAction": "automatic actions",
    "/AA": "automatic actions",
    "/JS": "scripts",
    "/JavaScript": "scripts",
    "/EmbeddedFiles": "attached files",
    "/XFA": "scripts",
}


def _pdf_clean(pdf_object, seen: set[int], removed: set[str]) -> None:
    """Walk the PDF's objects from the catalogue, dropping what PDF_DROPPED_KEYS and
    PDF_ACTIVE_ACTIONS name; each indirect object is visited once."""
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
        NullObject,
        TextStringObject,
    )

    stack = [pdf_object]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, ArrayObject):
            for index, value in enumerate(list(item)):
                if _pdf_is_active_action(value):
                    removed.add("scripts and actions")
                    item[index] = NullObject()
                    continue
                stack.append(value)
        elif isinstance(item, DictionaryObject):
            if item.get("/Subtype") == "/FileAttachment":
                removed.add("attached files")
                item[NameObject("/Subtype")] = NameObject("/Square")
                item.pop("/FS", None)
            if "/T" in item and item.get("/Subtype") in PDF_MARKUP_WITH_AUTHOR:
                item[NameObject("/T")] = TextStringObject(NEUTRAL_NAME)
            for key in list(item.keys()):
                if key in PDF_DROPPED_KEYS:
                    if key in PDF_ACTIVE_WORDS and (
                        key != "/OpenAction" or _pdf_is_active_action(item.raw_get(key))
                    ):
                        removed.add(PDF_ACTIVE_WORDS[key])
                    del item[key]
                elif key in ("/A", "/Next") and _pdf_is_active_action(item[key]):
                    removed.add("scripts and actions")
                    del item[key]
                else:
                    stack.append(item.raw_get(key))


def _pdf_is_active_action(value) -> bool:
    from pypdf.generic import DictionaryObject

    try:
        action = value.get_object()
    except Exception:  # noqa: BLE001 (a broken reference is not an action)
        return False
    if not isinstance(action, DictionaryObject):
        return False
    if action.get("/S") == "/URI":  # a link: only to the web or an e-mail address
        return not str(action.get("/URI", "")).lower().startswith(SAFE_LINKS)
    return action.get("/S") in PDF_ACTIVE_ACTIONS


def pdf_blind_copy(data: bytes) -> BlindCopy:
    """The PDF rewritten with only what its pages and links need: no document information
    (Author, Title, Creator, Producer), no XMP, annotation authors made "Author", and no
    scripts, automatic actions, launch actions or attached files. Earlier saved versions
    kept in the file (incremental updates) are left behind too."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import FileNotDecryptedError, PdfReadError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Refused(REFUSED_PASSWORD)
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        removed: set[str] = set()
        _pdf_clean(writer.root_object, set(), removed)
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
    except FileNotDecryptedError as error:
        raise Refused(REFUSED_PASSWORD) from error
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise Refused(REFUSED_DAMAGED) from error
    except RecursionError as error:
        raise Refused(REFUSED_DAMAGED) from error
    return BlindCopy(out.getvalue(), tuple(sorted(removed)))


# CSV: cells a spreadsheet would run as formulas are made text.

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d[\d.,]*(?:[eE][+-]?\d+)?")


def csv_blind_copy(data: bytes) -> BlindCopy:
    text = data.decode("utf-8-sig", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    out = io.StringIO()
    writer = csv.writer(out, delimiter=dialect.delimiter, lineterminator="\r\n")
    formulas = False
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            cells = []
            for cell in row:
                if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell):
                    cell = "'" + cell
                    formulas = True
                cells.append(cell)
            writer.writerow(cells)
    except csv.Error as error:
        raise Refused(REFUSED_DAMAGED) from error
    return BlindCopy(out.getvalue().encode("utf-8"), ("formulas",) if formulas else ())


# Audio and video: their tags (title, artist, comment) say who made them.


def mp3_without_tags(data: bytes) -> bytes:
    """The MP3 without its ID3v2 tag at the start and ID3v1 tag at the end."""
    if data.startswith(b"ID3") and len(data) >= 10:
        size = 0
        for byte in data[6:10]:
            size = (size << 7) | (byte & 0x7F)
        footer = 10 if data[5] & 0x10 else 0
        data = data[10 + size + footer :]
    if len(data) >= 128 and data[-128:-125] == b"TAG":
        data = data[:-128]
    return data


MP4_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf"}
MP4_METADATA = {b"udta", b"meta", b"uuid", b"XMP_"}


def mp4_without_tags(data: bytes) -> bytes:
    """The MP4 (or M4A) with its metadata boxes (udta, meta, XMP uuid) blanked into free
    space of the same size, so the offsets the file keeps to its media stay true."""
    out = bytearray(data)

    def walk(start: int, end: int) -> None:
        i = start
        while i + 8 <= end:
            size, kind = struct.unpack_from(">I4s", out, i)
            header = 8
            if size == 1 and i + 16 <= end:
                size = struct.unpack_from(">Q", out, i + 8)[0]
                header = 16
            elif size == 0:
                size = end - i
            if size < header or i + size > end:
                return
            if kind in MP4_METADATA:
                out[i + 4 : i + 8] = b"free"
                out[i + header : i + size] = bytes(size - header)
            elif kind in MP4_CONTAINERS:
                walk(i + header, i + size)
            i += size

    walk(0, len(out))
    return bytes(out)


# The one entry point.

ZIP_FORMATS = {"docx", "pptx", "xlsx", "odt", "odp", "ods"}
ODF_FORMATS = {"odt", "odp", "ods"}


def blind_copy(data: bytes, fmt: str) -> BlindCopy:
    """The copy reviewers get of a file in format `fmt` (as `uploads.sniff_format` names
    it). Raises Refused when the file cannot be made safe; a file that breaks the readers
    in any other way (a hostile one may) counts as damaged."""
    try:
        return _blind_copy(data, fmt)
    except Refused:
        raise
    except Exception as error:  # zipfile, zlib, pypdf and csv raise many kinds
        raise Refused(REFUSED_DAMAGED) from error


def _blind_copy(data: bytes, fmt: str) -> BlindCopy:
    if fmt in ZIP_FORMATS:
        return BlindCopy(_zip_copy(data, odf=fmt in ODF_FORMATS))
    if fmt == "pdf":
        return pdf_blind_copy(data)
    if fmt == "jpeg":
        return BlindCopy(jpeg_without_metadata(data))
    if fmt == "png":
        return BlindCopy(png_without_metadata(data))
    if fmt == "csv":
        return csv_blind_copy(data)
    if fmt == "mp3":
        return BlindCopy(mp3_without_tags(data))
    if fmt in ("mp4", "m4a"):
        return BlindCopy(mp4_without_tags(data))
    raise Refused(REFUSED_DAMAGED)


# The copy is made by a separate, limited process (as PDFs are drawn, previews.py): a
# hostile file can cost a reader like pypdf time or memory, and here it costs at most the
# limits below, in a process that sees none of the site's settings and can write no file.
#
#     python -I -B blind.py FORMAT  < file  > "ok <what was removed>\n" + copy
#                                           | "refused <reason>\n"

CHILD_SECONDS = 30  # wall time; the processor limit is the same
CHILD_MEMORY = 2 * 1024 * 1024 * 1024  # bytes of address space
CHILD_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C.UTF-8"}
REFUSED_SLOW = (
    "took too long to check, so it cannot be used. Export it again, or as a smaller file, "
    "and upload that."
)
REASONS = {
    "bomb": REFUSED_BOMB,
    "macros": REFUSED_MACROS,
    "damaged": REFUSED_DAMAGED,
    "password": REFUSED_PASSWORD,
}


def blind_copy_isolated(data: bytes, fmt: str) -> BlindCopy:
    """blind_copy, made by a short-lived limited process. Raises Refused."""
    import subprocess
    import sys

    try:
        done = subprocess.run(  # noqa: S603 (this file, fixed arguments)
            [sys.executable, "-I", "-B", __file__, fmt],
            input=data,
            capture_output=True,
            timeout=CHILD_SECONDS,
            env=CHILD_ENV,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise Refused(REFUSED_SLOW) from None
    head, _, body = done.stdout.partition(b"\n")
    verdict, _, detail = head.decode("ascii", "replace").partition(" ")
    if done.returncode == 0 and verdict == "ok":
        return BlindCopy(body, tuple(part for part in detail.split(",") if part))
    if done.returncode == 0 and verdict == "refused" and detail in REASONS:
        raise Refused(REASONS[detail])
    # Stopped by its limits, or crashed: nothing sure about the file but that it is hostile
    # or too much to check.
    raise Refused(REFUSED_SLOW)


def _child(fmt: str) -> int:
    import resource
    import sys

    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CHILD_SECONDS, CHILD_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # stdout is a pipe, not a file
    data = sys.stdin.buffer.read()
    out = sys.stdout.buffer
    try:
        copy = blind_copy(data, fmt)
    except Refused as refused:
        key = next(key for key, reason in REASONS.items() if reason == refused.reason)
        out.write(f"refused {key}\n".encode())
        return 0
    out.write(f"ok {','.join(copy.removed)}\n".encode() + copy.data)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(_child(sys.argv[1]))
