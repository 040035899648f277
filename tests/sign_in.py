"""A test client whose force_login signs in as a person would: with their password and, as
staff must, their authenticator app, just now. Staff screens (which need a second factor)
and sensitive actions (which need a recent log-in) then behave as they do for someone who
has just signed in; tests of those rules sign in with a plain Client or age the record."""

import time

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client


class SignInClient(Client):
    def force_login(self, user, backend=None, *, second_factor: bool = True):
        super().force_login(user, backend)
        now = time.time()
        records = [{"method": "password", "at": now, "email": user.email}]
        if second_factor:
            records.append({"method": "mfa", "at": now, "type": "totp"})
        self.authentication_records_set(user, records)

    def login(self, **credentials) -> bool:
        """Django's password check, then the same records as force_login."""
        if not super().login(**credentials):
            return False
        user = get_user_model().objects.get(pk=self.session[SESSION_KEY])
        now = time.time()
        self.authentication_records_set(
            user,
            [
                {"method": "password", "at": now, "email": user.email},
                {"method": "mfa", "at": now, "type": "totp"},
            ],
        )
        return True

    def authentication_records_set(self, user, records: list[dict]) -> None:
        session = self.session
        session[AUTHENTICATION_METHODS_SESSION_KEY] = records
        session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
        session.save()

    def authentication_age(self, user, seconds: float) -> None:
        """Make the last log-in or confirmation `seconds` old."""
        records = [dict(record) for record in self.session[AUTHENTICATION_METHODS_SESSION_KEY]]
        for record in records:
            record["at"] = time.time() - seconds
        self.authentication_records_set(user, records)
