from django import forms
from django.contrib.auth import get_user_model
from wagtail.users import forms as wagtail_user_forms

from accounts.audit import user_access_of, user_access_record

User = get_user_model()

DISPLAY_NAME_HELP = "Shown beside your work and badges, e.g. “Ana Díaz”."


class AccountByEmailField(forms.EmailField):
    """The e-mail address of an active account, cleaned to that account: how staff name a
    person to add to a pool or a district.

    `refusal` is for people who are not staff (a lead adding a reviewer): the one message
    for an unknown address and for one not yet confirmed, and only confirmed addresses
    match, so the form cannot be used to learn who has an account."""

    def __init__(self, *, refusal: str = "", **kwargs):
        kwargs.setdefault("help_text", "The address they sign in to Leap with.")
        self.refusal = refusal
        super().__init__(**kwargs)

    def clean(self, value):
        email = super().clean(value)
        people = User.objects.filter(email__iexact=email, is_active=True)
        if self.refusal:
            people = people.filter(
                emailaddress__email__iexact=email, emailaddress__verified=True
            ).distinct()
        person = people.first()
        if person is None:
            raise forms.ValidationError(self.refusal or "No active Leap account uses this address.")
        return person


class SignupForm(forms.Form):
    """The fields Leap adds to allauth's sign-up form."""

    display_name = forms.CharField(
        label="Your name",
        max_length=150,
        help_text=DISPLAY_NAME_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["display_name", "email", "password1", "password2"]

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError("Enter the name people will see.")
        return name

    def signup(self, request, user) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])


class AuditedAccessMixin:
    """Changes to a person's superuser status, activity and groups go to the audit log."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.access_before = user_access_of(self.instance) if self.instance.pk else None

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            user_access_record(user=user, before=self.access_before)
        return user


class WagtailUserCreationForm(AuditedAccessMixin, wagtail_user_forms.UserCreationForm):
    first_name = None
    last_name = None

    class Meta(wagtail_user_forms.UserCreationForm.Meta):
        fields = ["email", "display_name", "is_superuser", "groups"]


class WagtailUserEditForm(AuditedAccessMixin, wagtail_user_forms.UserEditForm):
    first_name = None
    last_name = None

    class Meta(wagtail_user_forms.UserEditForm.Meta):
        fields = ["email", "display_name", "is_active", "is_superuser", "groups"]


class WagtailAccountNameForm(forms.ModelForm):
    """The name panel of an editor's Wagtail account page. E-mail and password changes go
    through allauth (/accounts/), which verifies them."""

    class Meta:
        model = User
        fields = ["display_name"]


class AccountDeleteForm(forms.Form):
    """Deleting one's own account: confirmed with the password (or, for an account that signs
    in only with Google or Microsoft, by typing the address), and a choice about badges."""

    revoke_badges = forms.BooleanField(
        label="Also revoke my badges",
        required=False,
        help_text="Unticked, badges you shared keep verifying for whoever holds them, without "
        "your name or e-mail address. Ticked, they say “revoked” from now on.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            self.fields["password"] = forms.CharField(
                label="Your password",
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                error_messages={"required": "Enter your password to confirm."},
            )
        else:
            self.fields["email"] = forms.CharField(
                label="Type your e-mail address to confirm",
                help_text=f"It is {user.email}.",
                error_messages={"required": "Type your e-mail address to confirm."},
            )
        self.order_fields(["password", "email", "revoke_badges"])

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password. Nothing was deleted.")
        return password

    def clean_email(self) -> str:
        typed = self.cleaned_data["email"].strip()
        if typed.lower() != self.user.email.lower():
            raise forms.ValidationError("That is not your e-mail address. Nothing was deleted.")
        return typed
