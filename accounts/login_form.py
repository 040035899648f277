"""The sign-in form, apart from accounts.forms: allauth's forms module imports
accounts.forms (the sign-up form named in the settings), so this module may not be
imported by it."""

from allauth.account import forms as allauth_forms


class LoginForm(allauth_forms.LoginForm):
    """allauth's sign-in form in Leap's words: one "forgotten your password" link (the
    page's own), and a plain label for staying signed in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me signed in on this device"
