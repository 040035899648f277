"""Issuer signing keys: Ed25519 (EdDSA, for Data Integrity proofs) and P-256 (ES256, for
VC-JWTs: the 1EdTech validator accepts only RS256 and ES256), one active of each per issuer,
encrypted at rest, rotatable.

The private keys are encrypted with Fernet under LEAP_KEY_ENCRYPTION_KEYS (required in
production; in development a key derived from SECRET_KEY), so a copy of the database alone
cannot sign."""

import base64
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.encryption import secrets_fernet
from credentials.models import Issuer, IssuerKey
from credentials.openbadges.changes import issuer_keys_changed


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


def _public_jwk(private_key, kid: str, algorithm: str) -> dict:
    public = private_key.public_key()
    if algorithm == IssuerKey.Algorithm.ES256:
        numbers = public.public_numbers()
        fields = {
            "kty": "EC",
            "crv": "P-256",
            "x": _b64url(numbers.x.to_bytes(32, "big")),
            "y": _b64url(numbers.y.to_bytes(32, "big")),
        }
    else:
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        fields = {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)}
    return {**fields, "kid": kid, "use": "sig", "alg": str(algorithm)}


def _create(issuer: Issuer, algorithm: str) -> IssuerKey:
    if algorithm == IssuerKey.Algorithm.ES256:
        private_key = ec.generate_private_key(ec.SECP256R1())
    else:
        private_key = Ed25519PrivateKey.generate()
    kid = secrets.token_urlsafe(12)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return IssuerKey.objects.create(
        issuer=issuer,
        algorithm=algorithm,
        kid=kid,
        public_jwk=_public_jwk(private_key, kid, algorithm),
        private_key_encrypted=secrets_fernet().encrypt(pem).decode(),
    )


def private_key_of(key: IssuerKey) -> Ed25519PrivateKey:
    pem = secrets_fernet().decrypt(key.private_key_encrypted.encode())
    return serialization.load_pem_private_key(pem, password=None)


def issuer_signing_key(issuer: Issuer, algorithm: str = IssuerKey.Algorithm.EDDSA) -> IssuerKey:
    """The issuer's active key for the algorithm, created on first use."""
    active = issuer.keys.filter(retired_at__isnull=True, algorithm=algorithm)
    key = active.first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return _create(issuer, algorithm)
    except IntegrityError:  # another process made it meanwhile
        return active.get()


@transaction.atomic
def issuer_key_rotate(*, issuer: Issuer) -> IssuerKey:
    """Retire the active keys (they stay published for verification) and make new ones;
    returns the new Ed25519 key."""
    issuer.keys.filter(retired_at__isnull=True).update(retired_at=timezone.now())
    _create(issuer, IssuerKey.Algorithm.ES256)
    key = _create(issuer, IssuerKey.Algorithm.EDDSA)
    issuer_keys_changed(issuer)  # cached credentials are signed again with the new keys
    return key


def issuer_jwks(issuer: Issuer) -> dict:
    return {"keys": [key.public_jwk for key in issuer.keys.all()]}
