"""Forms of the lead reviewer tools: rubric scores (an exemplar's reference, a reviewer's
calibration), adding a pool member, another attempt, and the report's period."""

from django import forms

from accounts.forms import AccountByEmailField
from credentials.models import CriterionScore
from credentials.selectors.reports import DEFAULT_PERIOD, PERIODS


class CriterionScoresForm(forms.Form):
    """Meets or not yet on each rubric criterion. `criteria` is [(id, block value)]."""

    def __init__(self, *args, criteria: list[tuple[str, dict]], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion_id, value in criteria:
            title = value.get("title", "Criterion")
            self.fields[f"criterion-{criterion_id}"] = forms.ChoiceField(
                label=title,
                choices=CriterionScore.Result.choices,
                widget=forms.RadioSelect,
                help_text=value.get("meets", ""),
                error_messages={"required": f"Choose meets or not yet for “{title}”."},
            )

    def scores(self) -> dict[str, str]:
        return {cid: self.cleaned_data[f"criterion-{cid}"] for cid, _ in self.criteria}

    def rows(self):
        """(criterion id, block value, bound field) for the template."""
        return [(cid, value, self[f"criterion-{cid}"]) for cid, value in self.criteria]


class PoolMemberJoinForm(forms.Form):
    email = AccountByEmailField(
        label="Their e-mail address",
        help_text="The address they sign in to Leap with. They join as a reviewer and are "
        "told by e-mail.",
        error_messages={"required": "Enter the e-mail address of the person to add."},
        refusal="We couldn't add that address. Check it is the address they sign in to Leap with.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class AllowAttemptForm(forms.Form):
    submission = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label="Note",
        max_length=2000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why another attempt: for example, what you agreed with the learner in "
        "a coaching conversation.",
        error_messages={"required": "Write a note on why another attempt is allowed."},
    )


class ReportPeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Decisions over the last",
        choices=[(days, f"{days} days") for days in PERIODS],
        coerce=int,
        initial=DEFAULT_PERIOD,
        required=False,
    )

    def period(self) -> int:
        if self.is_valid() and self.cleaned_data["days"]:
            return self.cleaned_data["days"]
        return DEFAULT_PERIOD
