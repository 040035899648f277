"""The public "Verify a badge" form: one badge, as a link, a file or pasted text."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat


class VerifyForm(forms.Form):
    url = forms.CharField(
        label="Link to the badge",
        required=False,
        max_length=2000,
        help_text="The badge's web address, its JSON, or its image.",
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )
    file = forms.FileField(
        label="Or upload the badge",
        required=False,
        help_text="A baked badge image (PNG or SVG), a JSON file or a JWT.",
    )
    text = forms.CharField(
        label="Or paste it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text="Open Badges 2.0 or 3.0 JSON, or a VC-JWT.",
    )
    email = forms.EmailField(
        label="Check it was issued to (optional)",
        required=False,
        help_text="An e-mail address: Leap checks the badge's recipient against it.",
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        limit = settings.LEAP_VERIFY_MAX_BYTES
        if upload and upload.size > limit:
            raise forms.ValidationError(
                f"This file is {filesizeformat(upload.size)}; Leap checks badges of up to "
                f"{filesizeformat(limit)}. A baked badge image is usually well under 1 MB."
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        given = [name for name in ("url", "file", "text") if cleaned.get(name)]
        if not given and not self.errors:
            raise forms.ValidationError("Give a badge to check: a link, a file, or pasted text.")
        if len(given) > 1:
            raise forms.ValidationError("Check one badge at a time: give a link, a file or text.")
        return cleaned

    def badge_input(self) -> dict:
        """What `badge_verify` takes."""
        upload = self.cleaned_data.get("file")
        if upload:
            return {"data": upload.read(), "name": upload.name}
        return {"text": self.cleaned_data.get("url") or self.cleaned_data.get("text", "")}


class ExternalBadgeForm(VerifyForm):
    """A badge earned elsewhere, to add to one's profile (checked against one's own e-mail
    addresses, so no e-mail field)."""

    email = None
