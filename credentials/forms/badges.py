"""Forms of the staff badge screens (revoke, bulk award) and the district issuer profile."""

from django import forms
from django.core.validators import URLValidator

from cms.models import MicroCredentialPage
from credentials.openbadges.images import image_upload_check


class RevokeForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to anyone who checks the badge. Say what happened, plainly.",
    )


class BulkAwardForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: email, badge (the micro-credential's slug), narrative, "
        "evidence_url. One badge per row; the first line names the columns.",
    )


class DistrictIssuerForm(forms.Form):
    """A district's issuer profile and the micro-credentials it issues under its own name."""

    name = forms.CharField(
        label="Issuer name",
        max_length=200,
        help_text="Shown as the issuer on every badge your district issues.",
    )
    url = forms.URLField(
        label="Web site",
        max_length=200,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Your district's home page, starting with https:// or http://.",
    )
    email = forms.EmailField(
        label="Contact e-mail",
        help_text="Published with your badges, for people who check them.",
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    image = forms.FileField(
        label="Image (optional)",
        required=False,
        help_text="A square PNG of at least 400 × 400 pixels, or an SVG. Leave empty to keep "
        "the current one.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/svg+xml"}),
    )
    micro_credentials = forms.ModelMultipleChoiceField(
        label="Micro-credentials your district issues",
        queryset=MicroCredentialPage.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Your members earn these under your district's name; everyone else earns "
        "them from Leap.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["micro_credentials"].queryset = MicroCredentialPage.objects.live().order_by(
            "title"
        )

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image:
            image_upload_check(image)
        return image or None
