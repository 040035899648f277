"""Real evidence files, built by the tests: a PDF (pypdf), a Word document (python-docx), an
OpenDocument text, photos (Pillow). The `signed` ones carry a person's name where office
programs, PDF writers and cameras put it: the author and last editor, the title, comments
and tracked changes, the company, XMP, EXIF, JPEG comments, PNG text chunks."""

import io
import struct
import zipfile
import zlib

import docx
from docx.oxml.ns import qn
from lxml import etree
from PIL import Image, PngImagePlugin
from pypdf import PdfWriter
from pypdf.annotations import Text
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    TextStringObject,
)


def pdf_file(pages: int = 1) -> bytes:
    """A plain PDF of blank pages."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(300, 400)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _javascript(writer: PdfWriter, code: str):
    return writer._add_object(
        DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject(code),
            }
        )
    )


def signed_pdf(name: str, *, scripts: bool = False) -> bytes:
    """A PDF whose information, XMP packet and sticky note name `name`; with `scripts`, it
    also runs JavaScript when opened (an OpenAction and the document-level name tree) and
    on a page's automatic action."""
    writer = PdfWriter()
    writer.add_blank_page(300, 400)
    writer.add_metadata(
        {
            "/Author": name,
            "/Title": f"Lesson plan by {name}",
            "/Creator": f"Word for {name}",
            "/Producer": f"{name}'s laptop",
        }
    )
    writer.xmp_metadata = (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{name}</dc:creator>'
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()
    note = Text(rect=(10, 10, 40, 40), text="Check the second exit ticket")
    note[NameObject("/T")] = TextStringObject(name)
    writer.add_annotation(0, note)
    if scripts:
        writer._root_object[NameObject("/OpenAction")] = _javascript(writer, "app.alert(1)")
        writer._root_object[NameObject("/Names")] = DictionaryObject(
            {
                NameObject("/JavaScript"): DictionaryObject(
                    {
                        NameObject("/Names"): ArrayObject(
                            [TextStringObject("hello"), _javascript(writer, "app.alert(2)")]
                        )
                    }
                )
            }
        )
        writer.pages[0][NameObject("/AA")] = DictionaryObject(
            {NameObject("/O"): _javascript(writer, "app.alert(3)")}
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def signed_docx(name: str, *, initials: str = "ZQ") -> bytes:
    """A Word document written by `name`: author and last editor, a title naming them, a
    comment and a tracked insertion of theirs, and their school as the company."""
    document = docx.Document()
    document.core_properties.author = name
    document.core_properties.last_modified_by = name
    document.core_properties.title = f"Exit tickets, by {name}"
    paragraph = document.add_paragraph("We used exit tickets every day.")
    document.add_comment(paragraph.runs, text="Add the numbers", author=name, initials=initials)
    inserted = etree.SubElement(paragraph._p, qn("w:ins"), {qn("w:id"): "90", qn("w:author"): name})
    run = etree.SubElement(inserted, qn("w:r"))
    etree.SubElement(run, qn("w:t")).text = " Scores rose."
    out = io.BytesIO()
    document.save(out)
    return _replace_parts(
        out.getvalue(),
        {
            "docProps/app.xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns='
                '"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
                f"<Company>{name}'s school</Company><Manager>{name}</Manager></Properties>"
            ).encode()
        },
    )


def macro_docx() -> bytes:
    """A Word document with a Visual Basic project inside (what a .docm holds)."""
    out = io.BytesIO()
    docx.Document().save(out)
    return _replace_parts(out.getvalue(), {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})


def _replace_parts(data: bytes, parts: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            if entry.filename not in parts:
                archive.writestr(entry, source.read(entry))
        for part, content in parts.items():
            archive.writestr(part, content)
    return out.getvalue()


def signed_odt(name: str) -> bytes:
    """An OpenDocument text whose meta.xml and a comment name `name`."""
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    namespaces = (
        f'xmlns:office="{office}" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.text"/></manifest:manifest>',
        )
        archive.writestr(
            "meta.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {namespaces} '
            f'office:version="1.2"><office:meta><meta:initial-creator>{name}'
            f"</meta:initial-creator><dc:creator>{name}</dc:creator></office:meta>"
            "</office:document-meta>",
        )
        archive.writestr(
            "content.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {namespaces} '
            'office:version="1.2"><office:body><office:text><text:p>Exit tickets.'
            f"<office:annotation><dc:creator>{name}</dc:creator><text:p>Numbers?</text:p>"
            "</office:annotation></text:p></office:text></office:body>"
            "</office:document-content>",
        )
    return out.getvalue()


def signed_jpeg(name: str) -> bytes:
    """A photo whose EXIF (artist, owner, description, location), XMP and JPEG comment
    name `name`."""
    exif = Image.Exif()
    exif[0x013B] = name  # Artist
    exif[0xA430] = name  # CameraOwnerName
    exif[0x010E] = f"Photo of {name}'s classroom"  # ImageDescription
    exif[0x8825] = {1: "N", 2: (40.0, 26.0, 46.0)}  # GPS
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        '22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator>{name}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(
        out, "JPEG", exif=exif, xmp=xmp, comment=f"Taken by {name}".encode()
    )
    return out.getvalue()


def signed_png(name: str) -> bytes:
    """A picture whose tEXt, zTXt and iTXt chunks name `name`."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", name)
    info.add_text("Comment", f"Made by {name}", zip=True)
    info.add_itxt("Description", f"{name}'s chart")
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(out, "PNG", pnginfo=info)
    return out.getvalue()


def unpacked(data: bytes) -> bytes:
    """Every byte a reviewer could read: the file itself and, for a zip, each member
    unpacked (and the members of zips inside it)."""
    found = [data]
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for entry in archive.infolist():
                found.append(unpacked(archive.read(entry)))
    return b"\n".join(found)


def _deflated_zeros(size: int, chunk: int = 64 * 1024 * 1024) -> tuple[bytes, int]:
    """A raw deflate stream of `size` zero bytes and their CRC-32, made without holding
    them: one chunk is packed with a full flush (which makes its blocks independent of
    what came before) and the same blocks repeated."""
    zeros = bytes(min(chunk, size))
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // len(zeros)):
        crc = zlib.crc32(zeros, crc)
    return block * (size // len(zeros)) + packer.flush(), crc


def zip_bomb_docx(unpacked: int = 2 * 1024**3) -> bytes:
    """A real zip bomb dressed as a Word document: word/document.xml unpacks to `unpacked`
    bytes (2 GiB by default) from about a thousandth of that. Written entry by entry, since
    Python's zipfile would have to pack the 2 GiB itself."""
    entries = [
        ("[Content_Types].xml", 0, b"<Types/>", zlib.crc32(b"<Types/>"), 8),
    ]
    stream, crc = _deflated_zeros(unpacked)
    entries.append(("word/document.xml", 8, stream, crc, unpacked))
    out, directory = bytearray(), bytearray()
    for name, method, packed, checksum, size in entries:
        size = len(packed) if method == 0 else size
        offset = len(out)
        encoded = name.encode()
        fields = (20, 0, method, 0, 0x21, checksum, len(packed), size, len(encoded), 0)
        out += b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", *fields) + encoded + packed
        directory += (
            b"PK\x01\x02"
            + struct.pack("<HHHHHHIIIHHHHHII", 20, *fields, 0, 0, 0, 0, offset)
            + encoded
        )
    end = struct.pack("<HHHHIIH", 0, 0, len(entries), len(entries), len(directory), len(out), 0)
    return bytes(out + directory + b"PK\x05\x06" + end)
