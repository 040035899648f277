from django import forms

from cms.models import AudienceRole, FrameworkElement, Level


class ElementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: FrameworkElement) -> str:
        return f"{obj.framework}: {obj.code} {obj.name}"


class CatalogueFilterForm(forms.Form):
    """Filters on the pathway, micro-credential and book listings. Unknown values are
    reported on the form and ignored, never an error page."""

    element = ElementChoiceField(
        queryset=FrameworkElement.objects.live().select_related("framework"),
        to_field_name="code",
        required=False,
        label="Framework element",
        empty_label="Any element",
    )
    audience = forms.ModelChoiceField(
        queryset=AudienceRole.objects.all(),
        to_field_name="code",
        required=False,
        label="Written for",
        empty_label="Anyone",
    )
    level = forms.ChoiceField(
        choices=[("", "Any level"), *Level.choices], required=False, label="Level"
    )
