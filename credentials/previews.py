"""Reviewers read a learner's PDF as pictures of its first pages, drawn on the server:
the PDF itself never runs in the reviewer's browser. Each page is drawn by a separate
process (`credentials/pdf_render.py`) with a time and memory limit, so a hostile or
broken file costs a few seconds at most and takes nothing else down."""

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

RENDERER = Path(__file__).with_name("pdf_render.py")
PREVIEW_PAGES = 5  # the first pages shown; the whole file is a download
PAGE_PIXELS = 1400  # the longest side of a page image
SECONDS = 10  # per page, or to count the pages

ENCRYPTED, BROKEN = 3, 4
PROBLEMS = {
    ENCRYPTED: "This PDF is protected by a password, so it cannot be shown here. "
    "Download it to read it.",
    BROKEN: "This PDF could not be shown here: it seems to be damaged, or uses features "
    "the preview cannot draw. Download it to read it.",
    "slow": "This PDF took too long to draw, so it is not shown here. Download it to read it.",
}


@dataclass(frozen=True)
class PdfPreview:
    """How many pages a PDF has and how many are shown, or why none can be."""

    page_count: int = 0
    problem: str = ""

    @property
    def shown(self) -> range:
        return range(1, min(self.page_count, PREVIEW_PAGES) + 1)


class PreviewError(Exception):
    def __init__(self, problem: str):
        self.problem = problem
        super().__init__(problem)


def _run(data: bytes, *args: str) -> bytes:
    try:
        done = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
            [sys.executable, "-I", str(RENDERER), *args],
            input=data,
            capture_output=True,
            timeout=SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PreviewError(PROBLEMS["slow"]) from None
    if done.returncode != 0:
        raise PreviewError(PROBLEMS.get(done.returncode, PROBLEMS[BROKEN]))
    return done.stdout


def pdf_preview(data: bytes) -> PdfPreview:
    """The page count of a PDF, or the problem that stops it being shown."""
    try:
        return PdfPreview(page_count=int(_run(data, "count")))
    except PreviewError as error:
        return PdfPreview(problem=error.problem)
    except ValueError:
        return PdfPreview(problem=PROBLEMS[BROKEN])


def pdf_page_png(data: bytes, number: int) -> bytes:
    """Page `number` (1-based, within the pages shown) as a PNG; raises PreviewError."""
    if not 1 <= number <= PREVIEW_PAGES:
        raise PreviewError("Only the first pages are shown here.")
    return _run(data, "page", str(number), str(PAGE_PIXELS))
