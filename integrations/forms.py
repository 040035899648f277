from django import forms

from integrations.models import ApiScope
from integrations.services import TOKEN_DAYS


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Name",
        help_text="What will use it, e.g. “Student information system nightly import”.",
    )
    scopes = forms.MultipleChoiceField(
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        label="It may read",
        help_text="Give a system only what it needs.",
    )
    days = forms.TypedChoiceField(
        coerce=int,
        choices=[(days, f"{days} days") for days in TOKEN_DAYS],
        initial=90,
        label="Lasts",
    )
