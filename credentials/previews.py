"""Reviewers read a learner's PDF as pictures of its first pages, drawn on the server:
the PDF itself never runs in the reviewer's browser. All the pages shown are drawn in ONE
separate process (`credentials/pdf_render.py`) given the file by path, a minimal
environment (no settings, no secrets) and limits on time, processor, memory and file
writes, so a hostile or broken file costs a few seconds at most and takes nothing else
down. Callers (credentials.views.files) cache what holds for the file and limit how many
drawings run at once."""

import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

RENDERER = Path(__file__).with_name("pdf_render.py")
PREVIEW_PAGES = 5  # the first pages shown; the whole file is a download
PAGE_PIXELS = 1400  # the longest side of a page image
SECONDS = 10  # wall time for drawing all the pages shown
# The child's whole environment: enough to run, nothing of the site's (SECRET_KEY,
# DATABASE_URL...). -I already ignores PYTHON* variables and the user's site-packages.
CHILD_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C.UTF-8"}

ENCRYPTED, BROKEN = 3, 4
PROBLEMS = {
    ENCRYPTED: "This PDF is protected by a password, so it cannot be shown here. "
    "Download it to read it.",
    BROKEN: "This PDF could not be shown here: it seems to be damaged, or uses features "
    "the preview cannot draw. Download it to read it.",
    "slow": "This PDF took too long to draw, so it is not shown here. Download it to read it.",
    "busy": "The preview of this PDF is being prepared. Reload the page in a moment to see "
    "it, or download the PDF to read it now.",
    "missing": "This file could not be found just now, so it is not shown here. Reload the "
    "page in a moment, or tell the review lead if it stays missing.",
    "large": "This PDF is too large to show here. Download it to read it.",
}


@dataclass(frozen=True)
class PdfPreview:
    """How many pages a PDF has and how many are shown, or why none can be. `lasting` says
    the answer holds for the file (pages drawn, a password, damage) and may be kept; a
    slow drawing, a missing file or a busy server may be different next time."""

    page_count: int = 0
    problem: str = ""
    lasting: bool = True

    @property
    def shown(self) -> range:
        return range(1, min(self.page_count, PREVIEW_PAGES) + 1)


@dataclass(frozen=True)
class DrawnPdf:
    page_count: int
    pages: list[bytes]  # PNGs of the pages shown, page 1 first


class PreviewError(Exception):
    def __init__(self, problem: str, *, lasting: bool):
        self.problem = problem
        self.lasting = lasting
        super().__init__(problem)


def _parse(out: bytes) -> DrawnPdf:
    """The renderer's answer: a page count, then length-prefixed PNGs."""
    head, _, rest = out.partition(b"\n")
    count = int(head)
    pages = []
    while rest:
        size, _, rest = rest.partition(b"\n")
        size = int(size)
        if len(rest) < size:
            raise ValueError("short page")
        pages.append(rest[:size])
        rest = rest[size:]
    if len(pages) != min(count, PREVIEW_PAGES):
        raise ValueError("pages missing")
    return DrawnPdf(page_count=count, pages=pages)


def pdf_draw(path: str | os.PathLike) -> DrawnPdf:
    """The page count of the PDF at `path` and its first pages as PNGs, drawn by one
    limited process; raises PreviewError (with whether the problem lasts)."""
    command = [sys.executable, "-I", "-B", str(RENDERER), str(PREVIEW_PAGES), str(PAGE_PIXELS)]
    try:
        done = subprocess.run(  # noqa: S603 (our own script, fixed arguments, our own path)
            [*command, str(path)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=SECONDS,
            env=CHILD_ENV,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PreviewError(PROBLEMS["slow"], lasting=False) from None
    if done.returncode in (ENCRYPTED, BROKEN):
        raise PreviewError(PROBLEMS[done.returncode], lasting=True)
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        # Its processor limit: the kernel stopped it. Not remembered.
        raise PreviewError(PROBLEMS["slow"], lasting=False)
    if done.returncode != 0:
        # A crash, or a failure that says nothing sure about the file: not remembered.
        raise PreviewError(PROBLEMS[BROKEN], lasting=False)
    try:
        return _parse(done.stdout)
    except ValueError:
        raise PreviewError(PROBLEMS[BROKEN], lasting=False) from None


def pdf_draw_bytes(data: bytes) -> DrawnPdf:
    """pdf_draw for a PDF held in memory (tests, tools): written to a private temporary file."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as temp:
        temp.write(data)
        temp.flush()
        return pdf_draw(temp.name)


def pdf_preview(data: bytes) -> PdfPreview:
    """The page count of a PDF held in memory, or the problem that stops it being shown."""
    try:
        return PdfPreview(page_count=pdf_draw_bytes(data).page_count)
    except PreviewError as error:
        return PdfPreview(problem=error.problem, lasting=error.lasting)


def pdf_page_png(data: bytes, number: int) -> bytes:
    """Page `number` (1-based, within the pages shown) of a PDF held in memory as a PNG;
    raises PreviewError."""
    drawn = pdf_draw_bytes(data)
    if not 1 <= number <= len(drawn.pages):
        raise PreviewError("Only the first pages are shown here.", lasting=True)
    return drawn.pages[number - 1]
