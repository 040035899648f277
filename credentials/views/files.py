"""Private evidence files, served only after a view has checked who may see them."""

import os
import tempfile
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse

from credentials.models import Artifact
from credentials.previews import PROBLEMS, SECONDS, PdfPreview, PreviewError, pdf_draw
from credentials.services.evidence import artifact_blind_ensure

# Formats shown inside the page (reviewers' previews): photos, which were re-encoded on
# upload. Everything else is only ever a download.
PREVIEW_TYPES = {"image/jpeg", "image/png"}
# PDFs are shown as pictures of their first pages, drawn on the server (previews.py).
PDF_TYPE = "application/pdf"
# A stored file never changes (a change is a new artifact), so what was drawn keeps.
DRAWN_FOR = 24 * 60 * 60
# At most this many PDFs are drawn at once across the site; past that, "being prepared".
RENDER_SLOTS = 2
SLOT_HOLD = SECONDS + 5  # seconds; a slot whose holder died frees itself after this
# A preview is a sandboxed document that may show the image and nothing else.
PREVIEW_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def artifact_previewable(artifact: Artifact) -> bool:
    return not artifact.is_link and artifact.content_type in PREVIEW_TYPES


def artifact_for_reviewers(artifact: Artifact) -> Artifact:
    """The artifact with its reviewers' copy made (files stored before copies were made
    get theirs on first use); `withheld` when none can be."""
    return artifact_blind_ensure(artifact=artifact)


def artifact_response(artifact: Artifact, *, blind: bool, inline: bool = False) -> FileResponse:
    """A private file: the learner's own, as they sent it, under their sanitised name; or,
    for reviewers and leads (`blind`), only the copy without its author and metadata, under
    a name that says nothing about who sent it. A download, or (`inline`, for the formats
    in PREVIEW_TYPES only) a preview in a sandbox."""
    if artifact.is_link or not artifact.file:
        raise Http404("No file.")
    if blind:
        artifact = artifact_for_reviewers(artifact)
    field = artifact.blind_file if blind else artifact.file
    if not field:
        raise Http404("This file is withheld from review.")
    inline = inline and artifact_previewable(artifact)
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=artifact.blind_name if blind else artifact.name,
        content_type=artifact.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if inline:
        response["Content-Security-Policy"] = PREVIEW_CSP
    return response


@contextmanager
def _local_path(artifact: Artifact):
    """The reviewers' copy of the artifact as a path the renderer can open: the stored
    file itself when the storage keeps files on disk, otherwise a private temporary copy
    streamed in chunks (never the whole file in memory), refused past the upload limit."""
    field = artifact.blind_file
    if not field:
        raise FileNotFoundError("no reviewers' copy")
    try:
        path = field.path
    except NotImplementedError:  # a storage without local files (object storage)
        path = None
    if path is not None:
        if not os.path.isfile(path):
            raise FileNotFoundError(path)
        yield path
        return
    cap = settings.LEAP_ARTIFACT_MAX_MB * 1024 * 1024
    with tempfile.NamedTemporaryFile(suffix=".pdf") as temp:
        with field.open("rb") as handle:
            written = 0
            for chunk in handle.chunks():
                written += len(chunk)
                if written > cap:
                    raise PreviewError(PROBLEMS["large"], lasting=True)
                temp.write(chunk)
        temp.flush()
        yield temp.name


# Pages are drawn from the reviewers' copy ("blind"), never from the learner's file.
def _summary_key(artifact: Artifact) -> str:
    return f"leap:pdf-preview:blind:{artifact.pk}"


def _page_key(artifact: Artifact, number: int) -> str:
    return f"leap:pdf-page:blind:{artifact.pk}:{number}"


@contextmanager
def _render_slot(artifact: Artifact):
    """One of RENDER_SLOTS places to draw a PDF, shared by every web process through the
    cache (Redis when configured; otherwise this process's memory), or None when all are
    taken or this artifact is already being drawn. A slot held by a process that died
    frees itself after SLOT_HOLD seconds."""
    token = uuid.uuid4().hex
    busy = f"leap:pdf-drawing:{artifact.pk}"
    if not cache.add(busy, token, SLOT_HOLD):
        yield None
        return
    try:
        for slot in range(RENDER_SLOTS):
            key = f"leap:pdf-render-slot:{slot}"
            if cache.add(key, token, SLOT_HOLD):
                try:
                    yield key
                finally:
                    if cache.get(key) == token:
                        cache.delete(key)
                return
        yield None
    finally:
        if cache.get(busy) == token:
            cache.delete(busy)


def _draw(artifact: Artifact) -> PdfPreview:
    """Draw the pages shown in one process and keep each page and the count; or say why
    not, keeping only what holds for the file (a password, damage)."""
    with _render_slot(artifact) as slot:
        if slot is None:
            return PdfPreview(problem=PROBLEMS["busy"], lasting=False)
        try:
            with _local_path(artifact) as path:
                drawn = pdf_draw(path)
        except FileNotFoundError:
            return PdfPreview(problem=PROBLEMS["missing"], lasting=False)
        except PreviewError as error:
            found = PdfPreview(problem=error.problem, lasting=error.lasting)
            if found.lasting:
                cache.set(_summary_key(artifact), found, DRAWN_FOR)
            return found
        cache.set_many(
            {_page_key(artifact, n): png for n, png in enumerate(drawn.pages, start=1)},
            DRAWN_FOR,
        )
        found = PdfPreview(page_count=drawn.page_count)
        cache.set(_summary_key(artifact), found, DRAWN_FOR)
        return found


def artifact_pdf_preview(artifact: Artifact) -> PdfPreview | None:
    """For a PDF artifact, its page count (and so the pages shown) or why it cannot be
    shown; None for anything else. Drawn once (all pages shown, one process) and kept."""
    if artifact.is_link or artifact.content_type != PDF_TYPE or artifact.withheld:
        return None
    found = cache.get(_summary_key(artifact))
    return found if found is not None else _draw(artifact)


def _not_yet(problem: str) -> HttpResponse:
    response = HttpResponse(problem, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "5"
    response["Cache-Control"] = "private, no-store"
    return response


def artifact_page_response(artifact: Artifact, number: int) -> HttpResponse:
    """Page `number` of a PDF artifact as a PNG, in the same sandbox as photo previews,
    under a name that says nothing about who sent it. Read from the cache the drawing
    filled; drawn again (all pages, once) only if the cache lost it."""
    preview = artifact_pdf_preview(artifact)
    if preview is None:
        raise Http404("No such page.")
    if not preview.lasting:
        return _not_yet(preview.problem)
    if number not in preview.shown:
        raise Http404("No such page.")
    png = cache.get(_page_key(artifact, number))
    if png is None:
        preview = _draw(artifact)
        if not preview.lasting:
            return _not_yet(preview.problem)
        png = cache.get(_page_key(artifact, number))
        if png is None:
            raise Http404("This page cannot be shown.")
    response = HttpResponse(png, content_type="image/png")
    stem = artifact.blind_name.rsplit(".", 1)[0]
    response["Content-Disposition"] = f'inline; filename="{stem}-page-{number}.png"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = PREVIEW_CSP
    return response
