from django import forms

from integrations.models import SUBSCRIBABLE_EVENTS, WebhookEvent
from integrations.webhook_http import webhook_url_problem


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        max_length=500,
        label="Address",
        assume_scheme="https",
        help_text="An https:// address of your system on the public internet, e.g. "
        "https://sis.example.org/leap/webhooks",
    )
    events = forms.MultipleChoiceField(
        choices=[(event.value, event.label) for event in SUBSCRIBABLE_EVENTS],
        widget=forms.CheckboxSelectMultiple,
        label="Tell it when",
        initial=[WebhookEvent.BADGE_AWARDED.value],
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        problem = webhook_url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url
