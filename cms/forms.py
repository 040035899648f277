from django import forms

from cms.models import AudienceRole, FrameworkElement, Level
from cms.widgets import PlainSelect


class CatalogueFilterForm(forms.Form):
    """Filters on the pathway, micro-credential and book listings. Unknown values are
    reported on the form and ignored, never an error page."""

    element = forms.ModelChoiceField(
        queryset=FrameworkElement.objects.live(),
        to_field_name="code",
        required=False,
        label="Framework element",
        empty_label="Any element",
        widget=PlainSelect,
    )
    audience = forms.ModelChoiceField(
        queryset=AudienceRole.objects.all(),
        to_field_name="code",
        required=False,
        label="Written for",
        empty_label="Anyone",
        widget=PlainSelect,
    )
    level = forms.ChoiceField(
        choices=[("", "Any level"), *Level.choices],
        required=False,
        label="Level",
        widget=PlainSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["element"].choices = self._element_choices  # read when rendered

    def _element_choices(self) -> list[tuple[str, str]]:
        """The element options from four columns: the field would otherwise build 74
        framework elements, with their frameworks, on every listing. Read once a form (the
        select asks twice as it renders: for its first option, then for all)."""
        if getattr(self, "_element_options", None) is None:
            field = self.fields["element"]
            rows = field.queryset.values_list(
                "code", "framework__short_name", "framework__name", "name"
            )
            self._element_options = [
                ("", field.empty_label),
                *(
                    (code, f"{short or framework}: {code} {name}")
                    for code, short, framework, name in rows
                ),
            ]
        return self._element_options
