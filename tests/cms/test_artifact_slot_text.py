"""An artifact slot on the micro-credential page lists the kinds of file it takes in words,
with no stray separator after the last one (whichever kinds are chosen)."""

from cms.blocks import ArtifactSlotBlock


def render(**value) -> str:
    block = ArtifactSlotBlock()
    defaults = {"title": "Lesson plan", "guidance": "Show it.", "required": True, "max_files": 1}
    return " ".join(block.render(block.to_python({**defaults, **value})).split())


def test_the_file_kinds_are_listed_without_a_stray_separator():
    html = render(file_types=["pdf", "document"], allow_link=False)
    assert "Files: PDF; Word-processor document (DOCX, ODT) · Up to 1 item" in html
    assert ", ·" not in html and "; ·" not in html


def test_one_kind_and_a_link():
    html = render(file_types=["image"], allow_link=True, max_files=3)
    assert "Files: Image (JPEG, PNG) · A link is accepted · Up to 3 items" in html
