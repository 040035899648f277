"""Pure helpers behind evidence and review: file checks, agreement, business days."""

import io
import zipfile
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from credentials.agreement import agreement
from credentials.deadlines import add_business_days, review_due_at
from credentials.uploads import LeapError, check_upload, safe_name, sniff_format, word_count

MB = 1024 * 1024


def photo_with_location(fmt="JPEG") -> bytes:
    image = Image.new("RGB", (40, 30), "teal")
    exif = Image.Exif()
    exif[0x0110] = "Phone X"  # camera model
    exif[0x8825] = {1: "N", 2: (40.0, 26.0, 46.0)}  # GPS
    exif[0x0112] = 6  # rotated: shown 90° clockwise
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


def office(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


DOCX = office({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
PPTX = office({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"})
ODT = office({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 8, "png"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 8, "jpeg"),
        (DOCX, "docx"),
        (PPTX, "pptx"),
        (ODT, "odt"),
        (office({"a.txt": b"hi"}), None),  # a plain zip is none of them
        (b"\0\0\0\x18ftypmp42" + b"\0" * 8, "mp4"),
        (b"\0\0\0\x18ftypM4A " + b"\0" * 8, "m4a"),
        (b"ID3\x03\0" + b"\0" * 8, "mp3"),
        (b"name,score\nAna,3\n", "csv"),
        (b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff", None),  # a Windows program
    ],
)
def test_formats_are_recognised_from_content(data, expected):
    assert sniff_format(data) == expected


def test_a_photo_loses_its_location_and_keeps_its_orientation():
    checked = check_upload(
        name="../../IMG 0042.JPG",
        data=photo_with_location(),
        accepted_kinds=["image"],
        max_bytes=MB,
    )
    assert checked.name == "IMG_0042.jpg"
    with Image.open(io.BytesIO(checked.data)) as image:
        assert not image.getexif()
        assert image.size == (30, 40)  # the rotation was applied before EXIF went
    assert b"Phone X" not in checked.data


def test_png_metadata_goes_too():
    checked = check_upload(
        name="chart.png", data=photo_with_location("PNG"), accepted_kinds=["image"], max_bytes=MB
    )
    assert b"Phone X" not in checked.data and checked.content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "data", "kinds", "message"),
    [
        ("plan.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 8, ["pdf", "image"], "named like a PDF"),
        ("plan.pdf", DOCX, ["pdf"], "it is a Word document. Accepted: PDF."),
        ("tool.exe", b"MZ\x90\0\x03\0\0\0", ["pdf"], "not a format we accept"),
        ("notes.docx", b"", ["document"], "is empty"),
        ("big.pdf", b"%PDF-" + b"0" * (2 * MB), ["pdf"], "at most 1 MB"),
    ],
)
def test_bad_files_are_refused_with_a_sentence(name, data, kinds, message):
    with pytest.raises(LeapError, match=message):
        check_upload(name=name, data=data, accepted_kinds=kinds, max_bytes=MB)


def test_safe_names():
    assert safe_name("C:\\Users\\ana\\Lesson plan (final).docx", "docx") == "Lesson_plan_final.docx"
    assert safe_name(".htaccess", "csv") == "file.csv"
    assert len(safe_name("x" * 300 + ".pdf", "pdf")) <= 100


def test_word_count():
    assert word_count("  One two\nthree\tfour  ") == 4
    assert word_count("") == 0


@pytest.mark.parametrize(
    ("pairs", "percent", "kappa"),
    [
        ([("meets", "meets"), ("not_yet", "not_yet")] * 5, 100.0, 1.0),
        # 8 of 10 agree; both said "meets" 5 times out of 10: chance 50%, kappa 0.6.
        (
            [("meets", "meets")] * 4
            + [("not_yet", "not_yet")] * 4
            + [("meets", "not_yet"), ("not_yet", "meets")],
            80.0,
            0.6,
        ),
        ([("meets", "meets")] * 3, 100.0, None),  # one label only: kappa undefined
        ([], None, None),
    ],
)
def test_agreement(pairs, percent, kappa):
    result = agreement(pairs)
    assert (result.percent, result.kappa) == (percent, kappa)


def test_calibration_bar():
    assert agreement([("meets", "meets")] * 4 + [("meets", "not_yet")]).meets(0.8) is False
    good = [("meets", "meets")] * 8 + [("not_yet", "not_yet")] * 8 + [("meets", "not_yet")]
    assert agreement(good).meets(0.8)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2026-11-23 10:00", 5, "2026-11-30 10:00"),  # Monday → next Monday
        ("2026-11-27 16:00", 1, "2026-11-30 16:00"),  # Friday → Monday
        ("2026-11-28 09:00", 5, "2026-12-07 09:00"),  # Saturday: as if it came on Monday
        ("2026-11-25 12:00", 0, "2026-11-25 12:00"),
    ],
)
def test_business_days(start, days, due):
    parse = lambda text: datetime.strptime(text, "%Y-%m-%d %H:%M")  # noqa: E731
    assert add_business_days(parse(start), days) == parse(due)
    in_utc = lambda text: parse(text).replace(tzinfo=UTC)  # noqa: E731
    assert add_business_days(in_utc(start), days, tz=ZoneInfo("UTC")) == in_utc(due)


LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def in_california(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=LOS_ANGELES)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2026-11-27 18:00", 1, "2026-11-30 18:00"),  # Friday evening → Monday evening
        ("2026-11-27 18:00", 5, "2026-12-04 18:00"),  # → next Friday (UTC said Sunday)
        ("2026-11-26 18:00", 1, "2026-11-27 18:00"),  # Thursday → Friday (UTC said Sunday)
        ("2026-11-28 09:00", 1, "2026-12-01 09:00"),  # Saturday: as if it came on Monday
    ],
)
def test_business_days_are_those_of_the_districts_calendar(start, days, due):
    # Evenings in California are already the next day in UTC.
    result = add_business_days(in_california(start).astimezone(UTC), days, tz=LOS_ANGELES)
    assert result == in_california(due)
    assert result.tzinfo == LOS_ANGELES


@pytest.mark.parametrize(
    ("friday", "monday_in_utc"),
    [
        # Clocks go back on Sunday 1 November 2026: 18:00 PDT, then 18:00 PST.
        (datetime(2026, 10, 30, 18, 0), datetime(2026, 11, 3, 2, 0, tzinfo=UTC)),
        # Clocks go forward on Sunday 8 March 2026: 18:00 PST, then 18:00 PDT.
        (datetime(2026, 3, 6, 18, 0), datetime(2026, 3, 10, 1, 0, tzinfo=UTC)),
    ],
)
def test_a_change_of_clock_over_the_weekend_keeps_the_local_time(friday, monday_in_utc):
    start = friday.replace(tzinfo=LOS_ANGELES).astimezone(UTC)
    due = add_business_days(start, 1, tz=LOS_ANGELES)
    assert (due.weekday(), due.hour, due.minute) == (0, 18, 0)
    assert due == monday_in_utc


def test_a_time_the_clocks_skip_becomes_the_moment_after():
    # Egypt's clocks go from 00:00 to 01:00 on Friday 24 April 2026.
    cairo = ZoneInfo("Africa/Cairo")
    due = add_business_days(datetime(2026, 4, 23, 0, 30, tzinfo=cairo), 1, tz=cairo)
    assert due.replace(tzinfo=None) == datetime(2026, 4, 24, 1, 30)
    assert due.utcoffset().total_seconds() == 3 * 3600


def test_a_zip_bomb_posing_as_opendocument_is_not_unpacked():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text" + b" " * 10_000_000)
    assert sniff_format(out.getvalue()) is None


def test_heic_photos_and_quicktime_are_not_taken_for_mp4():
    assert sniff_format(b"\0\0\0\x18ftypheic" + b"\0" * 8) is None
    assert sniff_format(b"\0\0\0\x14ftypqt  " + b"\0" * 8) is None


def test_an_image_too_large_to_decode_safely_is_refused():
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")
    with pytest.raises(LeapError, match="9000 × 9000 pixels"):
        check_upload(name="huge.png", data=out.getvalue(), accepted_kinds=["image"], max_bytes=MB)


def test_a_review_is_due_from_when_it_was_sent_or_from_now_if_later():
    """One rule for assignment and for the dashboard's estimate: the estimate counts from
    the later of sending and now, so it is never a day already past."""
    sent = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday
    assert review_due_at(sent, days=5, tz=LOS_ANGELES) == add_business_days(sent, 5, tz=LOS_ANGELES)
    # Estimated the same day: counted from sending.
    same_day = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    assert review_due_at(sent, days=5, tz=UTC, now=same_day) == datetime(
        2026, 12, 7, 10, 0, tzinfo=UTC
    )
    # Estimated nine days later, still unassigned: counted from now, not from sending.
    later = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
    due = review_due_at(sent, days=5, tz=UTC, now=later)
    assert due == datetime(2026, 12, 16, 9, 0, tzinfo=UTC) and due > later
    # A clock slightly behind the sending moment changes nothing.
    assert review_due_at(sent, days=5, tz=UTC, now=sent.replace(hour=8)) == datetime(
        2026, 12, 7, 9, 0, tzinfo=UTC
    )
