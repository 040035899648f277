"""The reviewers' copy of each kind of file, made by credentials/blind.py from bytes: what
goes (names, metadata, active content), what stays (the work), and what is refused."""

import io
import struct
import time
import zipfile

import pytest
from PIL import Image

from accounts.errors import LeapError
from credentials.blind import (
    ZIP_MAX_ENTRIES,
    Refused,
    blind_copy,
    jpeg_without_metadata,
    mp3_without_tags,
    mp4_without_tags,
    png_without_metadata,
    zip_open,
)
from credentials.uploads import check_upload, sniff_format
from tests.evidence_files import (
    signed_docx,
    signed_jpeg,
    signed_odt,
    signed_png,
    unpacked,
    zip_bomb_docx,
)

NAME = "Zelda Quist"
MB = 1024 * 1024


def office(parts: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def test_powerpoint_and_excel_comment_authors_become_author():
    pptx = office(
        {
            "[Content_Types].xml": TYPES,
            "ppt/presentation.xml": "<p:presentation xmlns:p='urn:p'/>",
            "ppt/commentAuthors.xml": (
                '<p:cmAuthorLst xmlns:p="urn:p"><p:cmAuthor id="1" name="Zelda Quist" '
                'initials="ZQ" lastIdx="1" clrIdx="0"/></p:cmAuthorLst>'
            ),
            "ppt/authors.xml": (
                '<p188:authorLst xmlns:p188="urn:p188"><p188:author id="{1}" name="Zelda Quist" '
                'initials="ZQ" userId="zelda@school.example" providerId="AD"/></p188:authorLst>'
            ),
        }
    )
    xlsx = office(
        {
            "[Content_Types].xml": TYPES,
            "xl/workbook.xml": (
                '<workbook xmlns="urn:x" xmlns:x15ac="urn:x15ac"><fileSharing userName="Zelda '
                'Quist"/><x15ac:absPath url="C:\\Users\\zquist\\Documents\\"/></workbook>'
            ),
            "xl/comments1.xml": (
                '<comments xmlns="urn:x"><authors><author>Zelda Quist</author></authors>'
                '<commentList><comment ref="A1" authorId="0"><text><r><t>Zelda Quist:</t></r>'
                "<r><t>check this</t></r></text></comment></commentList></comments>"
            ),
            "xl/persons/person.xml": (
                '<personList xmlns="urn:x18"><person displayName="Zelda Quist" id="{1}" '
                'userId="zelda@school.example" providerId="AD"/></personList>'
            ),
            "xl/revisions/userNames.xml": (
                '<users xmlns="urn:x"><userInfo guid="{2}" name="Zelda Quist" id="1"/></users>'
            ),
            "xl/externalLinks/_rels/externalLink1.xml.rels": (
                '<Relationships xmlns="urn:r"><Relationship Id="rId1" Type="urn:t" '
                'Target="file:///C:\\Users\\zquist\\budget.xlsx" TargetMode="External"/>'
                '<Relationship Id="rId2" Type="urn:t" Target="https://example.org/a" '
                'TargetMode="External"/></Relationships>'
            ),
        }
    )
    for data, fmt in ((pptx, "pptx"), (xlsx, "xlsx")):
        copy = unpacked(blind_copy(data, fmt).data)
        for secret in (b"Zelda", b"Quist", b"ZQ", b"zelda@", b"zquist"):
            assert secret not in copy, (fmt, secret)
        assert b'name="Author"' in copy or b"<author>Author</author>" in copy
    copy = unpacked(blind_copy(xlsx, "xlsx").data)
    assert b"<t>Author:</t>" in copy and b"check this" in copy
    assert b"https://example.org/a" in copy  # links to the web stay


def test_opendocument_metadata_and_comment_writers_go():
    copy = blind_copy(signed_odt(NAME), "odt").data
    assert b"Zelda" not in unpacked(copy)
    with zipfile.ZipFile(io.BytesIO(copy)) as archive:
        # The mimetype is still first and stored, as OpenDocument requires.
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert b"<dc:creator>Author</dc:creator>" in archive.read("content.xml")
        assert b"Exit tickets." in archive.read("content.xml")
    assert sniff_format(copy) == "odt"


def test_opendocument_macros_are_refused_and_event_scripts_go():
    with_basic = office(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": "<x/>",
            "Basic/Standard/Module1.xml": "<script/>",
        }
    )
    with pytest.raises(Refused, match="contains macros"):
        blind_copy(with_basic, "odt")
    with_events = office(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": (
                '<office:document-content xmlns:office="urn:o" xmlns:script="urn:s">'
                "<office:event-listeners><script:event-listener script:event-name="
                '"dom:load" xlink:href="vnd.sun.star.script:Standard.Module1.Main" '
                'xmlns:xlink="urn:l"/></office:event-listeners><office:body/>'
                "</office:document-content>"
            ),
        }
    )
    copy = unpacked(blind_copy(with_events, "odt").data)
    assert b"event-listener" not in copy and b"office:body" in copy


def test_pictures_inside_a_document_lose_their_metadata_too():
    data = office(
        {
            "[Content_Types].xml": TYPES,
            "word/document.xml": "<w:document xmlns:w='urn:w'/>",
            "word/media/image1.jpeg": signed_jpeg(NAME),
            "word/media/image2.png": signed_png(NAME),
            "word/embeddings/Workbook.xlsx": office(
                {"docProps/core.xml": f"<c><creator>{NAME}</creator></c>"}
            ),
        }
    )
    assert NAME.encode() in unpacked(data)
    assert b"Zelda" not in unpacked(blind_copy(data, "docx").data)


def test_a_photo_keeps_its_picture_and_loses_every_metadata_segment():
    signed = signed_jpeg(NAME) + b"PK\x03\x04 a zip hidden after the picture, Zelda"
    copy = jpeg_without_metadata(signed)
    assert b"Zelda" not in copy and b"Exif" not in copy and b"PK\x03\x04" not in copy
    with Image.open(io.BytesIO(copy)) as clean, Image.open(io.BytesIO(signed)) as original:
        assert clean.tobytes() == original.tobytes()  # not one pixel changed
        assert "comment" not in clean.info and not clean.getexif()


def test_the_upload_itself_drops_a_jpeg_comment_it_used_to_keep():
    checked = check_upload(
        name="IMG.jpg", data=signed_jpeg(NAME), accepted_kinds=["image"], max_bytes=MB
    )
    assert b"Zelda" not in checked.data and b"Zelda" not in checked.blind


def test_a_png_keeps_its_picture_and_loses_its_text():
    copy = png_without_metadata(signed_png(NAME))
    assert b"Zelda" not in copy
    with Image.open(io.BytesIO(copy)) as image:
        assert image.size == (40, 30) and not image.text


def test_audio_and_video_tags_go_and_the_media_stays():
    artist = b"TPE1" + struct.pack(">I", 12) + b"\0\0" + b"\0Zelda Quist"  # an ID3v2.3 frame
    frames = b"\xff\xfb\x90\x00" + b"\x11" * 100
    mp3 = b"ID3\x03\x00\x00" + bytes([0, 0, 0, len(artist)]) + artist + frames
    mp3 += b"TAG" + b"Zelda".ljust(125, b"\0")  # ID3v1, at the end
    assert mp3_without_tags(mp3) == frames

    def box(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", 8 + len(body)) + kind + body

    media = b"\x00\x01\x02 frames"
    user_data = box(b"udta", box(b"\xa9ART", b"Zelda Quist"))
    mp4 = box(b"ftyp", b"mp42") + box(b"moov", box(b"mvhd", b"\0" * 8) + user_data)
    mp4 += box(b"mdat", media)
    copy = mp4_without_tags(mp4)
    assert len(copy) == len(mp4) and b"Zelda" not in copy and media in copy
    assert sniff_format(copy) == "mp4"


def test_zip_bombs_are_refused_from_their_directory_at_once():
    bomb = zip_bomb_docx()  # 2 GiB once unpacked, 2 MB as sent
    started = time.monotonic()
    with pytest.raises(Refused, match="unpacks to far more than its size"):
        zip_open(bomb)
    assert time.monotonic() - started < 1
    many = office({f"word/{n}.xml": "" for n in range(ZIP_MAX_ENTRIES + 1)})
    with pytest.raises(Refused, match="unpacks to far more"):
        zip_open(many)
    # A file that only says it is a zip.
    with pytest.raises(Refused, match="seems to be damaged"):
        zip_open(b"PK\x03\x04 and nothing else")


@pytest.mark.parametrize(
    "text",
    [
        b"<!DOCTYPE html><p>hi</p>",
        b"\xef\xbb\xbf  <svg onload=alert(1)>",
        b"name,link\nAna,javascript:alert(1)\n",
        b"name\nAna\n<script>alert(1)</script>\n",
        b"#!/bin/sh\nrm -rf ~\n",
    ],
)
def test_web_pages_and_scripts_are_not_csv(text):
    assert sniff_format(text) == "html"


@pytest.mark.parametrize(
    "text", [b"name,score\nAna,3\n", b"feeling,count\n<3,4\nx < y,2\n", "café;2\n".encode()]
)
def test_ordinary_csv_stays_csv(text):
    assert sniff_format(text) == "csv"


def test_the_copy_is_made_by_a_limited_process_and_a_slow_file_is_refused(monkeypatch):
    from credentials import blind

    made = blind.blind_copy_isolated(signed_docx(NAME), "docx")
    assert b"Zelda" not in unpacked(made.data)
    monkeypatch.setattr(blind, "CHILD_SECONDS", 0.01)
    with pytest.raises(LeapError, match="“plan.docx” took too long to check"):
        check_upload(
            name="plan.docx", data=signed_docx(NAME), accepted_kinds=["document"], max_bytes=MB
        )
