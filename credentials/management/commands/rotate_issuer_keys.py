from django.core.management.base import BaseCommand

from accounts.mfa_adapter import authenticator_secrets_reencrypt
from credentials.models import Issuer
from credentials.openbadges.keys import issuer_key_rotate, keys_reencrypt


class Command(BaseCommand):
    help = (
        "Give every issuer a new signing key (old keys stay published so that what they "
        "signed still verifies), or with --reencrypt, re-encrypt the private keys under the "
        "first key in LEAP_KEY_ENCRYPTION_KEYS (authenticator-app keys too)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reencrypt", action="store_true")

    def handle(self, *args, reencrypt: bool = False, **options):
        if reencrypt:
            self.stdout.write(f"Re-encrypted {keys_reencrypt()} signing key(s).")
            count = authenticator_secrets_reencrypt()
            self.stdout.write(f"Re-encrypted {count} authenticator-app key(s).")
            return
        for issuer in Issuer.objects.all():
            key = issuer_key_rotate(issuer=issuer)
            self.stdout.write(f"{issuer.name}: new signing key {key.kid}")
