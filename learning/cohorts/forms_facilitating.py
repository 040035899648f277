"""Forms for the facilitator's messages and meeting summaries. Lengths are checked by the
services (learning.cohorts.facilitating), which say so in plain words."""

from django import forms

from learning.cohorts.forms_participation import MARKDOWN_HELP, markdown_field


class MessageForm(forms.Form):
    subject = forms.CharField(
        label="Subject",
        help_text="A few words people will see first, e.g. “Thursday's meeting moves to room 4”.",
    )
    body = markdown_field("Message", rows=8)


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label="Summary of the meeting",
        required=False,
        help_text=(
            "What the group talked about, what it agreed, what to read next. Members see it on "
            "the book club's page. Leave it empty to remove it. " + MARKDOWN_HELP
        ),
        widget=forms.Textarea(attrs={"rows": 10}),
    )
