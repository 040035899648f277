"""Secrets Leap keeps at rest (issuers' private signing keys, authenticator-app keys) are
encrypted with LEAP_KEY_ENCRYPTION_KEYS."""

import base64
import hashlib

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def secrets_fernet() -> MultiFernet:
    """Encrypts with the first key; decrypts with any, so the key can be rotated: put the
    new key first, keep the old one after it, run `manage.py rotate_issuer_keys --reencrypt`."""
    secrets_ = list(settings.LEAP_KEY_ENCRYPTION_KEYS)
    if not secrets_:
        digest = hashlib.sha256(f"leap-issuer-keys:{settings.SECRET_KEY}".encode()).digest()
        secrets_ = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(secret) for secret in secrets_])
