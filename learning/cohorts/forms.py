"""Forms for running a cohort. They check the shape of what was typed; the services check
what must hold (dates, capacity, who belongs to the district)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms

from accounts.models import User
from cms.models import BookPage, MicroCredentialPage, PathwayPage
from learning.cohorts import selectors
from learning.cohorts.schedule import WEEKDAYS, local_instant
from learning.cohorts.services import CohortDetails, CohortPlan
from learning.models import Cohort, District
from learning.models.districts import time_zone_choices


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.email})" if obj.display_name else obj.email


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.email})" if obj.display_name else obj.email


class CohortEditForm(forms.ModelForm):
    """A cohort's details after it is created (the schedule is edited session by session)."""

    facilitators = PersonChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of the district who lead the meetings and take attendance.",
    )

    class Meta:
        model = Cohort
        fields = CohortDetails.stored()
        labels = {
            "description": "What the group will do (optional)",
            "capacity": "Places (optional)",
            "visibility": "Who can join",
            "min_attendance_percent": "Meetings attended to complete (%)",
            "min_sessions_posted": "Discussions posted in to complete",
            "requires_synthesis": "A final post on what they will change is needed to complete",
            "reading_hours": "Reading hours credited on completion",
            "completion_badge": "Badge earned on completion (optional)",
        }
        help_texts = {
            "capacity": "When every place is taken, newcomers join a waiting list. "
            "Empty: no limit.",
            "visibility": "Open: anyone in the district signs up. Invitation: you invite people. "
            "Code: people enter the cohort's code and you approve them.",
            "reading_hours": "Added to the hours of the meetings they attend.",
            "completion_badge": "A micro-credential each member earns when they complete, "
            "shown on their badges page. Leave it empty for hours only.",
        }
        widgets = {
            "visibility": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, district: District, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitators"].queryset = selectors.district_people(district=district)
        badge = self.fields["completion_badge"]
        badge.queryset = MicroCredentialPage.objects.live().order_by("title")
        badge.empty_label = "(no badge: hours only)"

    def details(self) -> CohortDetails:
        """What was chosen, as the services take it (once the form is valid)."""
        return CohortDetails.from_form(self.cleaned_data)


class CohortCreateForm(CohortEditForm):
    book = forms.ModelChoiceField(
        queryset=BookPage.objects.none(),
        required=False,
        empty_label="(no book)",
        help_text="One meeting per chapter or section.",
    )
    pathway = forms.ModelChoiceField(
        queryset=PathwayPage.objects.none(),
        required=False,
        empty_label="(no pathway)",
        label="Or a pathway",
        help_text="One meeting per step.",
    )
    start_date = forms.DateField(
        label="Start date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The first meeting is on the chosen day on or after this date.",
    )
    weekday = forms.TypedChoiceField(
        label="Meeting day",
        coerce=int,
        choices=list(enumerate(WEEKDAYS)),
        initial=2,
    )
    time_of_day = forms.TimeField(
        label="Meeting time", widget=forms.TimeInput(attrs={"type": "time"}), initial=dt.time(16, 0)
    )
    duration_minutes = forms.IntegerField(
        label="Meeting length (minutes)", min_value=15, max_value=480, initial=60
    )
    time_zone = forms.ChoiceField(
        label="Time zone", choices=(), help_text="Meeting times are written in this zone."
    )

    # The details' fields follow, in their own order.
    field_order = [
        "title",
        "book",
        "pathway",
        "facilitators",
        "start_date",
        "weekday",
        "time_of_day",
        "duration_minutes",
        "time_zone",
    ]

    def __init__(self, *args, district: District, **kwargs):
        super().__init__(*args, district=district, **kwargs)
        self.fields["book"].queryset = BookPage.objects.live().order_by("title")
        self.fields["pathway"].queryset = PathwayPage.objects.live().order_by("title")
        self.fields["time_zone"].choices = time_zone_choices()
        self.fields["time_zone"].initial = district.time_zone

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("book")) == bool(cleaned.get("pathway")):
            self.add_error("book", "Choose a book or a pathway (one of the two).")
        return cleaned

    def plan(self) -> CohortPlan:
        """What the new cohort reads and when it meets (once the form is valid)."""
        return CohortPlan.from_form(self.cleaned_data)


class SessionForm(forms.Form):
    """One meeting, its time written in the cohort's zone."""

    title = forms.CharField(max_length=200)
    reading = forms.CharField(max_length=255, required=False, label="Reading or steps due")
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=15, max_value=480, initial=60
    )
    place = forms.CharField(max_length=255, required=False, help_text="A room, or leave empty.")
    video_url = forms.URLField(
        label="Video link", required=False, assume_scheme="https", help_text="For online meetings."
    )
    prompts = forms.CharField(
        label="Discussion prompts",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line.",
    )

    def __init__(self, *args, zone: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["time"].label = f"Time ({zone.key.replace('_', ' ')})"

    def starts_at(self) -> dt.datetime:
        return local_instant(self.cleaned_data["date"], self.cleaned_data["time"], self.zone)

    def prompt_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["prompts"].splitlines() if line.strip()]

    def meeting(self) -> dict:
        """The meeting as `services.session_add` and `session_update` take it (once the
        form is valid)."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "reading": data["reading"],
            "starts_at": self.starts_at(),
            "duration_minutes": data["duration_minutes"],
            "place": data["place"],
            "video_url": data["video_url"],
            "prompts": self.prompt_list(),
        }


def session_initial(session, zone: ZoneInfo) -> dict:
    local = session.starts_at.astimezone(zone)
    return {
        "title": session.title,
        "reading": session.reading,
        "date": local.date(),
        "time": local.time().replace(second=0, microsecond=0),
        "duration_minutes": session.duration_minutes,
        "place": session.place,
        "video_url": session.video_url,
        "prompts": "\n".join(session.prompts or []),
    }


class AddMemberForm(forms.Form):
    user = PersonField(queryset=User.objects.none(), label="Person from the district")

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.roster_list_addable(cohort=cohort)


class InviteAddressForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="They join the district as a learner, with a place in this book club.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class CohortCodeForm(forms.Form):
    code = forms.CharField(
        label="Book club code",
        max_length=20,
        help_text="Eight letters and digits, from your facilitator. Case and dashes do not matter.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
