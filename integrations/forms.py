from collections.abc import Callable

from django import forms

from accounts.errors import LeapError
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


def made_with_secret(request, form_class, make: Callable[[dict], tuple]) -> tuple:
    """The token and webhook forms' one step: on a valid POST, `make(cleaned_data)` returns
    (what was made, its secret), which the answer shows once; then a blank form. Returns
    (form, made, secret, status): 400 when the form or `make` refused."""
    form = form_class(request.POST or None)
    if request.method != "POST":
        return form, None, None, 200
    if form.is_valid():
        try:
            made, secret = make(form.cleaned_data)
        except LeapError as error:
            form.add_error(None, str(error))
        else:
            return form_class(), made, secret, 200
    return form, None, None, 400
