"""Forms for a cohort's discussion, attendance and check-in."""

from django import forms

from learning.cohorts.discussion import BODY_MAX_CHARS, REASON_MAX_CHARS
from learning.models import Attendance

MARKDOWN_HELP = (
    "You can use Markdown: **bold**, *italic*, - for a list, > for a quote, "
    "and [words](https://…) for a link."
)


def markdown_field(label: str, *, rows: int, **options) -> forms.CharField:
    """A text box for Markdown, with a line under it on how to write it."""
    return forms.CharField(
        label=label, help_text=MARKDOWN_HELP, widget=forms.Textarea(attrs={"rows": rows}), **options
    )


class PostForm(forms.Form):
    body = markdown_field("Your post", rows=6, max_length=BODY_MAX_CHARS)
    is_synthesis = forms.BooleanField(
        label="This is my synthesis: what I will take back to my classroom or school",
        required=False,
    )
    share_as_evidence = forms.BooleanField(
        label="Show my synthesis as the evidence on the book club's badge",
        help_text="Anyone who checks your badge can then read it. You can post without this.",
        required=False,
    )


class ReplyForm(forms.Form):
    body = markdown_field("Your reply", rows=4, max_length=BODY_MAX_CHARS)

    def __init__(self, *args, post_id: int, **kwargs):
        # Each reply box on the page needs its own id.
        kwargs.setdefault("auto_id", f"id_reply_{post_id}_%s")
        super().__init__(*args, **kwargs)


class EditForm(forms.Form):
    body = markdown_field("Your post", rows=8, max_length=BODY_MAX_CHARS)


class HideForm(forms.Form):
    reason = forms.CharField(
        label="Why is it hidden?",
        max_length=REASON_MAX_CHARS,
        help_text="Shown in the post's place, to everyone in the cohort and to its author.",
    )


class CheckinForm(forms.Form):
    code = forms.CharField(
        label="Check-in code",
        max_length=12,
        help_text="The six digits on the facilitator's screen.",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "code"}
        ),
    )


NOT_RECORDED = ""
STATUS_CHOICES = [(NOT_RECORDED, "Not recorded"), *Attendance.Status.choices]


class AttendanceForm(forms.Form):
    """One choice per member, named status_<user id>; "Not recorded" leaves it as it is."""

    def __init__(self, *args, members, current: dict[int, Attendance], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for member in members:
            name = f"status_{member.user_id}"
            record = current.get(member.user_id)
            self.fields[name] = forms.ChoiceField(
                label=f"Attendance for {member.user.display_name or member.user.email}",
                choices=STATUS_CHOICES,
                required=False,
                initial=record.status if record else NOT_RECORDED,
            )
            self.rows.append((member, record, name))

    def bound_rows(self):
        return [(member, record, self[name]) for member, record, name in self.rows]

    def statuses(self) -> dict[int, str]:
        return {
            member.user_id: self.cleaned_data[name]
            for member, _record, name in self.rows
            if self.cleaned_data.get(name)
        }
