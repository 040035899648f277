"""allauth's two-factor app in Leap's words, with authenticator-app keys encrypted at rest
like issuers' signing keys (accounts.encryption): a copy of the database alone does not give
away the codes of every staff member's app."""

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from .encryption import secrets_fernet

# Every Fernet token starts with these characters (version byte 0x80, base64); a base32
# authenticator key, as stored before encryption, never does.
FERNET_PREFIX = "gAAAAA"


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "That code does not match. Type the six digits your authenticator "
        "app shows for Leap now (they change every 30 seconds), or a recovery code.",
    }

    def encrypt(self, text: str) -> str:
        return secrets_fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(FERNET_PREFIX):
            return encrypted_text  # stored before keys were encrypted
        return secrets_fernet().decrypt(encrypted_text.encode()).decode()


def authenticator_secrets_reencrypt() -> int:
    """Encrypt every authenticator-app key under the current (first) encryption key,
    including keys stored before Leap encrypted them."""
    adapter = MFAAdapter()
    count = 0
    for authenticator in Authenticator.objects.filter(type=Authenticator.Type.TOTP):
        secret = adapter.decrypt(authenticator.data["secret"])
        authenticator.data = {**authenticator.data, "secret": adapter.encrypt(secret)}
        authenticator.save(update_fields=["data"])
        count += 1
    return count
