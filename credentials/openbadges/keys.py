"""Issuer signing keys: Ed25519, one active per issuer, encrypted at rest, rotatable.

The private keys are encrypted with Fernet under LEAP_KEY_ENCRYPTION_KEYS (required in
production; in development a key derived from SECRET_KEY), so a copy of the database alone
cannot sign."""

import base64
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.encryption import secrets_fernet
from credentials.models import Issuer, IssuerKey


def keys_reencrypt() -> int:
    """Re-encrypt every private key under the current (first) encryption key."""
    fernet = secrets_fernet()
    count = 0
    for key in IssuerKey.objects.all():
        key.private_key_encrypted = fernet.rotate(key.private_key_encrypted.encode()).decode()
        key.save(update_fields=["private_key_encrypted"])
        count += 1
    return count


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _public_jwk(private_key: Ed25519PrivateKey, kid: str) -> dict:
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64url(raw),
        "kid": kid,
        "use": "sig",
        "alg": "EdDSA",
    }


def _create(issuer: Issuer) -> IssuerKey:
    private_key = Ed25519PrivateKey.generate()
    kid = secrets.token_urlsafe(12)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return IssuerKey.objects.create(
        issuer=issuer,
        kid=kid,
        public_jwk=_public_jwk(private_key, kid),
        private_key_encrypted=secrets_fernet().encrypt(pem).decode(),
    )


def private_key_of(key: IssuerKey) -> Ed25519PrivateKey:
    pem = secrets_fernet().decrypt(key.private_key_encrypted.encode())
    return serialization.load_pem_private_key(pem, password=None)


def issuer_signing_key(issuer: Issuer) -> IssuerKey:
    """The issuer's active key, created on first use."""
    key = issuer.keys.filter(retired_at__isnull=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return _create(issuer)
    except IntegrityError:  # another process made it meanwhile
        return issuer.keys.get(retired_at__isnull=True)


@transaction.atomic
def issuer_key_rotate(*, issuer: Issuer) -> IssuerKey:
    """Retire the active key (it stays published for verification) and make a new one."""
    issuer.keys.filter(retired_at__isnull=True).update(retired_at=timezone.now())
    return _create(issuer)


def issuer_jwks(issuer: Issuer) -> dict:
    return {"keys": [key.public_jwk for key in issuer.keys.all()]}
