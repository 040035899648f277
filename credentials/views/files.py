"""Private evidence files, served only after a view has checked who may see them."""

from django.http import FileResponse, Http404

from credentials.models import Artifact


def artifact_response(artifact: Artifact, *, blind: bool) -> FileResponse:
    """A private file, as a download (never rendered inline), under the learner's own
    sanitised name or, for reviewers, a name that says nothing about who sent it."""
    if artifact.is_link or not artifact.file:
        raise Http404("No file.")
    try:
        handle = artifact.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=artifact.blind_name if blind else artifact.name,
        content_type=artifact.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
