from django import forms


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
