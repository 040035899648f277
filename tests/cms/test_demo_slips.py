"""Content slips the demo showed (issue 11): "Watch: Watch:", "Earn: Earn the", a stray
comma in file-type lists, videos at example.org, a "Leap's breakdown" tag that looked like
an error, and a category heading repeated by the area under it."""

import re
from pathlib import Path

import pytest
from wagtail.blocks import StreamValue

from cms.blocks import ArtifactSlotBlock, PathwayStepsBlock, file_type_labels
from cms.models import PathwayPage
from credentials.requirements import Requirement
from tests.cms.test_seed_demo import seed

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _step_heading(kind: str, title: str) -> str:
    block = PathwayStepsBlock()
    value = StreamValue(block, [(kind, {"title": title, "estimated_minutes": 10})])
    html = value[0].render()
    return _text(re.search(r'<h3 class="step__title">(.*?)</h3>', html, re.S).group(1))


@pytest.mark.parametrize(
    ("kind", "title", "heading"),
    [
        ("watch", "The first morning of a launch", "Watch: The first morning of a launch"),
        ("watch", "Watch: the first morning", "Watch: the first morning"),
        ("micro_credential", "Earn the Data badge", "Earn the Data badge"),
        ("read", "Read “The Quiet Rollout”", "Read “The Quiet Rollout”"),
        ("read", "Reading list", "Read: Reading list"),
        ("discuss", "Why are we doing this?", "Discuss: Why are we doing this?"),
    ],
)
def test_a_step_heading_names_its_kind_once(kind, title, heading):
    assert _step_heading(kind, title) == heading


@pytest.mark.parametrize(
    ("kinds", "listed"),
    [
        (["pdf", "presentation"], "Files: PDF; Slides (PPTX, ODP) ·"),
        (["spreadsheet", "pdf"], "Files: PDF; Spreadsheet (XLSX, ODS, CSV) ·"),
        (["audio"], "Files: Audio (MP3, M4A) ·"),
    ],
)
def test_a_file_type_list_has_separators_only_between_kinds(kinds, listed):
    block = ArtifactSlotBlock()
    value = block.to_python(
        {
            "title": "Lesson plan",
            "guidance": "Show it.",
            "file_types": kinds,
            "allow_link": False,
            "required": True,
            "max_files": 1,
        }
    )
    text = _text(block.render(value))
    assert listed in text
    assert ", ·" not in text and "; ·" not in text and not re.search(r",\s*$", text.split("·")[0])


def test_the_page_and_the_submission_form_list_file_kinds_in_one_order():
    """The page (ArtifactSlotBlock) and the submission form (Requirement) use one helper:
    the same labels in ARTIFACT_FILE_TYPES's order, whatever order the editor ticked."""
    kinds = ("audio", "spreadsheet", "pdf")
    expected = ["PDF", "Spreadsheet (XLSX, ODS, CSV)", "Audio (MP3, M4A)"]
    block = ArtifactSlotBlock()
    value = block.to_python({"title": "T", "guidance": "G", "file_types": list(kinds)})
    assert block.get_context(value)["file_type_labels"] == expected
    slot = Requirement(id="a", kind="artifact", label="T", required=True, file_types=kinds)
    assert slot.file_type_labels == expected
    # A kind since removed from the list still shows (by its code), after the others.
    assert file_type_labels(["retired", "pdf", "pdf"]) == ["PDF", "retired"]


def test_the_demo_pathways_read_cleanly_and_link_no_missing_video(client, settings):
    settings.DEBUG = True
    seed()
    pathways = list(PathwayPage.objects.live())
    assert pathways
    watch_steps = []
    for pathway in pathways:
        html = client.get(pathway.url).content.decode()
        headings = [_text(h) for h in re.findall(r'<h3 class="step__title">(.*?)</h3>', html, re.S)]
        assert headings
        for heading in headings:
            kind, _, rest = heading.partition(": ")
            assert not rest.lower().startswith(kind.lower()), heading
        assert "Watch: Watch:" not in html and "Earn: Earn" not in html
        assert "Read: Read" not in html
        watch_steps += [step for step in pathway.steps if step.block_type == "watch"]
    assert watch_steps  # the demo still shows what a Watch step is
    placeholder = f"{settings.SITE_URL.rstrip('/')}/static/demo/video-placeholder.html"
    for step in watch_steps:
        assert step.value["url"] == placeholder
        assert "example.org" not in step.value["transcript_url"]
    page = (ROOT / "static" / "demo" / "video-placeholder.html").read_text()
    assert "There is no video here: this is a demo" in page and 'id="transcript"' in page


def test_leaps_breakdown_reads_as_information_and_headings_do_not_repeat(client, settings):
    settings.DEBUG = True
    seed()
    html = client.get("/frameworks/DL/").content.decode()
    tags = re.findall(r'<span class="tag[^"]*">.*?Leap\'s breakdown</span>', html)
    assert tags and all("tag--info" in tag and "ⓘ" in tag for tag in tags)
    headings = [_text(h) for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html, re.S)]
    assert "Leadership and Vision" in headings
    assert "Area DL-1: Leadership and Vision" in headings
    for first, second in zip(headings, headings[1:], strict=False):
        assert first != second, first
