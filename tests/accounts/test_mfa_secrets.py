"""Authenticator-app keys are encrypted at rest (accounts.mfa_adapter), keys stored before
that still work, and re-encryption brings them under the current key."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from cryptography.fernet import Fernet

from accounts.mfa_adapter import authenticator_secrets_reencrypt
from tests.factories import UserFactory


def code(secret: str, shift: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + shift))


@pytest.mark.django_db
def test_the_app_key_is_not_stored_in_the_clear_and_still_checks_codes():
    user = UserFactory()
    secret = generate_totp_secret()
    totp = TOTP.activate(user, secret)
    stored = Authenticator.objects.get(pk=totp.instance.pk).data["secret"]
    assert secret not in stored and stored.startswith("gAAAAA")
    assert TOTP(Authenticator.objects.get(pk=totp.instance.pk)).validate_code(code(secret))
    assert not TOTP(totp.instance).validate_code("000000")


@pytest.mark.django_db
def test_keys_stored_before_encryption_work_and_are_encrypted_on_request(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.LEAP_KEY_ENCRYPTION_KEYS = [old_key]
    user = UserFactory()
    secret = generate_totp_secret()
    legacy = Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": secret}
    )
    assert TOTP(legacy).validate_code(code(secret))

    assert authenticator_secrets_reencrypt() == 1
    legacy.refresh_from_db()
    assert legacy.data["secret"].startswith("gAAAAA")
    # Rotation: re-encrypted under a new first key, then the old key retired: the app's
    # codes still work.
    settings.LEAP_KEY_ENCRYPTION_KEYS = [new_key, old_key]
    assert authenticator_secrets_reencrypt() == 1
    settings.LEAP_KEY_ENCRYPTION_KEYS = [new_key]
    legacy.refresh_from_db()
    assert TOTP(legacy).validate_code(code(secret, shift=1))  # the first code is used


@pytest.mark.django_db
def test_recovery_codes_work_with_an_encrypted_seed():
    user = UserFactory()
    codes = RecoveryCodes.activate(user)
    unused = codes.get_unused_codes()
    assert len(unused) == 10
    assert RecoveryCodes(Authenticator.objects.get(pk=codes.instance.pk)).validate_code(unused[0])
