"""The check of an uploaded issuer image. (Badge art is drawn in `art.py`.)"""

from django.core.exceptions import ValidationError

from cms.validators import badge_image_kind

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def image_upload_check(upload) -> str:
    """The kind ("png" or "svg") of an uploaded issuer image, which follows the rule for badge
    images (`cms.validators.badge_image_kind`). Raises ValidationError saying why not."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(f"The image is larger than {MAX_UPLOAD_BYTES // 2**20} MB.")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return badge_image_kind(data)
