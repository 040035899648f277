"""Private evidence files, served only after a view has checked who may see them."""

from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse

from credentials.models import Artifact
from credentials.previews import PdfPreview, PreviewError, pdf_page_png, pdf_preview

# Formats shown inside the page (reviewers' previews): photos, which were re-encoded on
# upload. Everything else is only ever a download.
PREVIEW_TYPES = {"image/jpeg", "image/png"}
# PDFs are shown as pictures of their first pages, drawn on the server (previews.py).
PDF_TYPE = "application/pdf"
# A stored file never changes (a change is a new artifact), so what was drawn keeps.
DRAWN_FOR = 24 * 60 * 60
# A preview is a sandboxed document that may show the image and nothing else.
PREVIEW_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def artifact_previewable(artifact: Artifact) -> bool:
    return not artifact.is_link and artifact.content_type in PREVIEW_TYPES


def artifact_response(artifact: Artifact, *, blind: bool, inline: bool = False) -> FileResponse:
    """A private file under the learner's own sanitised name or, for reviewers, a name that
    says nothing about who sent it: a download, or (`inline`, for the formats in
    PREVIEW_TYPES only) a preview in a sandbox."""
    if artifact.is_link or not artifact.file:
        raise Http404("No file.")
    inline = inline and artifact_previewable(artifact)
    try:
        handle = artifact.file.open("rb")
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


def _read(artifact: Artifact) -> bytes:
    try:
        with artifact.file.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise Http404("The file is missing.") from None


def artifact_pdf_preview(artifact: Artifact) -> PdfPreview | None:
    """For a PDF artifact, its page count (and so the pages shown) or why it cannot be
    shown; None for anything else."""
    if artifact.is_link or artifact.content_type != PDF_TYPE:
        return None
    key = f"leap:pdf-preview:{artifact.pk}"
    found = cache.get(key)
    if found is None:
        try:
            found = pdf_preview(_read(artifact))
        except Http404:
            found = PdfPreview(problem="The file is missing.")
        cache.set(key, found, DRAWN_FOR)
    return found


def artifact_page_response(artifact: Artifact, number: int) -> HttpResponse:
    """Page `number` of a PDF artifact as a PNG, in the same sandbox as photo previews,
    under a name that says nothing about who sent it."""
    preview = artifact_pdf_preview(artifact)
    if preview is None or number not in preview.shown:
        raise Http404("No such page.")
    key = f"leap:pdf-page:{artifact.pk}:{number}"
    png = cache.get(key)
    if png is None:
        try:
            png = pdf_page_png(_read(artifact), number)
        except PreviewError:
            raise Http404("This page cannot be shown.") from None
        cache.set(key, png, DRAWN_FOR)
    response = HttpResponse(png, content_type="image/png")
    stem = artifact.blind_name.rsplit(".", 1)[0]
    response["Content-Disposition"] = f'inline; filename="{stem}-page-{number}.png"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = PREVIEW_CSP
    return response
