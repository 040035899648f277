"""Form widgets Leap's screens share."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class PlainSelect(forms.Select):
    """A <select> written out in Python, the same HTML as Django's `Select`. Django renders
    each option through a template: for the catalogue's filter of 74 framework elements
    that was a third of the page's time."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            self._options(self.choices, chosen),
        )

    def _options(self, choices, chosen: set[str]):
        parts = []
        for value, label in choices:
            if isinstance(label, list | tuple):  # a group: (name, [(value, label), ...])
                parts.append(
                    format_html(
                        '<optgroup label="{}">{}</optgroup>', value, self._options(label, chosen)
                    )
                )
                continue
            value = "" if value is None else str(value)
            selected = " selected" if value in chosen else ""
            parts.append(format_html('<option value="{}"{}>{}</option>', value, selected, label))
        return format_html_join("", "{}", ((part,) for part in parts))
