"""Issuers get a P-256 key (ES256) for VC-JWTs beside their Ed25519 key: one active key
per issuer and algorithm. Existing keys are Ed25519."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('credentials', '0015_status_list_entry'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='issuerkey',
            name='credentials_one_active_key_per_issuer',
        ),
        migrations.AddField(
            model_name='issuerkey',
            name='algorithm',
            field=models.CharField(choices=[('EdDSA', 'Ed25519 (Data Integrity proofs)'), ('ES256', 'P-256 (VC-JWT)')], default='EdDSA', max_length=8),
        ),
        migrations.AddConstraint(
            model_name='issuerkey',
            constraint=models.UniqueConstraint(condition=models.Q(('retired_at__isnull', True)), fields=('issuer', 'algorithm'), name='credentials_one_active_key_per_issuer_and_algorithm'),
        ),
    ]
