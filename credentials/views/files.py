"""Private evidence files, served only after a view has checked who may see them."""

from django.http import FileResponse, Http404

from credentials.models import Artifact

# Formats shown inside the page (reviewers' previews): photos, which were re-encoded on
# upload. Everything else is only ever a download.
PREVIEW_TYPES = {"image/jpeg", "image/png"}
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
