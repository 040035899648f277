from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.errors import LeapError
from accounts.models import AuditEntry
from accounts.selectors import AuditFilters
from cms.models import AudienceRole, FrameworkElement
from cms.spreadsheets import CSV_MAX_BYTES, csv_rows
from cms.widgets import PlainSelect
from learning.models import Membership, School
from learning.models.assessments import LEVEL_MAX, LEVEL_MIN
from learning.services import InvitationRow


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label="District join code",
        max_length=40,
        help_text="Eight letters and digits, from your district. Case and dashes do not matter.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class OnboardingForm(forms.Form):
    display_name = forms.CharField(
        label="Your name",
        max_length=150,
        help_text="Shown beside your work and badges.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    role = forms.ModelChoiceField(
        label="Your role",
        queryset=AudienceRole.objects.all(),
        empty_label=None,
        widget=forms.RadioSelect,
        help_text="We use it to suggest a framework and fitting pathways.",
    )
    join_code = forms.CharField(
        label="District join code (optional)",
        max_length=40,
        required=False,
        help_text="If your district gave you one. You can join later too.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


LEVEL_ERROR = f"Choose a level from {LEVEL_MIN} to {LEVEL_MAX} on the scale shown."


@dataclass
class LevelChoice:
    """One level of one element, as the learner reads it: the radio button, the level's
    name, and what that level looks like for the element."""

    radio: forms.boundfield.BoundWidget
    value: int
    name: str
    descriptor: str


@dataclass
class RatingRow:
    element: FrameworkElement
    level_field: forms.BoundField
    note_field: forms.BoundField
    levels: list

    @property
    def choices(self) -> list[LevelChoice]:
        # Built when the page is drawn: walking the radio buttons reads the form's errors,
        # which must not happen before every field exists.
        return [
            LevelChoice(
                radio=radio,
                value=level.value,
                name=level.name,
                # The scale's general words when an editor left this element's empty.
                descriptor=self.element.descriptor(level.value) or level.description,
            )
            for radio, level in zip(self.level_field, self.levels, strict=True)
        ]


class SelfAssessmentForm(forms.Form):
    """One level (radio buttons, each saying what that level looks like for the element)
    and an optional note per assessed element."""

    def __init__(self, *args, elements, levels, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        existing = {rating.element_id: rating for rating in assessment.ratings.all()}
        choices = [(str(level.value), f"{level.value} · {level.name}") for level in levels]
        self.rows: list[RatingRow] = []
        self.fields["target_level"] = forms.TypedChoiceField(
            label="The level you are aiming for",
            choices=choices[1:],
            coerce=int,
            initial=str(assessment.target_level),
            error_messages={"invalid_choice": LEVEL_ERROR},
            help_text="We suggest what to work on next by how far each rating is from this level.",
        )
        for element in elements:
            rating = existing.get(element.pk)
            level_name, note_name = f"level_{element.pk}", f"note_{element.pk}"
            self.fields[level_name] = forms.TypedChoiceField(
                label=f"{element.code} {element.name}",
                choices=choices,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
                initial=str(rating.level) if rating else None,
                error_messages={"invalid_choice": LEVEL_ERROR},
            )
            self.fields[note_name] = forms.CharField(
                label=f"Note on {element.name} (optional)",
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=rating.note if rating else "",
            )
            self.rows.append(
                RatingRow(
                    element=element,
                    level_field=self[level_name],
                    note_field=self[note_name],
                    levels=levels,
                )
            )

    def ratings(self) -> dict[int, tuple[int | None, str]]:
        result = {}
        for row in self.rows:
            level = self.cleaned_data.get(row.level_field.name)
            result[row.element.pk] = (level, self.cleaned_data.get(row.note_field.name, "").strip())
        return result


class ReflectionForm(forms.Form):
    reflection = forms.CharField(
        label="Your reflection (only you can read it)",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(
        choices=Membership.Role.choices, initial=Membership.Role.LEARNER, widget=PlainSelect
    )
    school = forms.ModelChoiceField(
        queryset=School.objects.none(), required=False, widget=PlainSelect
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = district.schools.all()


CSV_REQUIRED = ["email"]
CSV_OPTIONAL = ["role", "school"]


class InvitationCsvForm(forms.Form):
    """A CSV with an `email` column and optional `role` and `school` columns. Every bad row
    is reported by its line; one bad row means nothing is sent."""

    file = forms.FileField(
        label="CSV file",
        help_text="Columns: email (required), role (learner, facilitator or district_admin; "
        "learner if empty), school (a school of your district, optional).",
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.district = district
        self.rows: list[InvitationRow] = []

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            # One byte over the limit is enough to refuse a file that is too big.
            data = upload.read(CSV_MAX_BYTES + 1)
            records = csv_rows(data, required=CSV_REQUIRED, optional=CSV_OPTIONAL)
        except LeapError as error:
            raise ValidationError(error.problems) from None
        schools = {school.name.lower() for school in self.district.schools.all()}
        roles = {value: value for value in Membership.Role.values} | {
            label.lower(): value for value, label in Membership.Role.choices
        }
        errors, seen, rows = [], set(), []
        for record in records:
            line, values = record.line, record.values
            email = values["email"].lower()
            try:
                validate_email(email)
            except ValidationError:
                errors.append(f"Line {line}: “{email or '(empty)'}” is not an e-mail address.")
                continue
            if email in seen:
                errors.append(f"Line {line}: {email} appears more than once.")
                continue
            seen.add(email)
            role = roles.get(values["role"].lower() or "learner")
            if role is None:
                errors.append(
                    f"Line {line}: “{values['role']}” is not a role; use learner, "
                    "facilitator or district_admin."
                )
                continue
            school = values["school"]
            if school and school.lower() not in schools:
                errors.append(f"Line {line}: {self.district.name} has no school “{school}”.")
                continue
            rows.append(InvitationRow(line=line, email=email, role=role, school_name=school))
        if errors:
            raise ValidationError(
                ["Nothing was sent. Correct these lines and upload again:"] + errors
            )
        self.rows = rows
        return upload


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "school", "is_active"]
        labels = {"is_active": "Active (can take part in the district's learning)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = self.instance.district.schools.all()


class AuditFilterForm(forms.Form):
    """Filters of the audit log (every field optional), read from the address. `districts`
    (platform staff) adds a choice of district; a district's own log has none. `before` and
    `after` are the page cursors the "Older" and "Newer" links carry."""

    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Every action"), *AuditEntry.Action.choices]
    )
    actor = forms.CharField(
        label="Done by (e-mail)",
        required=False,
        max_length=254,
        help_text="All or part of the address.",
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, districts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if districts is not None:
            self.fields["district"] = forms.TypedChoiceField(
                label="District",
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "Every district"), *((d.pk, d.name) for d in districts)],
            )
            self.order_fields(["action", "actor", "since", "until", "district"])

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "Choose a date on or after the “From” date.")
        if cleaned.get("before") is not None and cleaned.get("after") is not None:
            raise ValidationError("This page link is not valid; start from the newest entries.")
        return cleaned

    def filters(self, *, district_id: int | None = None) -> AuditFilters:
        """The filters chosen (only once the form is valid); `district_id` overrides."""
        data = self.cleaned_data
        return AuditFilters(
            action=data.get("action") or "",
            actor_email=data.get("actor") or "",
            since=data.get("since"),
            until=data.get("until"),
            district_id=district_id if district_id is not None else data.get("district"),
        )


class MemberDeleteForm(forms.Form):
    """A district admin deletes a member's account at their request: why, whether their
    badges are revoked too, and the member's address typed again so the wrong person is not
    deleted by a slip."""

    reason = forms.CharField(
        label="Why (recorded in the audit log)",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: “Asked by e-mail on 3 May”.",
        error_messages={"required": "Say why the account is being deleted."},
    )
    revoke_badges = forms.BooleanField(
        label="Also revoke their badges (they asked for it)",
        required=False,
        help_text="Unticked, their badges keep verifying, without their name or address.",
    )
    email = forms.CharField(
        label="Type their e-mail address to confirm",
        error_messages={"required": "Type their e-mail address to confirm."},
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_email(self) -> str:
        typed = self.cleaned_data["email"].strip()
        if typed.lower() != self.person.email.lower():
            raise forms.ValidationError("That is not this member's address. Nothing was deleted.")
        return typed
